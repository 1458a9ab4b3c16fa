import { describe, expect, it } from "vitest";
import { afterAckQueue } from "./after-ack.ts";

// Issue 22 item 11: answers are built a few at a time after their acks, in arrival order, and a failing one frees
// its place.

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("afterAckQueue", () => {
  it("never runs more than its concurrency at once, and starts the waiting ones in arrival order", async () => {
    const run = afterAckQueue(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const release: Array<() => void> = [];
    const jobs = Array.from({ length: 6 }, (_, i) =>
      run(async () => {
        started.push(i);
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => release.push(resolve));
        running--;
        return i;
      }),
    );
    for (let round = 0; round < 6; round++) {
      await tick();
      expect(running).toBeLessThanOrEqual(2);
      release.shift()?.();
    }
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });

  it("a job that throws passes its error on and frees its place", async () => {
    const run = afterAckQueue(1);
    const failed = run(async () => {
      throw new Error("boom");
    });
    const next = run(async () => "ran");
    await expect(failed).rejects.toThrow("boom");
    await expect(next).resolves.toBe("ran");
  });
});
