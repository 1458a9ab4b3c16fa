// Vendored from packages/core/src/usage/report.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { Store } from "../store.ts";
import { COUNTER_KEYS } from "./counts.ts";
import type { KeySpend, UsageGroupBy, UsageSummaryRow } from "./port.ts";
import { monthWindow, type ReportWindow, utcDay, windowSince } from "./window.ts";

/** A window from a date, or `lastDays: N` (whole UTC days back, today included: the window every front offers). */
export type UsageReportOptions = ReportWindow & {
  keyId?: string;
  by: UsageGroupBy;
};

export interface UsageReport {
  since: Date;
  until: Date | null;
  by: UsageGroupBy;
  rows: UsageSummaryRow[];
  totals: Omit<UsageSummaryRow, "group">;
  /** Spend per UTC day over the window, every day present (zeros included), for the chart. */
  daily: Array<{ day: string; costUsd: number }>;
}

const DAY_MS = 86_400_000;
const MAX_CHART_DAYS = 366;

/** What a report row sums: the request count, the usage counters, the cost and the unpriced requests. */
export const SUMMED_FIELDS = ["requests", ...COUNTER_KEYS, "costUsd", "unpricedRequests"] as const;

/** Every summed field of the rows added up: a report's totals, or a front's over the rows a person may see. */
export function totalsOf(rows: readonly Omit<UsageSummaryRow, "group">[]): UsageReport["totals"] {
  const t = Object.fromEntries(SUMMED_FIELDS.map((f) => [f, 0])) as UsageReport["totals"];
  for (const r of rows) for (const f of SUMMED_FIELDS) t[f] += r[f];
  return t;
}

/** Fills the days without events, so the chart's time axis has no holes. Pure. */
export function fillDays(
  byDay: UsageSummaryRow[],
  since: Date,
  until: Date,
): Array<{ day: string; costUsd: number }> {
  const cost = new Map(byDay.map((r) => [r.group, r.costUsd]));
  const first = Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate());
  const last = until.getTime() - 1;
  const start = Math.max(first, last - (MAX_CHART_DAYS - 1) * DAY_MS);
  const out: Array<{ day: string; costUsd: number }> = [];
  for (let t = start; t <= last; t += DAY_MS) {
    const day = utcDay(new Date(t));
    out.push({ day, costUsd: cost.get(day) ?? 0 });
  }
  return out;
}

/** A report over a window. Aggregation happens in the database; at most two grouped queries. */
export async function usageReport(
  store: Store,
  options: UsageReportOptions,
  now = new Date(),
): Promise<UsageReport> {
  const since = windowSince(options, now);
  const window = { since, until: options.until, keyId: options.keyId };
  const rows = await store.usage.summarise({ ...window, by: options.by });
  const byDay = options.by === "day" ? rows : await store.usage.summarise({ ...window, by: "day" });
  return {
    since,
    until: options.until ?? null,
    by: options.by,
    rows,
    totals: totalsOf(rows),
    daily: fillDays(byDay, since, options.until ?? now),
  };
}

export type KeyMonthSpend = KeySpend;

/** Month-to-date (UTC) spend of every key that has any, by key id. */
export async function monthToDate(store: Store, now: Date): Promise<Map<string, KeySpend>> {
  const spend = await store.usage.spendByKey(monthWindow(now));
  return new Map(spend.map((s) => [s.keyId, s]));
}
