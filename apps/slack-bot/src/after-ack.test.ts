import { describe, expect, it } from "vitest";
import { ackGate, afterAckQueue } from "./after-ack.ts";

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

describe("ackGate: answers wait for the acks still going out", () => {
  it("quiet() resolves at once when no delivery waits, and when the last one leaves", async () => {
    const gate = ackGate();
    await gate.quiet(10_000);
    const leaveA = gate.enter();
    const leaveB = gate.enter();
    let quiet = false;
    const waited = gate.quiet(10_000).then(() => {
      quiet = true;
    });
    leaveA();
    leaveA(); // leaving twice (finish, then close) counts once
    await tick();
    expect(quiet).toBe(false);
    expect(gate.waiting).toBe(1);
    leaveB();
    await waited;
    expect(gate.waiting).toBe(0);
  });

  it("an answer never starves behind a steady stream: it runs after the hold at most", async () => {
    const gate = ackGate();
    gate.enter(); // never leaves
    const started = Date.now();
    await gate.quiet(40);
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
  });

  it("the queue holds each answer until the acks in flight are out, in arrival order", async () => {
    const gate = ackGate();
    const run = afterAckQueue(2, gate);
    const leave = gate.enter();
    const ran: number[] = [];
    const jobs = [1, 2, 3].map((i) => run(async () => ran.push(i)));
    for (let i = 0; i < 5; i++) await tick();
    expect(ran).toEqual([]);
    leave();
    await Promise.all(jobs);
    expect(ran).toEqual([1, 2, 3]);
  });
});
