// The daily rollup's rule, shared by every dialect's writes and by the reads that choose it.
import type { UsageEvent, UsageWindow } from "@apikey/core/store";
import type { Tables } from "../dialect.ts";

export const DAY_MS = 86_400_000;

/** The UTC day number of an instant, as usage_daily.day stores it. */
const dayNumber = (at: Date): number => Math.floor(at.getTime() / DAY_MS);

/** A day number as the reports name it, e.g. "2026-03-01". */
export function dayOf(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The window as day numbers when it is made of whole UTC days (every report and budget window is: see
 * core's window.ts), so the rollup answers it exactly; null when it starts or ends inside a day.
 */
export function wholeDays(w: UsageWindow): { since: number; until?: number } | null {
  const since = w.since.getTime();
  if (since % DAY_MS !== 0) return null;
  if (w.until === undefined) return { since: since / DAY_MS };
  const until = w.until.getTime();
  if (until % DAY_MS !== 0) return null;
  return { since: since / DAY_MS, until: until / DAY_MS };
}

export type DailyRow = Tables["usageDaily"]["$inferInsert"];

/** A batch of events summed per (day, key, model): one upsert per group instead of one per event. */
export function rollUp(events: ReadonlyArray<Omit<UsageEvent, "id">>): DailyRow[] {
  // Nested maps, not a joined string key: building a string per event costs several times the rest of the loop.
  const byKey = new Map<string, Map<string, Map<number, DailyRow>>>();
  const rows: DailyRow[] = [];
  for (const e of events) {
    const day = dayNumber(e.at);
    let byModel = byKey.get(e.keyId);
    if (!byModel) {
      byModel = new Map();
      byKey.set(e.keyId, byModel);
    }
    let byDay = byModel.get(e.model);
    if (!byDay) {
      byDay = new Map();
      byModel.set(e.model, byDay);
    }
    let g = byDay.get(day);
    if (!g) {
      g = {
        day,
        keyId: e.keyId,
        model: e.model,
        requests: 0,
        inputTokens: 0,
        outputTokens: 0,
        cacheCreationTokens: 0,
        cacheReadTokens: 0,
        costUsd: 0,
        unpricedRequests: 0,
      };
      byDay.set(day, g);
      rows.push(g);
    }
    g.requests += 1;
    g.inputTokens += e.inputTokens;
    g.outputTokens += e.outputTokens;
    g.cacheCreationTokens += e.cacheCreationTokens;
    g.cacheReadTokens += e.cacheReadTokens;
    if (e.costUsd === null) g.unpricedRequests += 1;
    else g.costUsd += e.costUsd;
  }
  return rows;
}
