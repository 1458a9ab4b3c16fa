import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, writeSync } from "node:fs";
import { lastUsedMemory, toEvent, type UsageInput } from "@apikey/core";
import type { Store } from "@apikey/core/store";
import {
  commitJournal,
  type JournalEntry as Entry,
  type JournalEvent as Event,
  endJournalId,
  foldJournals,
  journalFile,
  journalLine,
  journalsToFold,
  newJournalId,
  retireJournal,
} from "@apikey/core/usage-journal";
import type { UsageRecorder } from "./recorder.ts";

// Usage off the response path: each response's event is appended to a journal file (one line, one write) before
// the bytes that complete it are released, and folded into usage_events a moment later, many events to a
// transaction. A process that dies (SIGKILL included) leaves its journal; the next gateway to start, or the next
// read of usage or budgets, folds it (core's usage/journal: the file names, the claim, the fold, its settings row).
// Durability is the store's own: the write reaches the OS (it survives the process), like a WAL commit at
// synchronous=NORMAL.

const FOLD_MS = 50;
const MAX_BATCH = 2000;
/** A journal longer than this is rewritten with only its unfolded lines after a fold. */
export const COMPACT_BYTES = 1 << 20;

export interface JournalRecorder extends UsageRecorder {
  /** Cost recorded for a key or token id and not folded into the store yet: what a spend read must add. */
  unfolded(id: string): number;
  /** Folds journals other gateways left (dead processes); returns how many events it folded. */
  recover(): Promise<number>;
}

export function journalRecorder(
  store: Store,
  dir: string,
  now: () => Date,
  onError: (err: unknown) => void,
): JournalRecorder {
  return new UsageJournal(store, dir, now, onError);
}

class UsageJournal implements JournalRecorder {
  readonly #store: Store;
  readonly #dir: string;
  readonly #now: () => Date;
  readonly #onError: (err: unknown) => void;
  readonly #id = newJournalId();
  readonly #file: string;
  #fd: number;
  #seq = 0;
  /** Journaled, not folded yet. */
  #queue: Entry[] = [];
  /** Recorded this turn, not journaled yet. */
  #unwritten: Array<{ entry: Entry; done: (event: Event | null) => void }> = [];
  readonly #pending = new Map<string, number>();
  readonly #touched = lastUsedMemory();
  #writing: NodeJS.Immediate | null = null;
  #timer: NodeJS.Timeout | null = null;
  #folding: Promise<void> | null = null;

  constructor(store: Store, dir: string, now: () => Date, onError: (err: unknown) => void) {
    this.#store = store;
    this.#dir = dir;
    this.#now = now;
    this.#onError = onError;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.#file = journalFile(dir, this.#id);
    this.#fd = openSync(this.#file, "a", 0o600);
  }

  record(input: UsageInput): Promise<Event | null> {
    const event = toEvent(input, input.at ?? this.#now());
    const seq = ++this.#seq;
    return new Promise((resolve) => {
      this.#unwritten.push({ entry: { seq, event, line: journalLine(seq, event) }, done: resolve });
      // One write for every response that completes in this turn of the event loop (a busy gateway pays one
      // system call per turn, not one per response); an idle one waits only for the end of the turn.
      this.#writing ??= setImmediate(() => this.#append());
    });
  }

  unfolded(id: string): number {
    return this.#pending.get(id) ?? 0;
  }

  async idle(): Promise<void> {
    if (this.#writing) {
      clearImmediate(this.#writing);
      this.#append();
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    while (this.#folding) await this.#folding;
    await this.#foldQueue();
    // All folded: nothing for the next start to do (a stopped gateway leaves an empty journal, folded as such).
    if (this.#queue.length === 0) ftruncateSync(this.#fd, 0);
  }

  recover(): Promise<number> {
    return foldJournals(this.#store, this.#dir, journalsToFold(this.#dir), {
      now: this.#now,
      touched: this.#touched,
    });
  }

  async close(): Promise<void> {
    await this.idle();
    try {
      // Something could not be folded (the store refused it): the journal stays for the next start to fold.
      if (this.#queue.length > 0) return;
      closeSync(this.#fd);
      // Its own journal retired the way a dead one's is: no file and no settings row outlive a stopped gateway.
      await retireJournal(this.#store, this.#dir, this.#id, this.#file);
    } finally {
      endJournalId(this.#id);
    }
  }

  /** Appends what this turn recorded, then releases each response (null: not journaled, reported). */
  #append(): void {
    const batch = this.#unwritten;
    this.#unwritten = [];
    this.#writing = null;
    try {
      writeSync(this.#fd, batch.map((b) => b.entry.line).join(""));
    } catch (err) {
      this.#onError(err);
      for (const b of batch) b.done(null);
      return;
    }
    for (const { entry, done } of batch) {
      this.#queue.push(entry);
      this.#adjust(entry.event, 1);
      done(entry.event);
    }
    this.#schedule();
  }

  #adjust(e: Event, sign: 1 | -1): void {
    if (e.costUsd === null || e.costUsd <= 0) return;
    for (const k of [e.keyId, e.tokenId])
      if (k) this.#pending.set(k, (this.#pending.get(k) ?? 0) + sign * e.costUsd);
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      this.#folding ??= this.#foldQueue().finally(() => {
        this.#folding = null;
        if (this.#queue.length > 0) this.#schedule();
      });
    }, FOLD_MS);
  }

  async #foldQueue(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, MAX_BATCH);
      try {
        await commitJournal(this.#store, this.#id, batch, this.#now(), this.#touched);
      } catch (err) {
        this.#onError(err);
        return; // kept in the queue and the journal: the next timer tries again
      }
      this.#queue = this.#queue.slice(batch.length);
      for (const b of batch) this.#adjust(b.event, -1);
    }
    this.#compact();
  }

  /**
   * Keeps the journal short: emptied once it passes COMPACT_BYTES, called only when every line in it is folded (the
   * fold loop ends with an empty queue; events recorded meanwhile wait in #unwritten and are appended after).
   */
  #compact(): void {
    if (this.#queue.length === 0 && fstatSync(this.#fd).size >= COMPACT_BYTES) ftruncateSync(this.#fd, 0);
  }
}
