// Vendored from packages/storage/src/sqlite/usage-writes.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Usage writes on SQLite: events and their rollup rows in one savepoint, through statements prepared on the
// driver's client where it can (better-sqlite3), through Drizzle's builder in batches elsewhere (node:sqlite).
import { COUNTER_KEYS, type UsageEvent } from "../../core/store.ts";
import { getTableName, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { UsageWrites } from "../dialect.ts";
import type { StoreDb } from "../drivers/types.ts";
import { DAILY_FIGURES, rollUp } from "../repositories/usage-rollup.ts";
import { usageToRow } from "../rows.ts";
import { usageDaily as d, usageEvents as t } from "../schema.ts";
import { type RawStatement, rawStatement } from "./raw-statement.ts";

// SQLite caps bound parameters per statement; 11 columns × 500 rows stays well under it.
const BATCH_ROWS = 500;

// Columns and their order come from the one roll-up rule and core's counter list, never a list of our own.
const SUMMED: SQLiteColumn[] = DAILY_FIGURES.map((f) => d[f.key]);
const DAILY_COLUMNS: SQLiteColumn[] = [d.day, d.keyId, d.model, ...SUMMED];
const DAILY_KEYS = ["day", "keyId", "model", ...DAILY_FIGURES.map((f) => f.key)] as const;

const UPSERT_SQL = `INSERT INTO ${getTableName(d)} (${DAILY_COLUMNS.map((c) => c.name).join(", ")}) VALUES (${DAILY_COLUMNS.map(() => "?").join(", ")}) ON CONFLICT (${[d.day, d.keyId, d.model].map((c) => c.name).join(", ")}) DO UPDATE SET ${SUMMED.map((c) => `${c.name} = ${c.name} + excluded.${c.name}`).join(", ")}`;

// `col = col + excluded.col`: unqualified, the column is the existing row's; `excluded` is the one offered.
const plusExcluded = (c: SQLiteColumn): SQL => sql.raw(`${c.name} + excluded.${c.name}`);
const UPSERT_SET = Object.fromEntries(DAILY_FIGURES.map((f) => [f.key, plusExcluded(d[f.key])]));

/** An event's columns on the raw insert, each with its bound value. */
const EVENT_VALUES: ReadonlyArray<[SQLiteColumn, (e: Omit<UsageEvent, "id">) => unknown]> = [
  [t.keyId, (e) => e.keyId],
  [t.at, (e) => e.at.getTime()],
  [t.model, (e) => e.model],
  ...COUNTER_KEYS.map((k): [SQLiteColumn, (e: Omit<UsageEvent, "id">) => unknown] => [t[k], (e) => e[k]]),
  [t.costUsd, (e) => e.costUsd],
  [t.requestId, (e) => e.requestId],
  [t.front, (e) => e.front],
  [t.tokenId, (e) => e.tokenId ?? null],
];

/** The raw insert of `rows` events in one statement. */
const insertSql = (rows: number): string =>
  `INSERT INTO ${getTableName(t)} (${EVENT_VALUES.map(([c]) => c.name).join(", ")}) VALUES ${Array.from(
    { length: rows },
    () => `(${EVENT_VALUES.map(() => "?").join(", ")})`,
  ).join(", ")}`;
const INSERT_ONE_SQL = insertSql(1);
// Multi-row VALUES: one call into the driver per batch instead of one per event, which was a third of the raw
// path's time (issue 25). The batch keeps the statement under SQLite's bound-parameter cap.
const INSERT_BATCH_SQL = insertSql(BATCH_ROWS);

interface RawStatements {
  insert: RawStatement;
  upsertDaily: RawStatement;
}

/**
 * The bulk path's statements, prepared on the driver's own client where it can (better-sqlite3). Drizzle's builder
 * costs several microseconds per row — about a third of raw speed as a prepared query, a twentieth as multi-row
 * VALUES — and the bulk path exists to be fast. Other drivers (node:sqlite through the proxy) use the builder.
 */
function rawPrepared(db: StoreDb): RawStatements | null {
  const insert = rawStatement(db, INSERT_ONE_SQL);
  const upsertDaily = rawStatement(db, UPSERT_SQL);
  return insert && upsertDaily ? { insert, upsertDaily } : null;
}

/** Writes the bound values of `events[from, from + count)` into `params`, column by column. */
function bindEvents(
  params: unknown[],
  events: ReadonlyArray<Omit<UsageEvent, "id">>,
  from: number,
  count: number,
): void {
  let j = 0;
  for (let i = from; i < from + count; i++) {
    const e = events[i] as Omit<UsageEvent, "id">;
    for (const [, value] of EVENT_VALUES) params[j++] = value(e);
  }
}

/** Adds a batch's totals to usage_daily. */
async function addToRollup(db: StoreDb, events: ReadonlyArray<Omit<UsageEvent, "id">>): Promise<void> {
  const rows = rollUp(events);
  const raw = rawPrepared(db);
  if (raw) {
    for (const r of rows) raw.upsertDaily.run(...DAILY_KEYS.map((k) => r[k]));
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

async function insertMany(db: StoreDb, events: ReadonlyArray<Omit<UsageEvent, "id">>): Promise<void> {
  const raw = rawPrepared(db);
  if (raw) {
    const whole = events.length - (events.length % BATCH_ROWS);
    if (whole > 0) {
      // Prepared only when a batch is this large: the per-request path (one event) never pays for it. Where the
      // one-row statement could be prepared, so can this one.
      const batch = rawStatement(db, INSERT_BATCH_SQL) as RawStatement;
      const params: unknown[] = new Array(BATCH_ROWS * EVENT_VALUES.length);
      for (let i = 0; i < whole; i += BATCH_ROWS) {
        bindEvents(params, events, i, BATCH_ROWS);
        batch.run(params);
      }
    }
    const one: unknown[] = new Array(EVENT_VALUES.length);
    for (let i = whole; i < events.length; i++) {
      bindEvents(one, events, i, 1);
      raw.insert.run(one);
    }
  } else {
    // The batches keep each statement under SQLite's bound-parameter cap.
    for (let i = 0; i < events.length; i += BATCH_ROWS) {
      await db.insert(t).values(events.slice(i, i + BATCH_ROWS).map(usageToRow));
    }
  }
  await addToRollup(db, events);
}

export function sqliteUsageWrites(db: StoreDb): UsageWrites {
  return {
    record(event) {
      return atomically(db, async () => {
        const [row] = await db.insert(t).values(usageToRow(event)).returning({ id: t.id });
        if (!row) throw new Error("insert returned no row");
        await addToRollup(db, [event]);
        return row.id;
      });
    },
    recordMany: (events) => atomically(db, () => insertMany(db, events)),
  };
}
