import { type Apikey, loadConfig, masterKeySource, openApikey, storeFileIn } from "@apikey/core";
import type { Store } from "@apikey/core/store";
import { openStore } from "@apikey/storage/better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeHome, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 25, item 4: a listing shows no secret, so it reads none. Raycast's list (and the CLI's list, status and
// profile list) read every key row with its ciphertext, nonce and refresh token, and copied each buffer twice, for
// a view that drops them. In process against a real SQLite file; the store is wrapped only to see what each
// `keys.list` call asked for and what came back.

let home: TestHome;
let store: Store;
let app: Apikey;
/** Every keys.list call since the last reset: whether it asked for the secrets, and the fields of its rows. */
let calls: Array<{ secrets: boolean; fields: string[] }> = [];

function recording(inner: Store): Store {
  const keys = new Proxy(inner.keys, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === "list")
        return async (filter?: { secrets?: boolean }) => {
          const rows: object[] = await value.call(target, filter);
          calls.push({ secrets: filter?.secrets !== false, fields: rows.flatMap((r) => Object.keys(r)) });
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

const SEALED = ["ciphertext", "nonce", "refreshCiphertext", "refreshNonce"];

beforeEach(async () => {
  home = await makeHome();
  store = await openStore({ path: storeFileIn(home.dataDir) });
  app = openApikey({
    store: recording(store),
    masterKeys: [masterKeySource(TEST_MASTER_KEY)],
    config: loadConfig({ APIKEY_HOME: home.dataDir }),
    actor: "cli:tester@host",
    front: "cli",
  });
  await app.keys.add({ name: "a", secret: fakeApiKey("SECRETS_A"), validate: false });
  await app.profiles.create("team");
  await app.keys.add({ name: "t", profile: "team", secret: fakeApiKey("SECRETS_T"), validate: false });
  await app.unlock();
  calls = [];
});
afterEach(async () => {
  await app.close();
  await home.cleanup();
});

describe("issue 25: a listing reads no sealed secret", () => {
  const listings: Array<[string, (a: Apikey) => Promise<unknown>]> = [
    ["keys.list (apikey list)", (a) => a.keys.list()],
    ["keys.list of one profile", (a) => a.keys.list({ profile: "team" })],
    ["keys.listWithProfiles (Raycast's list)", (a) => a.keys.listWithProfiles()],
    ["profiles.list (apikey profile list)", (a) => a.profiles.list()],
    ["status (apikey status)", (a) => a.status()],
  ];
  for (const [name, run] of listings) {
    it(`${name}: every key read asks for no secret and gets none`, async () => {
      await run(app);
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.filter((c) => c.secrets)).toEqual([]);
      expect(calls.flatMap((c) => c.fields).filter((f) => SEALED.includes(f))).toEqual([]);
    });
  }

  it("what needs a secret still reads it: reveal decrypts the stored key", async () => {
    expect(await app.keys.reveal("t", "team")).toBe(fakeApiKey("SECRETS_T"));
  });
});
