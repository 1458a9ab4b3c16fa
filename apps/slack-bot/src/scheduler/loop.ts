import type { Logger } from "@slack/bolt";

// The reminder loop: one pass now and then, never two at once. The clock and the timer are injected so tests step
// time by hand; what a pass does (and how it avoids posting twice) is in reminders.ts.

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface LoopOptions {
  pass: (now: Date) => Promise<void>;
  clock?: Clock;
  intervalMs?: number;
  logger: Logger;
}

export interface Loop {
  /** Runs one pass now (waits for a running one first). Tests drive the loop with this. */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export function startLoop(options: LoopOptions, autoStart = true): Loop {
  const clock = options.clock ?? systemClock;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const runNow = () => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        await options.pass(clock.now());
      } catch (err) {
        // A failed pass is retried by the next one; say what failed by code only.
        const e = err as { name?: string; code?: unknown };
        options.logger.warn(
          `reminder pass failed: ${typeof e.code === "string" ? e.code : (e.name ?? "error")}`,
        );
      }
    });
    return running;
  };
  const timer = autoStart ? setInterval(runNow, options.intervalMs ?? 60_000) : undefined;
  timer?.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
