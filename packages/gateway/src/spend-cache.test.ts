import { describe, expect, it } from "vitest";
import { spendCache } from "./spend-cache.ts";

describe("issue 20 item 3: the spend cache never loses a cost committed while it re-reads", () => {
  it("adds what was committed during a read to what the read returns", async () => {
    let finish: (usd: number) => void = () => {};
    const reads: number[] = [];
    const cache = spendCache(
      () =>
        new Promise<number>((resolve) => {
          reads.push(1);
          finish = resolve;
        }),
      () => new Date("2026-12-06T00:00:00Z"),
      0, // every call re-reads
    );
    const first = cache.spent("tok");
    finish(1);
    expect(await first).toBe(1);
    // A re-read starts; a cost is committed and added while it is under way; the read returns the old figure.
    const second = cache.spent("tok");
    cache.add("tok", 0.5);
    finish(1);
    expect(await second).toBe(1.5);
    expect(cache.cached("tok")).toBe(1.5);
    expect(reads.length).toBe(2);
  });
});
