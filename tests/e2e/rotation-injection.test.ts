import { loadConfig, rotateKey, type Store, Vault } from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeHome, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { fakeAdminKey, fakeApiKey } from "../fixtures/keys.ts";

// Failure injected at each step inside the rotation's transaction, on a real SQLite store: whatever step fails, the
// store is exactly as before. Each failure is a real database error, provoked through the real store (a duplicate
// insert that trips a unique constraint, an active-key pointer to a key that does not exist); the two steps whose tables have no
// constraint to trip throw instead.

const OLD = fakeApiKey("INJ_OLD");
const NEW = fakeApiKey("INJ_NEW");
const ADMIN = fakeAdminKey("INJ_ADMIN");

type Step = "markOld" | "insertNew" | "moveActive" | "owedDeactivation" | "audit";
/** The error each sabotaged step must surface: the store's coded mapping of the real constraint, or ours. */
const EXPECTED: Record<Step, string> = {
  markOld: "E_NAME_TAKEN",
  insertNew: "E_KEY_DUPLICATE",
  moveActive: "E_KEY_NOT_FOUND",
  owedDeactivation: "injected",
  audit: "injected",
};

/** The store, except that in transactions the chosen step hits a real constraint violation. */
function failingAt(store: Store, step: Step): Store {
  const sabotage = (tx: Store): Store => {
    const keys = { ...tx.keys };
    const profiles = { ...tx.profiles };
    const deactivations = { ...tx.deactivations };
    const audit = { ...tx.audit };
    if (step === "markOld") {
      keys.update = async (id, patch) => {
        await tx.keys.update(id, patch);
        // A second live row with the same name: the (profile, name) unique index for live keys refuses it.
        const old = await tx.keys.byId(id);
        if (old) await tx.keys.insert({ ...old, id: `${id}-clash`, status: "active", fingerprint: "clash" });
      };
    }
    if (step === "insertNew") {
      keys.insert = async (key) => {
        await tx.keys.insert(key);
        await tx.keys.insert(key); // primary key clash
      };
    }
    if (step === "moveActive") {
      profiles.setActiveKey = async (name) => tx.profiles.setActiveKey(name, "no-such-key"); // foreign key
    }
    if (step === "owedDeactivation") {
      // The table has no constraint a well-formed row could trip, so this one is a thrown driver-style fault.
      deactivations.add = async () => {
        throw new Error("injected: I/O error while recording the owed deactivation");
      };
    }
    if (step === "audit") {
      audit.append = async (entry) => {
        throw Object.assign(new Error("injected: disk full while writing the audit entry"), {
          entry: entry.action,
        });
      };
    }
    // Defined, not assigned: a store may build its repositories in getters on first use (no setter to assign to).
    return Object.create(tx, {
      keys: { value: keys },
      profiles: { value: profiles },
      deactivations: { value: deactivations },
      audit: { value: audit },
    });
  };
  return Object.create(store, {
    transaction: {
      value: <T>(fn: (tx: Store) => Promise<T>) => store.transaction((tx) => fn(sabotage(tx))),
    },
  });
}

let home: TestHome;
let store: Store;
const config = () => loadConfig({ APIKEY_HOME: home.dataDir, APIKEY_MASTER_KEY: TEST_MASTER_KEY });
const vaultOn = (s: Store) => new Vault({ store: s, config: config(), actor: "test", front: "api" });

async function snapshot(s: Store) {
  return {
    keys: (await s.keys.list()).map((k) => ({ ...k, ciphertext: Buffer.from(k.ciphertext).toString("hex") })),
    profiles: await s.profiles.list(),
    audit: await s.audit.list({ limit: 1000 }),
    deactivations: await s.deactivations.list(),
  };
}

beforeEach(async () => {
  home = await makeHome();
  store = await openStore({ path: home.storePath });
  const vault = vaultOn(store);
  await vault.add({ name: "work", secret: OLD, validate: false });
  await vault.add({ name: "admin", secret: ADMIN, validate: false });
});
afterEach(async () => {
  await store?.close();
  await home?.cleanup();
});

describe("a rotation interrupted inside its transaction", () => {
  for (const step of ["markOld", "insertNew", "moveActive", "owedDeactivation", "audit"] as const) {
    it(`changes nothing when ${step} fails`, async () => {
      const before = await snapshot(store);
      const broken = vaultOn(failingAt(store, step));
      await expect(
        rotateKey(broken, { name: "work", newSecret: NEW, validate: false, graceMs: 60_000 }),
      ).rejects.toSatisfy((e) =>
        EXPECTED[step] === "injected"
          ? String((e as Error).message).startsWith("injected")
          : (e as { code?: string }).code === EXPECTED[step],
      );
      expect(await snapshot(store)).toEqual(before);
      // And the same rotation then succeeds on the intact store.
      const ok = await rotateKey(vaultOn(store), {
        name: "work",
        newSecret: NEW,
        validate: false,
        graceMs: 60_000,
      });
      expect(ok.changed).toBe(true);
      expect((await vaultOn(store).activeSecret()).secret).toBe(NEW);
      expect(ok.deactivation.plan).toBe("pending");
    });
  }
});
