// Vendored from packages/storage/src/repositories/usage.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type {
  UsageEvent,
  UsageGroupBy,
  UsageRepository,
  UsageSummaryRow,
  UsageWindow,
} from "../../core/usage/index.ts";
import { and, asc, desc, eq, getTableName, gte, isNotNull, lt, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { StoreDb } from "../drivers/types.ts";
import { usageFromRow, usageToRow } from "../rows.ts";
import { usageDaily, usageEvents } from "../schema.ts";

// SQLite caps bound parameters per statement; 11 columns × 500 rows stays well under it.
const BATCH_ROWS = 500;
export const DAY_MS = 86_400_000;

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

// The same totals from the rollup: sums of sums. total() keeps the event query's types (and 0.0 for no rows).
const d = usageDaily;
const dailyAggregates = {
  requests: sql<number>`total(${d.requests})`.mapWith(Number),
  inputTokens: sql<number>`total(${d.inputTokens})`.mapWith(Number),
  outputTokens: sql<number>`total(${d.outputTokens})`.mapWith(Number),
  cacheCreationTokens: sql<number>`total(${d.cacheCreationTokens})`.mapWith(Number),
  cacheReadTokens: sql<number>`total(${d.cacheReadTokens})`.mapWith(Number),
  costUsd: sql<number>`total(${d.costUsd})`.mapWith(Number),
  unpricedRequests: sql<number>`total(${d.unpricedRequests})`.mapWith(Number),
};

/** The UTC day number of an instant, as usage_daily.day stores it. */
const dayNumber = (at: Date): number => Math.floor(at.getTime() / DAY_MS);

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

function dailyConditions(w: UsageWindow, days: { since: number; until?: number }): SQL | undefined {
  const conditions: SQL[] = [gte(d.day, days.since)];
  if (days.until !== undefined) conditions.push(lt(d.day, days.until));
  if (w.keyId !== undefined) conditions.push(eq(d.keyId, w.keyId));
  return and(...conditions);
}

type DailyRow = typeof usageDaily.$inferInsert;

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

const SUMMED: SQLiteColumn[] = [
  d.requests,
  d.inputTokens,
  d.outputTokens,
  d.cacheCreationTokens,
  d.cacheReadTokens,
  d.costUsd,
  d.unpricedRequests,
];
const DAILY_COLUMNS: SQLiteColumn[] = [d.day, d.keyId, d.model, ...SUMMED];

const UPSERT_SQL = `INSERT INTO ${getTableName(d)} (${DAILY_COLUMNS.map((c) => c.name).join(", ")}) VALUES (${DAILY_COLUMNS.map(() => "?").join(", ")}) ON CONFLICT (${[d.day, d.keyId, d.model].map((c) => c.name).join(", ")}) DO UPDATE SET ${SUMMED.map((c) => `${c.name} = ${c.name} + excluded.${c.name}`).join(", ")}`;

// `col = col + excluded.col`: unqualified, the column is the existing row's; `excluded` is the one offered.
const plusExcluded = (c: SQLiteColumn): SQL => sql.raw(`${c.name} + excluded.${c.name}`);
const UPSERT_SET = {
  requests: plusExcluded(d.requests),
  inputTokens: plusExcluded(d.inputTokens),
  outputTokens: plusExcluded(d.outputTokens),
  cacheCreationTokens: plusExcluded(d.cacheCreationTokens),
  cacheReadTokens: plusExcluded(d.cacheReadTokens),
  costUsd: plusExcluded(d.costUsd),
  unpricedRequests: plusExcluded(d.unpricedRequests),
};

function windowConditions(w: UsageWindow): SQL | undefined {
  const conditions: SQL[] = [gte(t.at, w.since)];
  if (w.until !== undefined) conditions.push(lt(t.at, w.until));
  if (w.keyId !== undefined) conditions.push(eq(t.keyId, w.keyId));
  if (w.tokenId !== undefined) conditions.push(eq(t.tokenId, w.tokenId));
  return and(...conditions);
}

export function dayOf(dayNumber: number): string {
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
  t.tokenId,
]
  .map((c) => c.name)
  .join(", ")}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

interface RawStatements {
  insert: RawStatement;
  upsertDaily: RawStatement;
}

const rawStatements = new WeakMap<object, RawStatements | null>();

/**
 * The bulk path's statements, prepared once on the driver's own client when Drizzle exposes one that can prepare
 * (better-sqlite3). Drizzle's builder costs several microseconds per row — about a third of raw speed as a prepared
 * query, a twentieth as multi-row VALUES — and the bulk path exists to be fast. Other drivers (node:sqlite through
 * the proxy) use the builder.
 */
function rawPrepared(db: StoreDb): RawStatements | null {
  const cached = rawStatements.get(db);
  if (cached !== undefined) return cached;
  const client = (db as { $client?: { prepare?: unknown } }).$client;
  let statements: RawStatements | null = null;
  if (client && typeof client.prepare === "function") {
    const prepare = (text: string) => (client.prepare as (sql: string) => RawStatement).call(client, text);
    statements = { insert: prepare(INSERT_SQL), upsertDaily: prepare(UPSERT_SQL) };
  }
  rawStatements.set(db, statements);
  return statements;
}

/** Adds a batch's totals to usage_daily. */
async function addToRollup(db: StoreDb, events: ReadonlyArray<Omit<UsageEvent, "id">>): Promise<void> {
  const rows = rollUp(events);
  const raw = rawPrepared(db);
  if (raw) {
    for (const r of rows) {
      raw.upsertDaily.run(
        r.day,
        r.keyId,
        r.model,
        r.requests,
        r.inputTokens,
        r.outputTokens,
        r.cacheCreationTokens,
        r.cacheReadTokens,
        r.costUsd,
        r.unpricedRequests,
      );
    }
    return;
  }
  for (let i = 0; i < rows.length; i += BATCH_ROWS) {
    await db
      .insert(d)
      .values(rows.slice(i, i + BATCH_ROWS))
      .onConflictDoUpdate({ target: [d.day, d.keyId, d.model], set: UPSERT_SET });
  }
}

/**
 * Events and their rollup rows commit together or not at all, also when a caller uses the repository outside
 * store.transaction: a savepoint nests inside an open transaction and acts as BEGIN outside one.
 */
async function atomically<T>(db: StoreDb, work: () => Promise<T>): Promise<T> {
  // Inside store.transaction (the usual case) the transaction already makes it atomic; skip the savepoint's two
  // extra statements on this per-request path. better-sqlite3 says so as `inTransaction`, node:sqlite as
  // `isTransaction`; where neither is known, take the savepoint.
  const client = (db as { $client?: { inTransaction?: boolean; isTransaction?: boolean } }).$client;
  if (client?.inTransaction === true || client?.isTransaction === true) return work();
  await db.run(sql`SAVEPOINT usage_record`);
  try {
    const result = await work();
    await db.run(sql`RELEASE usage_record`);
    return result;
  } catch (err) {
    try {
      await db.run(sql`ROLLBACK TO usage_record`);
      await db.run(sql`RELEASE usage_record`);
    } catch {
      // SQLite may already have rolled the whole transaction back (e.g. disk full); the original error matters.
    }
    throw err;
  }
}

export function usageRepository(db: StoreDb): UsageRepository {
  return {
    record(event) {
      return atomically(db, async () => {
        const [row] = await db.insert(t).values(usageToRow(event)).returning({ id: t.id });
        if (!row) throw new Error("insert returned no row");
        await addToRollup(db, [event]);
        return row.id;
      });
    },
    async recordMany(events) {
      if (events.length === 0) return;
      await atomically(db, () => insertMany(db, events));
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
      const rows = days ? await summariseDaily(db, query, days) : await summariseEvents(db, query);
      return rows.map(
        (r): UsageSummaryRow => ({
          ...r,
          group: query.by === "day" ? dayOf(Number(r.group)) : String(r.group),
        }),
      );
    },
    async spendByToken(query) {
      const rows = await db
        .select({
          tokenId: t.tokenId,
          requests: aggregates.requests,
          costUsd: aggregates.costUsd,
          unpricedRequests: aggregates.unpricedRequests,
        })
        .from(t)
        .where(and(windowConditions(query), isNotNull(t.tokenId)))
        .groupBy(t.tokenId)
        .orderBy(asc(t.tokenId));
      return rows.map((r) => ({ ...r, tokenId: r.tokenId ?? "" }));
    },
    async spendByKey(query) {
      const days = query.tokenId !== undefined ? null : wholeDays(query);
      if (days) {
        return db
          .select({
            keyId: d.keyId,
            requests: dailyAggregates.requests,
            costUsd: dailyAggregates.costUsd,
            unpricedRequests: dailyAggregates.unpricedRequests,
          })
          .from(d)
          .where(dailyConditions(query, days))
          .groupBy(d.keyId)
          .orderBy(asc(d.keyId));
      }
      return db
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
    },
  };
}

async function insertMany(db: StoreDb, events: ReadonlyArray<Omit<UsageEvent, "id">>): Promise<void> {
  const raw = rawPrepared(db);
  if (raw) {
    for (const e of events) {
      raw.insert.run(
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
        e.tokenId ?? null,
      );
    }
  } else {
    // The batches keep each statement under SQLite's bound-parameter cap.
    for (let i = 0; i < events.length; i += BATCH_ROWS) {
      await db.insert(t).values(events.slice(i, i + BATCH_ROWS).map(usageToRow));
    }
  }
  await addToRollup(db, events);
}

type GroupedRow = Omit<UsageSummaryRow, "group"> & { group: number | string };

/** Whole UTC days: sums of the rollup's per-day sums, a few hundred rows for a month instead of every event. */
function summariseDaily(
  db: StoreDb,
  query: UsageWindow & { by: UsageGroupBy },
  days: { since: number; until?: number },
): Promise<GroupedRow[]> {
  const group = query.by === "day" ? d.day : query.by === "model" ? d.model : d.keyId;
  return db
    .select({ group, ...dailyAggregates })
    .from(d)
    .where(dailyConditions(query, days))
    .groupBy(group)
    .orderBy(asc(group));
}

/** Any other window: the events themselves. */
function summariseEvents(db: StoreDb, query: UsageWindow & { by: UsageGroupBy }): Promise<GroupedRow[]> {
  // UTC days as integer day numbers: integer division on the stored milliseconds is cheaper than strftime.
  const group =
    query.by === "day"
      ? sql<number>`${t.at} / ${sql.raw(String(DAY_MS))}`.mapWith(Number)
      : query.by === "model"
        ? sql<string>`${t.model}`
        : query.by === "token"
          ? sql<string>`coalesce(${t.tokenId}, '')`
          : sql<string>`${t.keyId}`;
  return db
    .select({ group, ...aggregates })
    .from(t)
    .where(windowConditions(query))
    .groupBy(group)
    .orderBy(asc(group));
}
