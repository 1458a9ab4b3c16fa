// Usage events and their daily rollup on PostgreSQL. The reading side mirrors ../repositories/usage.ts; the writing
// side is one statement per batch: both INSERTs in one command (data-modifying CTEs), with every column passed as
// one array parameter and expanded by unnest(), so a batch of any size is a single round trip and a fixed number
// of parameters (PostgreSQL caps a statement at 65535).
import type {
  UsageEvent,
  UsageGroupBy,
  UsageRepository,
  UsageSummaryRow,
  UsageWindow,
} from "@apikey/core/usage";
import { and, desc, eq, gte, isNotNull, lt, type SQL, sql } from "drizzle-orm";
import { DAY_MS, dayOf, rollUp, wholeDays } from "../repositories/usage.ts";
import { usageFromRow } from "../rows.ts";
import { binary } from "./repositories.ts";
import { usageDaily as d, usageEvents as t } from "./schema.ts";
import type { PgDb, PgSession } from "./session.ts";

const num = (expression: SQL): SQL<number> => sql<number>`${expression}`.mapWith(Number);

// sum() is NULL over no rows and numeric for integer columns; coalesce and Number() give the SQLite store's answer.
const aggregates = {
  requests: num(sql`count(*)`),
  inputTokens: num(sql`coalesce(sum(${t.inputTokens}), 0)`),
  outputTokens: num(sql`coalesce(sum(${t.outputTokens}), 0)`),
  cacheCreationTokens: num(sql`coalesce(sum(${t.cacheCreationTokens}), 0)`),
  cacheReadTokens: num(sql`coalesce(sum(${t.cacheReadTokens}), 0)`),
  costUsd: num(sql`coalesce(sum(${t.costUsd}), 0)`),
  unpricedRequests: num(sql`count(*) - count(${t.costUsd})`),
};

const dailyAggregates = {
  requests: num(sql`coalesce(sum(${d.requests}), 0)`),
  inputTokens: num(sql`coalesce(sum(${d.inputTokens}), 0)`),
  outputTokens: num(sql`coalesce(sum(${d.outputTokens}), 0)`),
  cacheCreationTokens: num(sql`coalesce(sum(${d.cacheCreationTokens}), 0)`),
  cacheReadTokens: num(sql`coalesce(sum(${d.cacheReadTokens}), 0)`),
  costUsd: num(sql`coalesce(sum(${d.costUsd}), 0)`),
  unpricedRequests: num(sql`coalesce(sum(${d.unpricedRequests}), 0)`),
};

const SUMMED = [
  "requests",
  "input_tokens",
  "output_tokens",
  "cache_creation_tokens",
  "cache_read_tokens",
  "cost_usd",
  "unpriced_requests",
];

// $1…$10 and $21 the events' columns, $11…$20 the rollup rows' (already summed per day, key and model, so no two
// rows of the batch hit the same conflict target). The rollup has no token column: per-token figures read events.
const RECORD_SQL = `WITH events AS (
  INSERT INTO usage_events (key_id, at, model, input_tokens, output_tokens, cache_creation_tokens,
    cache_read_tokens, cost_usd, request_id, front, token_id)
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[],
    $8::float8[], $9::text[], $10::text[], $21::text[])
  RETURNING id
), daily AS (
  INSERT INTO usage_daily (day, key_id, model, ${SUMMED.join(", ")})
  SELECT * FROM unnest($11::int[], $12::text[], $13::text[], $14::bigint[], $15::bigint[], $16::bigint[],
    $17::bigint[], $18::bigint[], $19::float8[], $20::bigint[])
  ON CONFLICT (day, key_id, model) DO UPDATE SET ${SUMMED.map((c) => `${c} = usage_daily.${c} + excluded.${c}`).join(", ")}
)
SELECT id FROM events`;

function recordParams(events: ReadonlyArray<Omit<UsageEvent, "id">>): unknown[] {
  const rows = rollUp(events);
  const column = <T>(pick: (e: Omit<UsageEvent, "id">) => T): T[] => events.map(pick);
  const daily = <T>(pick: (r: (typeof rows)[number]) => T): T[] => rows.map(pick);
  return [
    column((e) => e.keyId),
    column((e) => e.at.toISOString()),
    column((e) => e.model),
    column((e) => e.inputTokens),
    column((e) => e.outputTokens),
    column((e) => e.cacheCreationTokens),
    column((e) => e.cacheReadTokens),
    column((e) => e.costUsd),
    column((e) => e.requestId),
    column((e) => e.front),
    daily((r) => r.day),
    daily((r) => r.keyId),
    daily((r) => r.model),
    daily((r) => r.requests),
    daily((r) => r.inputTokens),
    daily((r) => r.outputTokens),
    daily((r) => r.cacheCreationTokens),
    daily((r) => r.cacheReadTokens),
    daily((r) => r.costUsd),
    daily((r) => r.unpricedRequests),
    column((e) => e.tokenId ?? null),
  ];
}

// A batch far larger than any gateway flush still goes in pieces, to bound the statement's memory.
const BATCH_ROWS = 10_000;

function windowConditions(w: UsageWindow): SQL | undefined {
  const conditions: SQL[] = [gte(t.at, w.since)];
  if (w.until !== undefined) conditions.push(lt(t.at, w.until));
  if (w.keyId !== undefined) conditions.push(eq(t.keyId, w.keyId));
  if (w.tokenId !== undefined) conditions.push(eq(t.tokenId, w.tokenId));
  return and(...conditions);
}

function dailyConditions(w: UsageWindow, days: { since: number; until?: number }): SQL | undefined {
  const conditions: SQL[] = [gte(d.day, days.since)];
  if (days.until !== undefined) conditions.push(lt(d.day, days.until));
  if (w.keyId !== undefined) conditions.push(eq(d.keyId, w.keyId));
  return and(...conditions);
}

type GroupedRow = Omit<UsageSummaryRow, "group"> & { group: number | string };

export function pgUsageRepository(db: PgDb, query: PgSession["query"]): UsageRepository {
  return {
    async record(event) {
      const [row] = await query<{ id: string | number }>(RECORD_SQL, recordParams([event]));
      if (!row) throw new Error("insert returned no row");
      return Number(row.id);
    },
    async recordMany(events) {
      for (let i = 0; i < events.length; i += BATCH_ROWS) {
        await query(RECORD_SQL, recordParams(events.slice(i, i + BATCH_ROWS)));
      }
    },
    async list(filter = {}) {
      const conditions: SQL[] = [];
      if (filter.keyId !== undefined) conditions.push(eq(t.keyId, filter.keyId));
      if (filter.since !== undefined) conditions.push(gte(t.at, filter.since));
      const q = db
        .select()
        .from(t)
        .where(and(...conditions))
        .orderBy(desc(t.at), desc(t.id));
      const rows = await (filter.limit === undefined ? q : q.limit(filter.limit));
      return rows.map(usageFromRow);
    },
    async summarise(q) {
      const days = q.by === "token" || q.tokenId !== undefined ? null : wholeDays(q);
      const rows = days ? await summariseDaily(db, q, days) : await summariseEvents(db, q);
      return rows.map(
        (r): UsageSummaryRow => ({
          ...r,
          group: q.by === "day" ? dayOf(Number(r.group)) : String(r.group),
        }),
      );
    },
    async spendByToken(q) {
      const rows = await db
        .select({
          tokenId: t.tokenId,
          requests: aggregates.requests,
          costUsd: aggregates.costUsd,
          unpricedRequests: aggregates.unpricedRequests,
        })
        .from(t)
        .where(and(windowConditions(q), isNotNull(t.tokenId)))
        .groupBy(t.tokenId)
        .orderBy(binary(t.tokenId));
      return rows.map((r) => ({ ...r, tokenId: r.tokenId ?? "" }));
    },
    async spendByKey(q) {
      const days = q.tokenId !== undefined ? null : wholeDays(q);
      if (days) {
        return db
          .select({
            keyId: d.keyId,
            requests: dailyAggregates.requests,
            costUsd: dailyAggregates.costUsd,
            unpricedRequests: dailyAggregates.unpricedRequests,
          })
          .from(d)
          .where(dailyConditions(q, days))
          .groupBy(d.keyId)
          .orderBy(binary(d.keyId));
      }
      return db
        .select({
          keyId: t.keyId,
          requests: aggregates.requests,
          costUsd: aggregates.costUsd,
          unpricedRequests: aggregates.unpricedRequests,
        })
        .from(t)
        .where(windowConditions(q))
        .groupBy(t.keyId)
        .orderBy(binary(t.keyId));
    },
  };
}

/** Whole UTC days: sums of the rollup's per-day sums. */
function summariseDaily(
  db: PgDb,
  q: UsageWindow & { by: UsageGroupBy },
  days: { since: number; until?: number },
): Promise<GroupedRow[]> {
  const group = q.by === "day" ? d.day : q.by === "model" ? d.model : d.keyId;
  return db
    .select({ group, ...dailyAggregates })
    .from(d)
    .where(dailyConditions(q, days))
    .groupBy(group)
    .orderBy(q.by === "day" ? group : binary(group));
}

/** Any other window: the events themselves, grouped by UTC day number, model or key. */
function summariseEvents(db: PgDb, q: UsageWindow & { by: UsageGroupBy }): Promise<GroupedRow[]> {
  const group =
    q.by === "day"
      ? num(sql`floor(extract(epoch from ${t.at}) * 1000 / ${sql.raw(String(DAY_MS))})::integer`)
      : q.by === "model"
        ? sql<string>`${t.model}`
        : q.by === "token"
          ? sql<string>`coalesce(${t.tokenId}, '')`
          : sql<string>`${t.keyId}`;
  return db
    .select({ group, ...aggregates })
    .from(t)
    .where(windowConditions(q))
    .groupBy(group)
    .orderBy(q.by === "day" ? group : sql`${group} COLLATE "C"`);
}
