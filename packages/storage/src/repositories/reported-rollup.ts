// The daily rollup of reported usage (usage_reported_daily), one rule for every dialect: each of its columns as an
// aggregate over usage_reported, used by replaceRange to rebuild the days a page touched and by `store copy` to
// rebuild it all. The migrations' backfills (drizzle 0006, drizzle-pg 0004) are history and keep their own text; the
// store contract holds the rollup, backfilled or kept up, to a GROUP BY of the raw rows.
import { type AnyColumn, and, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { Tables } from "../dialect.ts";

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
