import { type Apikey, loadConfig, masterKeySource, openApikey, storeFileIn } from "@apikey/core";
import type { Store } from "@apikey/core/store";
import { openStore } from "@apikey/storage/better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeHome, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 25, item 4: a list reads the key rows once. Raycast's list took 14× a bare read of the same rows with no key
// decrypted: it read every key row four times (the listing, its budgets, the profiles' counts, the seal check).
// In process against a real SQLite file; the store is wrapped only to count its `keys.list` calls.

let home: TestHome;
let store: Store;
let app: Apikey;
let keyReads = 0;

/** The store, with every `keys.list` call counted (everything else passes straight through). */
function counting(inner: Store): Store {
  const keys = new Proxy(inner.keys, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === "list")
        return (...args: unknown[]) => {
          keyReads++;
          return value.apply(target, args);
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

beforeEach(async () => {
  home = await makeHome();
  store = await openStore({ path: storeFileIn(home.dataDir) });
  app = openApikey({
    store: counting(store),
    masterKeys: [masterKeySource(TEST_MASTER_KEY)],
    config: loadConfig({ APIKEY_HOME: home.dataDir }),
    actor: "cli:tester@host",
    front: "cli",
  });
  // Three profiles: one with two keys (one rotated away), one with a key, one empty.
  await app.keys.add({ name: "a", secret: fakeApiKey("READS_A"), validate: false });
  await app.keys.add({ name: "b", secret: fakeApiKey("READS_B"), validate: false });
  await app.keys.rotate({
    name: "b",
    newSecret: fakeApiKey("READS_B2"),
    validate: false,
    deactivateUpstream: false,
  });
  await app.profiles.create("team");
  await app.keys.add({ name: "t", profile: "team", secret: fakeApiKey("READS_T"), validate: false });
  await app.profiles.create("empty");
  await app.unlock();
  keyReads = 0;
});
afterEach(async () => {
  await app.close();
  await home.cleanup();
});

describe("issue 25: a list reads the key rows once", () => {
  it("keys.list: one read serves the views, the rotation flags and the budgets", async () => {
    const all = await app.keys.list();
    expect(keyReads).toBe(1);
    keyReads = 0;
    const team = await app.keys.list({ profile: "team" });
    expect(keyReads).toBe(1);
    expect(team.map((k) => k.name)).toEqual(["t"]);
    expect(all.map((k) => `${k.profile}/${k.name}/${k.status}`).sort()).toEqual(
      ["default/a/active", "default/b/active", "default/b/rotated", "team/t/active"].sort(),
    );
  });

  it("keys.listWithProfiles: one read, the same keys as keys.list and the same profiles as profiles.list", async () => {
    const both = await app.keys.listWithProfiles();
    expect(keyReads).toBe(1);
    expect(both.keys).toEqual(await app.keys.list());
    expect(both.profiles).toEqual(await app.profiles.list());
  });

  it("profiles.list: each profile's active key and live keys (rotated ones not counted), as status shows them", async () => {
    const profiles = await app.profiles.list();
    expect(keyReads).toBe(1);
    expect(profiles).toEqual([
      { name: "default", activeKey: "a", keyCount: 2 },
      { name: "empty", activeKey: null, keyCount: 0 },
      { name: "team", activeKey: "t", keyCount: 1 },
    ]);
    expect((await app.status()).profiles).toEqual(profiles);
  });
});
