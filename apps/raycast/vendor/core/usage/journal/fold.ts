// Vendored from packages/core/src/usage/journal/fold.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { readFileSync, renameSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "../../store.ts";
import { type LastUsedMemory, recordEventsMany } from "../record.ts";
import { type JournalEntry, readJournalLine } from "./lines.ts";
import { claimFile, endJournalId, foldedFile, journalSetting, journalState, newJournalId } from "./names.ts";

// Folding journals into usage_events, for the gateway that writes one and for every process that finds one a dead
// gateway left (names.ts says which). Idempotent: the last sequence number folded is committed with the events, so
// a fold cut anywhere counts nothing twice. The row goes once the journal is gone, in this order: events and
// position committed → journal renamed `.folded` → row deleted → file removed. Deleting the row in the events'
// transaction would be one step shorter but unsafe: until the journal file is gone the row is the only record of
// what it folded, and a crash before the file's removal would count it all again. A crash at any later step leaves
// a `.folded` file, which the next reader finishes.

const MAX_BATCH = 2000;

/** Commits `batch` and the journal's folded position in one transaction. */
export function commitJournal(
  store: Store,
  journalId: string,
  batch: readonly JournalEntry[],
  at: Date,
  touched?: LastUsedMemory,
): Promise<void> {
  return store.transaction(async (tx) => {
    await recordEventsMany(
      tx,
      batch.map((b) => b.event),
      touched,
    );
    await tx.settings.set(journalSetting(journalId), { folded: batch.at(-1)?.seq ?? 0 }, at);
  });
}

/** A journal whose every event is in the store: marked folded, its row deleted, then the file removed. */
export async function retireJournal(
  store: Store,
  dir: string,
  journalId: string,
  path: string,
): Promise<void> {
  const folded = foldedFile(dir, journalId);
  if (path !== folded) renameSync(path, folded);
  await store.settings.delete(journalSetting(journalId));
  try {
    unlinkSync(folded);
  } catch (err) {
    // Another reader finished the same folded journal first.
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

export interface FoldOptions {
  now: () => Date;
  touched?: LastUsedMemory;
}

/** Folds the files `journalsToFold(dir)` named; returns how many events it added to the store. */
export async function foldJournals(
  store: Store,
  dir: string,
  names: readonly string[],
  options: FoldOptions,
): Promise<number> {
  const folder = newJournalId();
  try {
    let folded = 0;
    for (const name of names) folded += await foldOne(store, dir, name, folder, options);
    return folded;
  } finally {
    endJournalId(folder);
  }
}

async function foldOne(store: Store, dir: string, name: string, folder: string, options: FoldOptions) {
  const s = journalState(name);
  if (s === null) return 0;
  const path = join(dir, name);
  if (s.state === "folded") {
    await retireJournal(store, dir, s.journalId, path);
    return 0;
  }
  // Claimed by rename, which only one process can win: two processes starting together never fold one journal
  // twice (the folded position is read before the transaction that writes it).
  const claimed = claimFile(dir, s.journalId, folder);
  try {
    renameSync(path, claimed);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0; // Another process claimed it first.
    throw err;
  }
  const done = (await store.settings.get(journalSetting(s.journalId))) as { folded?: number } | null;
  const entries = readFileSync(claimed, "utf8")
    .split("\n")
    .map(readJournalLine)
    .filter((e): e is JournalEntry => e !== null && e.seq > (done?.folded ?? 0));
  for (let i = 0; i < entries.length; i += MAX_BATCH)
    await commitJournal(store, s.journalId, entries.slice(i, i + MAX_BATCH), options.now(), options.touched);
  await retireJournal(store, dir, s.journalId, claimed);
  return entries.length;
}
