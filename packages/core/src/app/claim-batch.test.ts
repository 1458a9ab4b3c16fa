import { describe, expect, it } from "vitest";
import { batchedClaims } from "./claim-batch.ts";

// The store's claimMany, as the repositories implement it (one INSERT … ON CONFLICT DO NOTHING RETURNING), over a
// Set; each call is counted and takes a turn of the event loop, as a database round trip does.
function countingMarks() {
  const taken = new Set<string>();
  const calls: string[][] = [];
  let failNext: Error | undefined;
  return {
    taken,
    calls,
    failOnce(err: Error) {
      failNext = err;
    },
    async claimMany(names: readonly string[]) {
      calls.push([...names]);
      await new Promise((r) => setImmediate(r));
      if (failNext) {
        const err = failNext;
        failNext = undefined;
        throw err;
      }
      const won = new Set<string>();
      for (const name of names) {
        if (!taken.has(name)) {
          taken.add(name);
          won.add(name);
        }
      }
      return won;
    },
  };
}

const now = () => new Date(0);

describe("issue 22 item 11: replay claims under a burst go to the store in batches", () => {
  it("50 claims made at once are two writes, not 50, and each name is won exactly once", async () => {
    const marks = countingMarks();
    const claim = batchedClaims(marks, now);
    const names = Array.from({ length: 50 }, (_, i) => `slack:req:${i}`);
    const results = await Promise.all(names.map((n) => claim(n)));
    expect(results.every(Boolean)).toBe(true);
    expect(marks.calls.length).toBeLessThanOrEqual(2);
    expect(marks.calls.flat().sort()).toEqual([...names].sort());
  });

  it("claims that arrive while a write is in flight wait and go together in the next one", async () => {
    const marks = countingMarks();
    const claim = batchedClaims(marks, now);
    const first = claim("a");
    await Promise.resolve();
    await Promise.resolve(); // the first write is now in flight
    const later = ["b", "c", "d"].map((n) => claim(n));
    expect(await first).toBe(true);
    expect(await Promise.all(later)).toEqual([true, true, true]);
    expect(marks.calls).toEqual([["a"], ["b", "c", "d"]]);
  });

  it("a name asked twice in one batch, or again later, is won once (a replayed delivery)", async () => {
    const marks = countingMarks();
    const claim = batchedClaims(marks, now);
    expect(await Promise.all([claim("x"), claim("x"), claim("y")])).toEqual([true, false, true]);
    expect(await claim("x")).toBe(false);
    expect(await Promise.all([claim("y"), claim("z")])).toEqual([false, true]);
  });

  it("a failed write fails every claim in its batch (nothing runs unclaimed) and the next batch goes on", async () => {
    const marks = countingMarks();
    const claim = batchedClaims(marks, now);
    marks.failOnce(new Error("E_STORE_BUSY"));
    const failed = await Promise.allSettled([claim("p"), claim("q")]);
    expect(failed.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(await claim("p")).toBe(true);
  });

  it("a claim on its own is still one write, at once", async () => {
    const marks = countingMarks();
    const claim = batchedClaims(marks, now);
    expect(await claim("solo")).toBe(true);
    expect(marks.calls).toEqual([["solo"]]);
  });
});
