import { loadConfig, SEAL_VERSION, seal, secretAad, Vault } from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  jsonError,
  makeHome,
  type RunOptions,
  runCli,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 12, item 2: a secret is sealed to its row's identity (id, profile, name, kind). Someone with write access to
// the database but no master key cannot make one key answer for another.

const ONE = fakeApiKey("IDENTITY_ONE");
const TWO = fakeApiKey("IDENTITY_TWO");
const P2 = fakeApiKey("IDENTITY_P2");

let home: TestHome;
let opts: RunOptions;
const sql = (statement: string, ...params: unknown[]) => {
  const db = new Database(home.storePath);
  try {
    db.prepare(statement).run(...params);
  } finally {
    db.close();
  }
};

beforeEach(async () => {
  home = await makeHome();
  opts = { home, env: { APIKEY_MASTER_KEY: TEST_MASTER_KEY } };
  // The starting store, made in process (four CLI starts per test otherwise); what is tested runs the CLI.
  await inProcess(home, async (app) => {
    await app.keys.add({ name: "one", secret: ONE, validate: false });
    await app.keys.add({ name: "two", secret: TWO, validate: false });
    await app.profiles.create("p2");
    await app.keys.add({ name: "other", secret: P2, profile: "p2", validate: false });
  });
});
afterEach(() => home?.cleanup());

describe("item 2: row identity is authenticated", () => {
  it("item 2: swapping two rows' names makes reveal refuse (E_STORE_CORRUPT), never print the other key", async () => {
    sql("UPDATE keys SET name = 'tmp' WHERE name = 'one'");
    sql("UPDATE keys SET name = 'one' WHERE name = 'two'");
    sql("UPDATE keys SET name = 'two' WHERE name = 'tmp'");
    for (const name of ["one", "two"]) {
      const r = await runCli(["--json", "reveal", name, "--yes"], opts);
      expect(r.code).toBe(1);
      expect(jsonError(r).code).toBe("E_STORE_CORRUPT");
      expect(r.stdout).toBe("");
    }
  });

  it("item 2: an active pointer aimed at another profile's key is refused by current (hot and full path)", async () => {
    sql(
      "UPDATE profiles SET active_key_id = (SELECT id FROM keys WHERE name = 'other') WHERE name = 'default'",
    );
    const plain = await runCli(["current"], opts);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toBe("");
    const json = await runCli(["--json", "current"], opts);
    expect(jsonError(json).code).toBe("E_STORE_CORRUPT");
  });

  it("item 2: moving a key to another profile in SQL makes it fail to decrypt", async () => {
    sql("UPDATE keys SET profile = 'p2' WHERE name = 'two'");
    const r = await runCli(["--json", "-p", "p2", "reveal", "two", "--yes"], opts);
    expect(jsonError(r).code).toBe("E_STORE_CORRUPT");
  });

  it("item 2: rename re-seals in the same transaction, so the renamed key still opens", async () => {
    expect((await runCli(["rename", "two", "deux"], opts)).code).toBe(0);
    expect(await inProcess(home, (app) => app.keys.reveal("deux"))).toBe(TWO);
  });

  it("item 2: a store sealed the old way (row id only) is re-sealed at its first unlock and audited", async () => {
    const config = loadConfig({ APIKEY_HOME: home.dataDir, APIKEY_MASTER_KEY: TEST_MASTER_KEY });
    const store = await openStore({ path: home.storePath });
    try {
      const vault = new Vault({ store, config, actor: "test", front: "api" });
      const dek = await vault.unlock();
      const one = await store.keys.byName("default", "one");
      if (!one) throw new Error("missing key");
      // What schema 0002 wrote: the secret bound to the row id only, seal 1.
      const legacy = seal(dek, Buffer.from(ONE), secretAad(one, 1));
      await store.keys.update(one.id, { ciphertext: legacy.ciphertext, nonce: legacy.nonce, seal: 1 });
      const fresh = new Vault({ store, config, actor: "test", front: "api" });
      expect(await fresh.reveal("one")).toBe(ONE);
      expect((await store.keys.byId(one.id))?.seal).toBe(SEAL_VERSION);
      const audit = await store.audit.list({ limit: 5 });
      expect(audit.map((a) => a.action)).toContain("store.reseal");
    } finally {
      await store.close();
    }
    expect(await inProcess(home, async (app) => (await app.active()).secret)).toBe(ONE);
  });
});
