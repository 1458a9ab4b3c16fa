import type { UsageEvent } from "@apikey/core";
import { lastUsedMemory, recordEventsMany, toEvent, type UsageInput } from "@apikey/core";
import type { Store } from "@apikey/core/store";

// Group commit for usage events. The store runs one transaction at a time, so a transaction per response caps
// the gateway at a few thousand responses a second; instead, events that arrive while a commit is running are
// committed together in the next one (the bulk path: one transaction). An idle gateway still commits each
// event at once, so no latency is added; a busy one amortises the transaction over many responses. Each caller
// is told only after its own event is committed, which keeps "released to the client ⇒ durable".

export interface UsageRecorder {
  /** Resolves with the stored event once committed; null if the commit failed (reported through `onError`). */
  record(input: UsageInput): Promise<Omit<UsageEvent, "id"> | null>;
  /** Resolves when nothing is waiting or being written. */
  idle(): Promise<void>;
  /** At the gateway's stop: idle, then whatever the recorder leaves behind is cleared. */
  close(): Promise<void>;
}

export function usageRecorder(store: Store, now: () => Date, onError: (err: unknown) => void): UsageRecorder {
  type Event = Omit<UsageEvent, "id">;
  let waiting: Array<{ event: Event; done: (ok: boolean) => void }> = [];
  let draining: Promise<void> | null = null;
  // Last-used times move at most once a minute per key and token (see recordEventsMany).
  const touched = lastUsedMemory();

  async function drain(): Promise<void> {
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      let ok = true;
      try {
        await recordEventsMany(
          store,
          batch.map((b) => b.event),
          touched,
        );
      } catch (err) {
        ok = false;
        onError(err);
      }
      for (const b of batch) b.done(ok);
    }
  }

  return {
    record(input) {
      const at = input.at ?? now();
      const event = toEvent(input, at);
      return new Promise((resolve) => {
        waiting.push({ event, done: (ok) => resolve(ok ? event : null) });
        // Wait one turn of the event loop before committing: the store's driver is synchronous, so without the
        // pause no other response could ever join the batch, and every event would pay for its own commit.
        draining ??= new Promise<void>((r) => setImmediate(r)).then(drain).finally(() => {
          draining = null;
        });
      });
    },
    async idle() {
      while (draining) await draining;
    },
    async close() {
      await this.idle();
    },
  };
}
