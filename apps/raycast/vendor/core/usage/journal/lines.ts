// Vendored from packages/core/src/usage/journal/lines.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { UsageEvent } from "../port.ts";

// One journal line per usage event: its sequence number in the journal, the event, its time in milliseconds. No
// secret is in an event (ids, model, counts, cost).

export type JournalEvent = Omit<UsageEvent, "id">;
export interface JournalEntry {
  seq: number;
  event: JournalEvent;
  line: string;
}

export const journalLine = (seq: number, e: JournalEvent): string =>
  `${JSON.stringify({ seq, ...e, at: e.at.getTime() })}\n`;

/** The entry a line holds, or null for a line a kill cut short. */
export function readJournalLine(line: string): JournalEntry | null {
  try {
    const { seq, at, ...rest } = JSON.parse(line);
    if (!Number.isInteger(seq) || !Number.isFinite(at)) return null;
    return { seq, event: { ...rest, at: new Date(at) } as JournalEvent, line: `${line}\n` };
  } catch {
    return null;
  }
}
