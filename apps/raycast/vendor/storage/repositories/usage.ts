// Vendored from packages/storage/src/repositories/usage.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import {
  COUNTER_KEYS,
  type CounterKey,
  type UsageGroupBy,
  type UsageRepository,
  type UsageSummaryRow,
  type UsageWindow,
} from "../../core/store.ts";
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, type SQL, sql } from "drizzle-orm";
import type { Dialect, Tables } from "../dialect.ts";
import { usageFromRow } from "../rows.ts";
import { dayOf, HOUR_MS, wholeDays } from "./usage-rollup.ts";

type GroupedRow = Omit<UsageSummaryRow, "group"> & { group: number | string };
type Days = { since: number; until?: number };
type Summary = UsageWindow & { by: UsageGroupBy };

const count = (expression: SQL): SQL<number> => sql<number>`${expression}`.mapWith(Number);

/** One SQL sum per token counter (core's one list), named as the reports name them. */
const counterSums = (sum: Dialect["sum"], table: Tables["usageEvents"] | Tables["usageDaily"]) =>
  Object.fromEntries(COUNTER_KEYS.map((k) => [k, sum(table[k])])) as Record<CounterKey, SQL<number>>;

/** The report's totals over the events. */
function eventTotals({ sum, tables: { usageEvents: t } }: Dialect) {
  return {
    requests: count(sql`count(*)`),
    ...counterSums(sum, t),
    costUsd: sum(t.costUsd),
    unpricedRequests: count(sql`count(*) - count(${t.costUsd})`),
  };
}

/** The same totals from the rollup: sums of its per-day sums. */
function dailyTotals({ sum, tables: { usageDaily: d } }: Dialect) {
  return {
    requests: sum(d.requests),
    ...counterSums(sum, d),
    costUsd: sum(d.costUsd),
    unpricedRequests: sum(d.unpricedRequests),
  };
}

function windowConditions(t: Tables["usageEvents"], w: UsageWindow): SQL | undefined {
  const conditions: SQL[] = [gte(t.at, w.since)];
  if (w.until !== undefined) conditions.push(lt(t.at, w.until));
  if (w.keyId !== undefined) conditions.push(eq(t.keyId, w.keyId));
  if (w.tokenId !== undefined) conditions.push(eq(t.tokenId, w.tokenId));
  return and(...conditions);
}

function dailyConditions(d: Tables["usageDaily"], w: UsageWindow, days: Days): SQL | undefined {
  const conditions: SQL[] = [gte(d.day, days.since)];
  if (days.until !== undefined) conditions.push(lt(d.day, days.until));
  if (w.keyId !== undefined) conditions.push(eq(d.keyId, w.keyId));
  return and(...conditions);
}

type Totals = ReturnType<typeof eventTotals>;

/** Whole UTC days: sums of the rollup's per-day sums, a few hundred rows for a month instead of every event. */
function summariseDaily(dialect: Dialect, daily: Totals, query: Summary, days: Days): Promise<GroupedRow[]> {
  const d = dialect.tables.usageDaily;
  const group = query.by === "day" ? d.day : query.by === "model" ? d.model : d.keyId;
  return dialect.db
    .select({ group, ...daily })
    .from(d)
    .where(dailyConditions(d, query, days))
    .groupBy(group)
    .orderBy(query.by === "day" ? asc(group) : dialect.byteOrder(group));
}

/** Any other window: the events themselves, grouped by UTC day number, model, token or key. */
function summariseEvents(dialect: Dialect, totals: Totals, query: Summary): Promise<GroupedRow[]> {
  const t = dialect.tables.usageEvents;
  const group =
    query.by === "day"
      ? dialect.utcDay(t.at)
      : query.by === "model"
        ? sql<string>`${t.model}`
        : query.by === "token"
          ? sql<string>`coalesce(${t.tokenId}, '')`
          : sql<string>`${t.keyId}`;
  return dialect.db
    .select({ group, ...totals })
    .from(t)
    .where(windowConditions(t, query))
    .groupBy(group)
    .orderBy(query.by === "day" ? asc(group) : dialect.byteOrder(group));
}

/** Usage reads over the events or, for whole UTC days, their daily rollup; writes are the dialect's own. */
export function usageRepository(dialect: Dialect): UsageRepository {
  const { db, byteOrder } = dialect;
  const { usageEvents: t, usageDaily: d } = dialect.tables;
  const totals = eventTotals(dialect);
  const daily = dailyTotals(dialect);
  const spend = (of: Totals) => ({
    requests: of.requests,
    costUsd: of.costUsd,
    unpricedRequests: of.unpricedRequests,
  });

  return {
    record: (event) => dialect.usage.record(event),
    async recordMany(events) {
      if (events.length > 0) await dialect.usage.recordMany(events);
    },
    async list(filter = {}) {
      const conditions: SQL[] = [];
      if (filter.keyId !== undefined) conditions.push(eq(t.keyId, filter.keyId));
      if (filter.since !== undefined) conditions.push(gte(t.at, filter.since));
      const query = db
        .select()
        .from(t)
        .where(and(...conditions))
        .orderBy(desc(t.at), desc(t.id));
      const rows = await (filter.limit === undefined ? query : query.limit(filter.limit));
      return rows.map(usageFromRow);
    },
    async summarise(query) {
      // The rollup has no token column: per-token figures (and any token filter) come from the events.
      const days = query.by === "token" || query.tokenId !== undefined ? null : wholeDays(query);
      const rows = days
        ? await summariseDaily(dialect, daily, query, days)
        : await summariseEvents(dialect, totals, query);
      return rows.map(
        (r): UsageSummaryRow => ({
          ...r,
          group: query.by === "day" ? dayOf(Number(r.group)) : String(r.group),
        }),
      );
    },
    async spendByToken(query) {
      const rows = await db
        .select({ tokenId: t.tokenId, ...spend(totals) })
        .from(t)
        .where(and(windowConditions(t, query), isNotNull(t.tokenId)))
        .groupBy(t.tokenId)
        .orderBy(byteOrder(t.tokenId));
      return rows.map((r) => ({ ...r, tokenId: r.tokenId ?? "" }));
    },
    hoursWithUsage: (query) => hoursWithUsage(dialect, query),
    async spendByKey(query) {
      const days = query.tokenId !== undefined ? null : wholeDays(query);
      if (days) {
        return db
          .select({ keyId: d.keyId, ...spend(daily) })
          .from(d)
          .where(dailyConditions(d, query, days))
          .groupBy(d.keyId)
          .orderBy(byteOrder(d.keyId));
      }
      return db
        .select({ keyId: t.keyId, ...spend(totals) })
        .from(t)
        .where(windowConditions(t, query))
        .groupBy(t.keyId)
        .orderBy(byteOrder(t.keyId));
    },
  };
}

/** The UTC hours in which each of the keys recorded usage (issue 24: reported usage in other hours is a finding). */
async function hoursWithUsage(
  dialect: Dialect,
  query: Parameters<UsageRepository["hoursWithUsage"]>[0],
): ReturnType<UsageRepository["hoursWithUsage"]> {
  if (query.keyIds.length === 0) return [];
  const { db, byteOrder } = dialect;
  const t = dialect.tables.usageEvents;
  const hour = dialect.utcHour(t.at);
  const conditions: SQL[] = [gte(t.at, query.since), inArray(t.keyId, [...query.keyIds])];
  if (query.until !== undefined) conditions.push(lt(t.at, query.until));
  const rows = await db
    .select({
      keyId: t.keyId,
      hour,
      first: sql<Date>`min(${t.at})`.mapWith(t.at),
      last: sql<Date>`max(${t.at})`.mapWith(t.at),
    })
    .from(t)
    .where(and(...conditions))
    .groupBy(t.keyId, hour)
    .orderBy(byteOrder(t.keyId), hour);
  return rows.map((r) => ({ ...r, hour: new Date(Number(r.hour) * HOUR_MS) }));
}
