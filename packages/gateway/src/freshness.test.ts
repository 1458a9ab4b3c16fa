import type { Store } from "@apikey/core/testing";
import { describe, expect, it } from "vitest";
import { freshness } from "./freshness.ts";

// A store whose data_version the test moves, as another process's commit would.
function versioned() {
  const state = { version: 1, asked: 0 };
  const store = {
    dataVersion: async () => {
      state.asked++;
      return state.version;
    },
  } as unknown as Store;
  return { state, store };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("freshness", () => {
  it("asks the store once per turn of the event loop, however many requests that turn reads", async () => {
    const { state, store } = versioned();
    let stale = 0;
    const fresh = freshness(store, 60_000, () => stale++);
    await Promise.all([fresh.check(), fresh.check(), fresh.check()]);
    expect(state.asked).toBe(1);
    expect(stale).toBe(1); // the first check ever fills the caches
    await nextTurn();
    await fresh.check();
    expect(state.asked).toBe(2);
    expect(stale).toBe(1);
  });

  it("drops the caches on the first check after another process commits", async () => {
    const { state, store } = versioned();
    let stale = 0;
    const fresh = freshness(store, 60_000, () => stale++);
    await fresh.check();
    await nextTurn();
    state.version++; // a revocation committed elsewhere
    await fresh.check();
    expect(stale).toBe(2);
    await nextTurn();
    await fresh.check();
    expect(stale).toBe(2);
  });

  it("drops the caches every time when the store cannot say its version", async () => {
    let stale = 0;
    const store = { dataVersion: () => Promise.reject(new Error("locked")) } as unknown as Store;
    const fresh = freshness(store, 60_000, () => stale++);
    await fresh.check();
    await nextTurn();
    await fresh.check();
    expect(stale).toBe(2);
  });
});
