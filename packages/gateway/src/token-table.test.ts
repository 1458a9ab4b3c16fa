import type { Store } from "@apikey/core/testing";
import { type GatewayTokenRecord, tokenHasher } from "@apikey/core/testing";
import { describe, expect, it } from "vitest";
import { tokenTable } from "./token-table.ts";

// The in-memory token table over a stand-in store whose reads the test releases one at a time, to pin down the
// interleavings a busy gateway meets: a revocation committed while a read of the old rows is still in flight.

const hash = tokenHasher(Buffer.alloc(32, 3));
const TOKEN = "apk-gw-TEST_TOKEN_TABLE_0123456789abcdefghijklmno";
const row = (revoked: boolean): GatewayTokenRecord => ({
  id: "t1",
  name: "alice",
  profile: null,
  hash: hash(TOKEN),
  monthlyBudgetUsd: null,
  budgetMode: "warn",
  models: null,
  expiresAt: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  lastUsedAt: null,
  revokedAt: revoked ? new Date(1) : null,
});

function gatedStore() {
  const reads: Array<(rows: GatewayTokenRecord[]) => void> = [];
  const store = {
    tokens: { list: () => new Promise<GatewayTokenRecord[]>((resolve) => reads.push(resolve)) },
  } as unknown as Store;
  return {
    store,
    release: (rows: GatewayTokenRecord[]) => reads.shift()?.(rows),
    releaseNewest: (rows: GatewayTokenRecord[]) => reads.pop()?.(rows),
    pending: () => reads.length,
  };
}

describe("token table", () => {
  it("answers from memory until invalidated, then from a fresh read", async () => {
    const { store, release } = gatedStore();
    const table = tokenTable(store, hash);
    const first = table.find(TOKEN);
    release([row(false)]);
    expect((await first)?.revoked).toBe(false);
    expect((await table.find(TOKEN))?.revoked).toBe(false);
    table.invalidate();
    const after = table.find(TOKEN);
    release([row(true)]);
    expect((await after)?.revoked).toBe(true);
  });

  it("never remembers what a read that started before an invalidation returned", async () => {
    const { store, release, releaseNewest, pending } = gatedStore();
    const table = tokenTable(store, hash);
    const early = table.find(TOKEN); // reads the rows as they were
    table.invalidate(); // another process revoked the token meanwhile
    const late = table.find(TOKEN);
    expect(pending()).toBe(2);
    // The fresh read finishes first, the old one last: the old answer must not be what is remembered.
    releaseNewest([row(true)]);
    expect((await late)?.revoked).toBe(true);
    release([row(false)]);
    expect((await early)?.revoked).toBe(false);
    // Every later request sees the revocation, none the stale row.
    expect((await table.find(TOKEN))?.revoked).toBe(true);
  });

  it("returns null for an unknown token and reloads for it at most once a second", async () => {
    const { store, release, pending } = gatedStore();
    const table = tokenTable(store, hash);
    const miss = table.find("apk-gw-unknown");
    release([row(false)]);
    await Promise.resolve();
    await Promise.resolve();
    release([row(false)]); // the reload a miss triggers
    expect(await miss).toBeNull();
    expect(await table.find("apk-gw-unknown")).toBeNull();
    expect(pending()).toBe(0);
  });
});
