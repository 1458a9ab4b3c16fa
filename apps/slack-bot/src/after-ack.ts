// The slow part of a command (reading the store, checking rights, answering through response_url) runs after its
// ack, a few at a time: in a burst, every request's path to its own ack (signature, guards, the replay claim) then
// shares the one event loop with at most this many answers being built, not with all of them (issue 22 item 11).
// Over HTTP an answer also waits, briefly, until no delivery is still on its way to its ack (the gate below): acks
// first, answers after — Slack drops a command whose ack is late, but reads an answer any time within 30 minutes.

export type AfterAck = <T>(work: () => Promise<T>) => Promise<T>;

/** Counts the deliveries that arrived and whose HTTP answer (the ack) has not gone out yet. */
export interface AckGate {
  /** A delivery arrived; call the returned function once its response has finished or its connection closed. */
  enter(): () => void;
  /** Resolves when no delivery is waiting for its ack, or after `maxWaitMs` so answers never starve. */
  quiet(maxWaitMs: number): Promise<void>;
  readonly waiting: number;
}

export function ackGate(): AckGate {
  let waiting = 0;
  let sleepers: Array<() => void> = [];
  const wake = () => {
    const woken = sleepers;
    sleepers = [];
    for (const w of woken) w();
  };
  return {
    enter() {
      waiting++;
      let left = false;
      return () => {
        if (left) return;
        left = true;
        waiting--;
        if (waiting === 0) wake();
      };
    },
    quiet(maxWaitMs) {
      if (waiting === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, maxWaitMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        sleepers.push(done);
      });
    },
    get waiting() {
      return waiting;
    },
  };
}

/** How long an answer may be held back by acks still going out, at most: a steady stream must not starve it. */
export const ANSWER_MAX_HOLD_MS = 250;

export function afterAckQueue(concurrency: number, gate?: AckGate): AfterAck {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (work) => {
    // A finished job hands its place straight to the next in line, so no newcomer slips in between.
    if (running < concurrency) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      if (gate) await gate.quiet(ANSWER_MAX_HOLD_MS);
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
