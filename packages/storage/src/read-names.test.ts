import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "./index.ts";
import { readNames } from "./read-names.ts";
import { fakeKey, T0, tempDir } from "./testing/fixtures.ts";

describe("readNames", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => cleanup());

  it("lists live key names of one profile, profile names and provider names", async () => {
    const path = join(dir, "apikey.db");
    const store = await openStore({ path });
    await store.profiles.create({ name: "default", activeKeyId: null, createdAt: T0 });
    await store.profiles.create({ name: "work", activeKeyId: null, createdAt: T0 });
    await store.keys.insert(fakeKey({ name: "zeta", fingerprint: "f1" }));
    await store.keys.insert(fakeKey({ name: "alpha", fingerprint: "f2" }));
    await store.keys.insert(fakeKey({ name: "old", status: "rotated", fingerprint: "f3" }));
    await store.keys.insert(fakeKey({ name: "elsewhere", profile: "work", fingerprint: "f4" }));
    await store.oauthProviders.put({
      name: "idp",
      issuer: null,
      authorizationEndpoint: "https://idp.example.test/a",
      tokenEndpoint: "https://idp.example.test/t",
      clientId: "c",
      scopes: [],
      keyMintingUrl: null,
      createdAt: T0,
      updatedAt: T0,
    });
    await store.close();

    expect(readNames(path, "keys")).toEqual(["alpha", "zeta"]);
    expect(readNames(path, "keys", "work")).toEqual(["elsewhere"]);
    expect(readNames(path, "profiles")).toEqual(["default", "work"]);
    expect(readNames(path, "providers")).toEqual(["idp"]);
    // Reading left the store as a closed store is: no -wal or -shm beside it.
    expect(readdirSync(dir)).toEqual(["apikey.db"]);
  });

  it("never creates a store", () => {
    const path = join(dir, "none", "apikey.db");
    expect(readNames(path, "profiles")).toEqual([]);
    expect(existsSync(join(dir, "none"))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
