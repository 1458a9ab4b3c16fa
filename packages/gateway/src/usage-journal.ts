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
import { lastUsedMemory, recordEventsMany, toEvent } from "@apikey/core";
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
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const id = `${process.pid}-${randomUUID()}`;
  const file = join(dir, `${id}.jsonl`);
  let fd = openSync(file, "a", 0o600);
  let seq = 0;
  let queue: Entry[] = [];
  const pending = new Map<string, number>();
  const touched = lastUsedMemory();
  let timer: NodeJS.Timeout | null = null;
  let folding: Promise<void> | null = null;
  let unwritten: Array<{ entry: Entry; done: (event: Event | null) => void }> = [];
  let writing: NodeJS.Immediate | null = null;

  /** Appends what this turn recorded, then releases each response (null: not journaled, reported). */
  function append(): void {
    const batch = unwritten;
    unwritten = [];
    writing = null;
    try {
      writeSync(fd, batch.map((b) => b.entry.line).join(""));
    } catch (err) {
      onError(err);
      for (const b of batch) b.done(null);
      return;
    }
    for (const { entry, done } of batch) {
      queue.push(entry);
      adjust(entry.event, 1);
      done(entry.event);
    }
    schedule();
  }

  const adjust = (e: Event, sign: 1 | -1) => {
    if (e.costUsd === null || e.costUsd <= 0) return;
    for (const k of [e.keyId, e.tokenId]) if (k) pending.set(k, (pending.get(k) ?? 0) + sign * e.costUsd);
  };

  /** Commits `batch` and the journal's folded position in one transaction. */
  const commit = (journalId: string, batch: Entry[]) =>
    store.transaction(async (tx) => {
      await recordEventsMany(
        tx,
        batch.map((b) => b.event),
        touched,
      );
      await tx.settings.set(settingName(journalId), { folded: batch[batch.length - 1]?.seq ?? 0 }, now());
    });

  async function foldQueue(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_BATCH);
      try {
        await commit(id, batch);
      } catch (err) {
        onError(err);
        return; // kept in the queue and the journal: the next timer tries again
      }
      queue = queue.slice(batch.length);
      for (const b of batch) adjust(b.event, -1);
    }
    compact();
  }

  /** Keeps the journal short: empty once everything is folded, else rewritten with the unfolded lines. */
  function compact(): void {
    if (fstatSync(fd).size < COMPACT_BYTES) return;
    if (queue.length === 0) {
      ftruncateSync(fd, 0);
      return;
    }
    // Synchronous from here: no append can land between the rewrite and the switch to the new file.
    writeFileSync(`${file}.tmp`, queue.map((e) => e.line).join(""), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    closeSync(fd);
    fd = openSync(file, "a", 0o600);
  }

  function schedule(): void {
    timer ??= setTimeout(() => {
      timer = null;
      folding ??= foldQueue().finally(() => {
        folding = null;
        if (queue.length > 0) schedule();
      });
    }, FOLD_MS);
  }

  return {
    record(input) {
      const event = toEvent(input, input.at ?? now());
      return new Promise((resolve) => {
        unwritten.push({ entry: { seq: ++seq, event, line: toLine(seq, event) }, done: resolve });
        // One write for every response that completes in this turn of the event loop (a busy gateway pays one
        // system call per turn, not one per response); an idle one waits only for the end of the turn.
        writing ??= setImmediate(append);
      });
    },
    unfolded: (k) => pending.get(k) ?? 0,
    async idle() {
      if (writing) {
        clearImmediate(writing);
        append();
      }
      if (timer) clearTimeout(timer);
      timer = null;
      while (folding) await folding;
      await foldQueue();
      // All folded: nothing for the next start to do (a stopped gateway leaves an empty journal, folded as such).
      if (queue.length === 0) ftruncateSync(fd, 0);
    },
    async recover() {
      let folded = 0;
      for (const name of readdirSync(dir)) {
        const journalId = name.endsWith(".jsonl") ? name.slice(0, -".jsonl".length) : null;
        if (journalId === null || journalId === id || alive(journalId)) continue;
        folded += await foldLeftOver(join(dir, name), journalId);
      }
      return folded;
    },
  };

  async function foldLeftOver(path: string, journalId: string): Promise<number> {
    const done = (await store.settings.get(settingName(journalId))) as { folded?: number } | null;
    const entries = readFileSync(path, "utf8")
      .split("\n")
      .map(fromLine)
      .filter((e): e is Entry => e !== null && e.seq > (done?.folded ?? 0));
    for (let i = 0; i < entries.length; i += MAX_BATCH)
      await commit(journalId, entries.slice(i, i + MAX_BATCH));
    unlinkSync(path);
    return entries.length;
  }
}

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
