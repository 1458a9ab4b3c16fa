import { randomUUID } from "node:crypto";
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { UsageEvent } from "@apikey/core";
import { lastUsedMemory, recordEventsMany, toEvent, type UsageInput } from "@apikey/core";
import type { Store } from "@apikey/core/store";
import type { UsageRecorder } from "./recorder.ts";

// Usage off the response path: each response's event is appended to a journal file (one line, one write) before
// the bytes that complete it are released, and folded into usage_events a moment later, many events to a
// transaction. A process that dies (SIGKILL included) leaves its journal; the next gateway to start folds it.
// Folding is idempotent: each line carries a sequence number, and the last one folded is committed in the same
// transaction as the events (settings row `usage-journal:<journal id>`), so a fold cut anywhere counts nothing
// twice. Durability is the store's own: the write reaches the OS (it survives the process), like a WAL commit
// at synchronous=NORMAL.

type Event = Omit<UsageEvent, "id">;
interface Entry {
  seq: number;
  event: Event;
  line: string;
}

const FOLD_MS = 50;
const MAX_BATCH = 2000;
/** A journal longer than this is rewritten with only its unfolded lines after a fold. */
const COMPACT_BYTES = 1 << 20;

export interface JournalRecorder extends UsageRecorder {
  /** Cost recorded for a key or token id and not folded into the store yet: what a spend read must add. */
  unfolded(id: string): number;
  /** Folds journals other gateways left (dead processes); returns how many events it folded. */
  recover(): Promise<number>;
}

const settingName = (journalId: string) => `usage-journal:${journalId}`;
const toLine = (seq: number, e: Event) => `${JSON.stringify({ seq, ...e, at: e.at.getTime() })}\n`;

function fromLine(line: string): Entry | null {
  try {
    const { seq, at, ...rest } = JSON.parse(line);
    if (!Number.isInteger(seq) || !Number.isFinite(at)) return null;
    return { seq, event: { ...rest, at: new Date(at) } as Event, line: `${line}\n` };
  } catch {
    // The last line of a process killed mid-write.
    return null;
  }
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
  readonly #id = `${process.pid}-${randomUUID()}`;
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
    this.#file = join(dir, `${this.#id}.jsonl`);
    this.#fd = openSync(this.#file, "a", 0o600);
  }

  record(input: UsageInput): Promise<Event | null> {
    const event = toEvent(input, input.at ?? this.#now());
    const seq = ++this.#seq;
    return new Promise((resolve) => {
      this.#unwritten.push({ entry: { seq, event, line: toLine(seq, event) }, done: resolve });
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

  async recover(): Promise<number> {
    let folded = 0;
    for (const name of readdirSync(this.#dir)) {
      const left = leftOver(name);
      if (left === null || left.journalId === this.#id || alive(left.journalId)) continue;
      // A journal being folded by another live gateway is its business; one whose folder died is taken over.
      if (left.claimedBy !== null && alive(left.claimedBy)) continue;
      // Claimed by rename, which only one process can win: two gateways starting together never fold one journal
      // twice (the folded position is read before the transaction that writes it).
      const claimed = join(this.#dir, `${left.journalId}.jsonl${CLAIM}${this.#id}`);
      try {
        renameSync(join(this.#dir, name), claimed);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue; // Another gateway claimed it first.
        throw err;
      }
      folded += await this.#foldLeftOver(claimed, left.journalId);
    }
    return folded;
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

  /** Commits `batch` and the journal's folded position in one transaction. */
  #commit(journalId: string, batch: Entry[]): Promise<void> {
    return this.#store.transaction(async (tx) => {
      await recordEventsMany(
        tx,
        batch.map((b) => b.event),
        this.#touched,
      );
      await tx.settings.set(settingName(journalId), { folded: batch.at(-1)?.seq ?? 0 }, this.#now());
    });
  }

  async #foldQueue(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, MAX_BATCH);
      try {
        await this.#commit(this.#id, batch);
      } catch (err) {
        this.#onError(err);
        return; // kept in the queue and the journal: the next timer tries again
      }
      this.#queue = this.#queue.slice(batch.length);
      for (const b of batch) this.#adjust(b.event, -1);
    }
    this.#compact();
  }

  /** Keeps the journal short: empty once everything is folded, else rewritten with the unfolded lines. */
  #compact(): void {
    if (fstatSync(this.#fd).size < COMPACT_BYTES) return;
    if (this.#queue.length === 0) {
      ftruncateSync(this.#fd, 0);
      return;
    }
    // Synchronous from here: no append can land between the rewrite and the switch to the new file.
    writeFileSync(`${this.#file}.tmp`, this.#queue.map((e) => e.line).join(""), { mode: 0o600 });
    renameSync(`${this.#file}.tmp`, this.#file);
    closeSync(this.#fd);
    this.#fd = openSync(this.#file, "a", 0o600);
  }

  async #foldLeftOver(path: string, journalId: string): Promise<number> {
    const done = (await this.#store.settings.get(settingName(journalId))) as { folded?: number } | null;
    const entries = readFileSync(path, "utf8")
      .split("\n")
      .map(fromLine)
      .filter((e): e is Entry => e !== null && e.seq > (done?.folded ?? 0));
    for (let i = 0; i < entries.length; i += MAX_BATCH)
      await this.#commit(journalId, entries.slice(i, i + MAX_BATCH));
    unlinkSync(path);
    return entries.length;
  }
}

/** `<journal id>.jsonl`, or `<journal id>.jsonl.folding-<folder's id>` while a gateway folds it; else null. */
function leftOver(name: string): { journalId: string; claimedBy: string | null } | null {
  const m = /^(.+?)\.jsonl(?:\.folding-(.+))?$/.exec(name);
  return m ? { journalId: m[1] as string, claimedBy: m[2] ?? null } : null;
}

const CLAIM = ".folding-";

/** Whether the gateway that writes journal `<pid>-<uuid>` still runs (a restarted container reuses its pid). */
function alive(journalId: string): boolean {
  const pid = Number(journalId.split("-")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
