import { type Apikey, loadConfig, masterKeySource, openApikey, storeFileIn } from "@apikey/core";
import type { Store } from "@apikey/core/store";
import { SEAL_VERSION, seal, secretAad, Vault } from "@apikey/core/testing";
import { openStore } from "@apikey/storage/better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeHome, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 25, item 4: unlocking a store checks that every secret is sealed to its row's identity (seal version 2),
// re-sealing older rows. It read and mapped every key row at each unlock to find none; the store now selects only
// the rows sealed before the current version. In process against a real SQLite file; the store is wrapped only to
// count the key rows `keys.list` hands back.

let home: TestHome;
let rowsRead = 0;
const opened: Apikey[] = [];

function counting(inner: Store): Store {
  const keys = new Proxy(inner.keys, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === "list")
        return async (...args: unknown[]) => {
          const rows = await value.apply(target, args);
          rowsRead += rows.length;
          return rows;
        };
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === "keys") return keys;
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function open(): Promise<{ app: Apikey; store: Store }> {
  const store = await openStore({ path: storeFileIn(home.dataDir) });
  const app = openApikey({
    store: counting(store),
    masterKeys: [masterKeySource(TEST_MASTER_KEY)],
    config: loadConfig({ APIKEY_HOME: home.dataDir }),
    actor: "cli:tester@host",
    front: "cli",
  });
  opened.push(app);
  return { app, store };
}

beforeEach(async () => {
  home = await makeHome();
  const { app } = await open();
  for (const name of ["a", "b", "c"]) {
    await app.keys.add({ name, secret: fakeApiKey(`UNLOCK_${name.toUpperCase()}`), validate: false });
  }
  rowsRead = 0;
});
afterEach(async () => {
  for (const app of opened.splice(0)) await app.close();
  await home.cleanup();
});

describe("issue 25: an unlock reads no key row of a store whose secrets are all sealed", () => {
  it("unlocking maps none of the three current rows; the list then reads them once", async () => {
    const { app } = await open();
    await app.unlock();
    expect(rowsRead).toBe(0);
    const listed = await app.keys.list();
    expect(listed.map((k) => k.name)).toEqual(["a", "b", "c"]);
    expect(rowsRead).toBe(3);
  });

  it("a row sealed before version 2 is still found and re-sealed at the next unlock, and only it is read", async () => {
    const store = await openStore({ path: storeFileIn(home.dataDir) });
    try {
      const config = loadConfig({ APIKEY_HOME: home.dataDir, APIKEY_MASTER_KEY: TEST_MASTER_KEY });
      const dek = await new Vault({ store, config, actor: "test", front: "api" }).unlock();
      const b = await store.keys.byName("default", "b");
      if (!b) throw new Error("key b missing");
      // What schema 0002 wrote: the secret bound to the row id only, seal 1.
      const legacy = seal(dek, Buffer.from(fakeApiKey("UNLOCK_B")), secretAad(b, 1));
      await store.keys.update(b.id, { ciphertext: legacy.ciphertext, nonce: legacy.nonce, seal: 1 });
      rowsRead = 0;
      const { app } = await open();
      await app.unlock();
      expect(rowsRead).toBe(1);
      expect((await store.keys.byId(b.id))?.seal).toBe(SEAL_VERSION);
      expect(await app.keys.reveal("b")).toBe(fakeApiKey("UNLOCK_B"));
      expect((await store.audit.list({ limit: 5 })).map((a) => a.action)).toContain("store.reseal");
    } finally {
      await store.close();
    }
  });
});
