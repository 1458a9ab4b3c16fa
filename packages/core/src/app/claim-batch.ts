import type { MarkRepository } from "../store.ts";

// "Do this once" claims arrive in bursts: a Slack bot claims every delivery before it acks, so 50 commands at once
// are 50 claims. One write each queues them behind each other on the store (on PostgreSQL, one transaction and a
// round trip each, behind the store's write lock), and the last ack waits for all of them. Here the claims made
// while a write is in flight wait together and go in the next single statement: at most one claim write at a time,
// each covering every name that arrived meanwhile. Each name is still won exactly once (the store decides), and a
// name asked twice in one batch is won by the first asker only.

export type ClaimOnce = (name: string) => Promise<boolean>;

interface Waiter {
  name: string;
  settle: (won: boolean) => void;
  fail: (err: unknown) => void;
}

export function batchedClaims(marks: Pick<MarkRepository, "claimMany">, now: () => Date): ClaimOnce {
  let waiting: Waiter[] = [];
  let inFlight = false;

  const flush = async (): Promise<void> => {
    const batch = waiting;
    waiting = [];
    inFlight = true;
    try {
      const won = await marks.claimMany(
        batch.map((w) => w.name),
        now(),
      );
      for (const waiter of batch) {
        const first = won.delete(waiter.name);
        waiter.settle(first);
      }
    } catch (err) {
      for (const waiter of batch) waiter.fail(err);
    } finally {
      inFlight = false;
      if (waiting.length > 0) void flush();
    }
  };

  return (name) =>
    new Promise<boolean>((settle, fail) => {
      waiting.push({ name, settle, fail });
      // The first claim of a burst goes on the next microtask, so the claims made in the same tick join it; later
      // ones wait for the write in flight and then go together.
      if (!inFlight && waiting.length === 1) {
        queueMicrotask(() => {
          if (!inFlight && waiting.length > 0) void flush();
        });
      }
    });
}
