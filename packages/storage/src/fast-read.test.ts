import { join } from "node:path";
import type { Store } from "@apikey/core/store";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openActiveKey, readActiveKeyRow } from "./fast-read.ts";
import { openStore } from "./index.ts";
import { at, fakeKey, fakeMeta, fakeSlot, T0, tempDir } from "./testing/fixtures.ts";

describe("readActiveKeyRow", () => {
  let dir: string;
  let cleanup: () => void;
  let path: string;
  let store: Store;

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    path = join(dir, "apikey.db");
    store = await openStore({ path });
    await store.profiles.create({ name: "default", activeKeyId: null, createdAt: T0 });
  });
  afterEach(async () => {
    await store.close();
    cleanup();
  });

  async function activeKey() {
    const slot = fakeSlot({
      kind: "passphrase",
      name: "passphrase",
      params: { name: "scrypt", N: 16384, r: 8, p: 1, salt: "dGVzdC1zYWx0" },
    });
    const key = fakeKey({ status: "disabled", kind: "admin" });
    await store.setMeta(fakeMeta());
    await store.slots.insert(slot);
    await store.keys.insert(key);
    await store.profiles.setActiveKey("default", key.id);
    return { key, slot };
  }

  it("returns the active key with the store's master-key slots", async () => {
    const { key, slot } = await activeKey();
    const row = readActiveKeyRow(path, "default");
    expect(row).toEqual({
      keyId: key.id,
      name: "test-key",
      profile: "default",
      status: "disabled",
      kind: "admin",
      seal: 2,
      lastUsedAt: null,
      ciphertext: Buffer.from(key.ciphertext),
      nonce: Buffer.from(key.nonce),
      slots: [
        {
          kind: "passphrase",
          params: JSON.stringify(slot.params),
          wrappedDek: Buffer.from(slot.wrappedDek),
          dekNonce: Buffer.from(slot.dekNonce),
        },
      ],
    });
    expect((await store.keys.byId(key.id))?.lastUsedAt).toBeNull();
  });

  it("sets last_used_at only when the caller marks the key used", async () => {
    const { key } = await activeKey();
    const handle = openActiveKey(path, "default");
    if (handle === null || handle === "stale") throw new Error("expected a handle");
    expect((await store.keys.byId(key.id))?.lastUsedAt).toBeNull();
    handle.markUsed(at(42));
    handle.close();
    expect((await store.keys.byId(key.id))?.lastUsedAt).toEqual(at(42));
    const again = openActiveKey(path, "default");
    if (again === null || again === "stale") throw new Error("expected a handle");
    again.markUsed(at(43).getTime());
    again.close();
    expect((await store.keys.byId(key.id))?.lastUsedAt).toEqual(at(43));
  });

  it("returns null for a missing file, an unknown profile or no active key", async () => {
    expect(readActiveKeyRow(join(dir, "nothing-here.db"), "default")).toBeNull();
    await activeKey();
    expect(readActiveKeyRow(path, "prod")).toBeNull();
    await store.profiles.setActiveKey("default", null);
    expect(readActiveKeyRow(path, "default")).toBeNull();
  });

  it("returns null before the store has a master-key slot", async () => {
    const key = fakeKey();
    await store.keys.insert(key);
    await store.profiles.setActiveKey("default", key.id);
    expect(readActiveKeyRow(path, "default")).toBeNull();
  });

  it('returns "stale" when the schema is not the one this build knows', async () => {
    await activeKey();
    const db = new Database(path);
    db.exec("UPDATE __drizzle_migrations SET created_at = created_at - 1");
    expect(readActiveKeyRow(path, "default")).toBe("stale");
    db.exec("DROP TABLE __drizzle_migrations");
    db.close();
    expect(readActiveKeyRow(path, "default")).toBe("stale");
  });

  it('returns "stale" for a file that is not a store, so the full path can report it', async () => {
    const empty = join(dir, "empty.db");
    new Database(empty).close();
    expect(readActiveKeyRow(empty, "default")).toBe("stale");
  });
});
