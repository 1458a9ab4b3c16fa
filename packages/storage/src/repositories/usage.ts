import type { UsageRepository, UsageSummaryRow, UsageWindow } from "@apikey/core/usage";
import { and, asc, desc, eq, getTableName, gte, lt, type SQL, sql } from "drizzle-orm";
import type { StoreDb } from "../drivers/types.ts";
import { usageFromRow, usageToRow } from "../rows.ts";
import { usageEvents } from "../schema.ts";

// SQLite caps bound parameters per statement; 11 columns × 500 rows stays well under it.
const BATCH_ROWS = 500;
const DAY_MS = 86_400_000;

const t = usageEvents;

// Sums come back as integers (tokens) or reals (cost); total() is 0.0 for no rows, unlike sum()'s NULL.
const aggregates = {
  requests: sql<number>`count(*)`.mapWith(Number),
  inputTokens: sql<number>`total(${t.inputTokens})`.mapWith(Number),
  outputTokens: sql<number>`total(${t.outputTokens})`.mapWith(Number),
  cacheCreationTokens: sql<number>`total(${t.cacheCreationTokens})`.mapWith(Number),
  cacheReadTokens: sql<number>`total(${t.cacheReadTokens})`.mapWith(Number),
  costUsd: sql<number>`total(${t.costUsd})`.mapWith(Number),
  unpricedRequests: sql<number>`count(*) - count(${t.costUsd})`.mapWith(Number),
};

function windowConditions(w: UsageWindow): SQL | undefined {
  const conditions: SQL[] = [gte(t.at, w.since)];
  if (w.until !== undefined) conditions.push(lt(t.at, w.until));
  if (w.keyId !== undefined) conditions.push(eq(t.keyId, w.keyId));
  return and(...conditions);
}

function dayOf(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

interface RawStatement {
  run(...params: unknown[]): unknown;
}

const INSERT_SQL = `INSERT INTO ${getTableName(t)} (${[
  t.keyId,
  t.at,
  t.model,
  t.inputTokens,
  t.outputTokens,
  t.cacheCreationTokens,
  t.cacheReadTokens,
  t.costUsd,
  t.requestId,
  t.front,
]
  .map((c) => c.name)
  .join(", ")}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const rawStatements = new WeakMap<object, RawStatement | null>();

/**
 * The bulk path's statement, prepared once on the driver's own client when Drizzle exposes one that can prepare
 * (better-sqlite3). Drizzle's builder costs several microseconds per row — about a third of raw speed as a prepared
 * query, a twentieth as multi-row VALUES — and the bulk path exists to be fast. Other drivers (node:sqlite through
 * the proxy) use the builder.
 */
function rawInsert(db: StoreDb): RawStatement | null {
  const cached = rawStatements.get(db);
  if (cached !== undefined) return cached;
  const client = (db as { $client?: { prepare?: unknown } }).$client;
  const statement =
    client && typeof client.prepare === "function"
      ? (client.prepare as (sql: string) => RawStatement).call(client, INSERT_SQL)
      : null;
  rawStatements.set(db, statement);
  return statement;
}

export function usageRepository(db: StoreDb): UsageRepository {
  return {
    async record(event) {
      const [row] = await db.insert(t).values(usageToRow(event)).returning({ id: t.id });
      if (!row) throw new Error("insert returned no row");
      return row.id;
    },
    async recordMany(events) {
      // Callers wrap this in store.transaction for all-or-nothing.
      const insert = rawInsert(db);
      if (insert) {
        for (const e of events) {
          insert.run(
            e.keyId,
            e.at.getTime(),
            e.model,
            e.inputTokens,
            e.outputTokens,
            e.cacheCreationTokens,
            e.cacheReadTokens,
            e.costUsd,
            e.requestId,
            e.front,
          );
        }
        return;
      }
      // The batches keep each statement under SQLite's bound-parameter cap.
      for (let i = 0; i < events.length; i += BATCH_ROWS) {
        await db.insert(t).values(events.slice(i, i + BATCH_ROWS).map(usageToRow));
      }
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
      // UTC days as integer day numbers: integer division on the stored milliseconds is cheaper than strftime.
      const group =
        query.by === "day"
          ? sql<number>`${t.at} / ${sql.raw(String(DAY_MS))}`.mapWith(Number)
          : query.by === "model"
            ? sql<string>`${t.model}`
            : sql<string>`${t.keyId}`;
      const rows = await db
        .select({ group, ...aggregates })
        .from(t)
        .where(windowConditions(query))
        .groupBy(group)
        .orderBy(asc(group));
      return rows.map(
        (r): UsageSummaryRow => ({
          ...r,
          group: query.by === "day" ? dayOf(Number(r.group)) : String(r.group),
        }),
      );
    },
    async spendByKey(query) {
      const rows = await db
        .select({
          keyId: t.keyId,
          requests: aggregates.requests,
          costUsd: aggregates.costUsd,
          unpricedRequests: aggregates.unpricedRequests,
        })
        .from(t)
        .where(windowConditions(query))
        .groupBy(t.keyId)
        .orderBy(asc(t.keyId));
      return rows;
    },
  };
}
