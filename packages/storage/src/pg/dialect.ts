// PostgreSQL as the repositories' dialect (../dialect.ts), for both drivers (node-postgres, PGlite).
import { sql } from "drizzle-orm";
import type { Dialect, QueryDb, Tables } from "../dialect.ts";
import { DAY_MS, HOUR_MS } from "../repositories/usage-rollup.ts";
import { isForeignKeyViolation, pgDriverError } from "./errors.ts";
import * as pg from "./schema.ts";
import type { PgSession } from "./session.ts";
import { pgUsageWrites } from "./usage-writes.ts";

type PgTables = Pick<typeof pg, keyof Tables>;
const pgTables: PgTables = pg;

// The one place the types of the two dialects meet. Drizzle types each dialect's builders and tables apart, though
// the builder calls the repositories make (select/insert/update/delete, where, orderBy, groupBy, limit, returning,
// onConflictDoNothing/DoUpdate with target and set) are the same on both, and the SQL is written by the database
// object itself, PostgreSQL's here. So the repositories are typed against SQLite's builder and tables, and this
// file hands PostgreSQL's over as those types, once it has checked below that every table's rows (as read and as
// written) have exactly the shapes of SQLite's: then the rows the repositories map are what they were typed as.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Agrees<K extends keyof Tables> = Same<PgTables[K]["$inferSelect"], Tables[K]["$inferSelect"]> &
  Same<PgTables[K]["$inferInsert"], Tables[K]["$inferInsert"]>;
type AllTrue<T extends true> = T;
/** Fails to compile when a PostgreSQL table's rows differ from SQLite's. */
export type RowShapesAgree = AllTrue<{ [K in keyof Tables]: Agrees<K> }[keyof Tables]>;
const asShared = {
  tables: pgTables as unknown as Tables,
  db: (db: PgSession["db"]) => db as unknown as QueryDb,
};

/** Byte-order (C) collation: the database's locale would sort "B" before "a" differently from SQLite. */
const byteOrder: Dialect["byteOrder"] = (value) => sql`${value} COLLATE "C"`;

export function pgDialect(session: PgSession): Dialect {
  return {
    db: asShared.db(session.db),
    tables: asShared.tables,
    byteOrder,
    // sum() is NULL over no rows and numeric for integer columns; coalesce and Number() give SQLite's answer.
    sum: (column) => sql<number>`coalesce(sum(${column}), 0)`.mapWith(Number),
    utcDay: (column) =>
      sql<number>`floor(extract(epoch from ${column}) * 1000 / ${sql.raw(String(DAY_MS))})::integer`.mapWith(
        Number,
      ),
    utcHour: (column) =>
      sql<number>`floor(extract(epoch from ${column}) * 1000 / ${sql.raw(String(HOUR_MS))})::bigint`.mapWith(
        Number,
      ),
    // Every statement is a round trip to the server: a prepared one would save nothing worth its bookkeeping.
    touchFast: () => false,
    isForeignKeyViolation,
    driverError: pgDriverError,
    usage: pgUsageWrites(session.query),
    // PostgreSQL's drivers hand back objects, not arrays in select order: Drizzle decodes them.
    selectedRows: () => null,
    builtRows: () => null,
  };
}
