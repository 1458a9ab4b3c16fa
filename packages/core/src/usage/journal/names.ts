import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";

// Where gateways journal their usage (the gateway's usage-journal.ts writes, fold.ts folds), and which journals a
// process may fold: the one rule every reader applies, the gateway's start and `apikey usage` alike. Import-light
// on purpose: every read of usage or budgets asks it first, and when nothing is left to fold it costs one readdir.
//
// A journal's id is `<pid>-<uuid>`; its files, in the order a journal lives through them:
//   <id>.jsonl                    being written by its gateway (or left by one that died)
//   <id>.jsonl.folding-<folder>   claimed by rename by the process folding it (only one rename can win)
//   <id>.jsonl.folded             every event is in the store: what is left is deleting the journal's settings row

const CLAIM = ".folding-";
const FOLDED = ".folded";

/** The journals of a data directory's gateways. */
export const journalDirIn = (dataDir: string): string => join(dataDir, "gateway-journal");
export const journalFile = (dir: string, journalId: string): string => join(dir, `${journalId}.jsonl`);
export const claimFile = (dir: string, journalId: string, folder: string): string =>
  `${journalFile(dir, journalId)}${CLAIM}${folder}`;
export const foldedFile = (dir: string, journalId: string): string =>
  `${journalFile(dir, journalId)}${FOLDED}`;

/** The settings row holding the last sequence number folded from a journal (committed with the events). */
export const journalSetting = (journalId: string): string => `usage-journal:${journalId}`;

/** Journal ids and folders of this process that are still at work (another process checks their pid instead). */
const runningHere = new Set<string>();

/** A new id for a journal or a folder, alive until `endJournalId`. */
export function newJournalId(): string {
  const id = `${process.pid}-${randomUUID()}`;
  runningHere.add(id);
  return id;
}

export function endJournalId(id: string): void {
  runningHere.delete(id);
}

export type JournalState =
  | { journalId: string; state: "open" }
  | { journalId: string; state: "claimed"; folder: string }
  | { journalId: string; state: "folded" };

export function journalState(name: string): JournalState | null {
  const m = /^(.+?)\.jsonl(?:(\.folded)|\.folding-(.+))?$/.exec(name);
  if (!m) return null;
  const journalId = m[1] as string;
  if (m[2]) return { journalId, state: "folded" };
  if (m[3]) return { journalId, state: "claimed", folder: m[3] };
  return { journalId, state: "open" };
}

/**
 * The files in `dir` some process must finish: journals whose gateway died, claims whose folder died, and folded
 * journals whose row is still to delete. One readdir; none when the directory is missing.
 */
export function journalsToFold(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return names.filter((name) => {
    const s = journalState(name);
    if (s === null) return false;
    if (s.state === "folded") return true;
    return !alive(s.state === "claimed" ? s.folder : s.journalId);
  });
}

/** Whether the process behind `<pid>-<uuid>` still runs (a reused pid makes a dead journal wait for that process). */
function alive(id: string): boolean {
  const pid = Number(id.split("-")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  // This process: only what it still runs (a restarted container reuses its pid for a new gateway).
  if (pid === process.pid) return runningHere.has(id);
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
