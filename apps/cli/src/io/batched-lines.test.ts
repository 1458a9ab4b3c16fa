import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { batchedLines } from "./batched-lines.ts";

describe("batchedLines", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("writes the lines of a burst together, once the delay has passed", () => {
    const writes: string[] = [];
    const { log } = batchedLines((t) => writes.push(t), { maxDelayMs: 100 });
    log("one");
    log("two");
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(99);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(writes).toEqual(["one\ntwo\n"]);
    log("three");
    vi.advanceTimersByTime(100);
    expect(writes).toEqual(["one\ntwo\n", "three\n"]);
  });

  it("writes at once when enough has gathered, and flush() writes the rest", () => {
    const writes: string[] = [];
    const { log, flush } = batchedLines((t) => writes.push(t), { maxDelayMs: 100, maxBytes: 10 });
    log("12345");
    log("67890");
    expect(writes).toEqual(["12345\n67890\n"]);
    log("tail");
    flush();
    expect(writes).toEqual(["12345\n67890\n", "tail\n"]);
    // Nothing is left for the timer to write, and an empty flush writes nothing.
    vi.advanceTimersByTime(1000);
    flush();
    expect(writes).toHaveLength(2);
  });
});
