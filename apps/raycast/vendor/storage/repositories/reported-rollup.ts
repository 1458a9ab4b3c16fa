// Vendored from packages/storage/src/repositories/reported-rollup.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// The daily rollup of reported usage (usage_reported_daily), one rule for every dialect: each of its columns as an
// aggregate over usage_reported, used by replaceRange to rebuild the days a page touched and by `store copy` to
// rebuild it all. The migrations' backfills (drizzle 0006, drizzle-pg 0004) are history and keep their own text; the
// store contract holds the rollup, backfilled or kept up, to a GROUP BY of the raw rows.
import { type AnyColumn, and, eq, getTableColumns, gte, lt, type SQL, sql } from "drizzle-orm";
import type { Dialect, Tables } from "../dialect.ts";
import { DAY_MS } from "./usage-rollup.ts";

type Reported = Tables["usageReported"];
type Daily = Tables["usageReportedDaily"];

/** The columns a day's rows are grouped by; every other rollup column sums the usage_reported column of its name. */
const DIMENSIONS = ["org", "orgKeyId", "keyId", "model"] as const;

/**
 * The select that gives the rollup's rows, its fields in the rollup table's column order (insert…select pairs them
 * by position). Built from the table's own columns, so a figure added to both tables needs no line here.
 */
function rollupSelect(t: Reported, d: Daily, day: SQL<number>): Record<string, SQL | AnyColumn> {
  const raw = getTableColumns(t) as Record<string, AnyColumn>;
  const fields: Record<string, SQL | AnyColumn> = {};
  for (const name of Object.keys(getTableColumns(d))) {
    const source = raw[name];
    if (name === "day") fields[name] = day;
    // Priced rows only, as usage_daily counts them: an unpriced row adds 0 to cost_usd and 1 here.
    else if (name === "unpricedRows") fields[name] = sql<number>`count(*) - count(${t.costUsd})`;
    else if (source === undefined) throw new Error(`usage_reported has no column for rollup column ${name}`);
    else if ((DIMENSIONS as readonly string[]).includes(name)) fields[name] = source;
    else fields[name] = sql<number>`coalesce(sum(${source}), 0)`;
  }
  return fields;
}

/** What a rebuild needs of a database: Drizzle's insert…select, the same call on both dialects. */
// biome-ignore lint/suspicious/noExplicitAny: either dialect's Drizzle database, used through insert…select only
type AnyDb = any;

/**
 * Inserts the rollup rows of the reported rows matching `where` (all of them when absent), grouped per UTC day,
 * organization, organization key, stored key and model. The caller deletes the days it rebuilds first.
 */
export async function insertReportedDaily(
  db: AnyDb,
  tables: { usageReported: Reported; usageReportedDaily: Daily },
  utcDay: (column: Reported["bucketStart"]) => SQL<number>,
  where?: SQL,
): Promise<void> {
  const { usageReported: t, usageReportedDaily: d } = tables;
  const day = utcDay(t.bucketStart);
  const select = db
    .select(rollupSelect(t, d, day))
    .from(t)
    .where(and(where))
    .groupBy(day, ...DIMENSIONS.map((k) => t[k]));
  await db.insert(d).select(select);
}

/**
 * The days [from, until) touches, rebuilt whole for `org` from what usage_reported now holds (call it after replacing
 * the range, in the same transaction): exact however often a range is re-synced, whatever widths covered it before.
 */
export async function rebuildReportedDays(
  dialect: Dialect,
  org: string,
  from: Date,
  until: Date,
): Promise<void> {
  const { db, tables } = dialect;
  const { usageReported: t, usageReportedDaily: d } = tables;
  const firstDay = Math.floor(from.getTime() / DAY_MS);
  const endDay = Math.floor((until.getTime() - 1) / DAY_MS) + 1;
  await db.delete(d).where(and(eq(d.org, org), gte(d.day, firstDay), lt(d.day, endDay)));
  const inDays = and(
    eq(t.org, org),
    gte(t.bucketStart, new Date(firstDay * DAY_MS)),
    lt(t.bucketStart, new Date(endDay * DAY_MS)),
  );
  await insertReportedDaily(db, tables, dialect.utcDay, inDays);
}
