// The daily rollup's rule, shared by every dialect's writes and by the reads that choose it.
import { COUNTER_KEYS, type CounterKey, type UsageEvent, type UsageWindow } from "@apikey/core/store";
import { type AnyColumn, getTableName, type SQL, sql } from "drizzle-orm";
import type { Tables } from "../dialect.ts";

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

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
type Event = Omit<UsageEvent, "id">;
type Figure = Exclude<keyof DailyRow, "day" | "keyId" | "model">;
/** The usage_events columns the figures are computed from. */
type EventColumn = CounterKey | "costUsd";

/**
 * The roll-up rule, once: each usage_daily figure of a (UTC day, key, model) group, as what one event adds to it and
 * as the same aggregate in SQL over usage_events. The token counters come from core's one list (COUNTER_KEYS).
 * rollUp applies it in code; rebuildDailySql in SQL (`store copy`). The 0002 migration's backfill is history and
 * keeps its own text; a test holds it to this rule.
 */
export const DAILY_FIGURES: ReadonlyArray<{
  key: Figure;
  add: (e: Event) => number;
  aggregate: (column: (key: EventColumn) => string) => string;
}> = [
  { key: "requests", add: () => 1, aggregate: () => "count(*)" },
  ...COUNTER_KEYS.map((key) => ({
    key,
    add: (e: Event) => e[key],
    aggregate: (column: (key: EventColumn) => string) => `sum(${column(key)})`,
  })),
  { key: "costUsd", add: (e) => e.costUsd ?? 0, aggregate: (c) => `coalesce(sum(${c("costUsd")}), 0)` },
  {
    key: "unpricedRequests",
    add: (e) => (e.costUsd === null ? 1 : 0),
    aggregate: (c) => `count(*) - count(${c("costUsd")})`,
  },
];

/** A batch of events summed per (day, key, model): one upsert per group instead of one per event. */
export function rollUp(events: ReadonlyArray<Event>): DailyRow[] {
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
      g = { day, keyId: e.keyId, model: e.model } as DailyRow;
      for (const f of DAILY_FIGURES) g[f.key] = 0;
      byDay.set(day, g);
      rows.push(g);
    }
    for (const f of DAILY_FIGURES) g[f.key] += f.add(e);
  }
  return rows;
}

/**
 * The UTC day of an `at` column in SQL, floored like dayNumber (SQLite stores integer milliseconds and its integer
 * division truncates toward zero, so a time before 1970 takes one day less).
 */
const DAY_OF = {
  sqlite: (at: string) => `(${at} / ${DAY_MS} - (${at} < 0 AND ${at} % ${DAY_MS} != 0))`,
  postgres: (at: string) => `floor(extract(epoch from ${at}) * 1000 / ${DAY_MS})::integer`,
};

/** DAY_OF as a Drizzle expression over a column, for builders that run on either dialect's database. */
export function utcDayOf(dialect: keyof typeof DAY_OF): (column: AnyColumn) => SQL<number> {
  return (column) => sql<number>`${sql.raw(DAY_OF[dialect](`"${column.name}"`))}`;
}

/** The whole rollup rebuilt from the events, in SQL: the same rule as rollUp. */
export function rebuildDailySql(
  tables: Pick<Tables, "usageEvents" | "usageDaily">,
  dialect: keyof typeof DAY_OF,
): string {
  const { usageEvents: t, usageDaily: d } = tables;
  const columns = [d.day, d.keyId, d.model, ...DAILY_FIGURES.map((f) => d[f.key])].map((c) => c.name);
  const column = (key: EventColumn) => t[key].name;
  const figures = DAILY_FIGURES.map((f) => f.aggregate(column));
  return (
    `INSERT INTO ${getTableName(d)} (${columns.join(", ")}) ` +
    `SELECT ${DAY_OF[dialect](t.at.name)}, ${t.keyId.name}, ${t.model.name}, ${figures.join(", ")} ` +
    `FROM ${getTableName(t)} GROUP BY 1, 2, 3`
  );
}
