// Vendored from packages/storage/src/sqlite/dialect.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// SQLite as the repositories' dialect (../dialect.ts), for both drivers (better-sqlite3, node:sqlite).
import { asc, getTableName, sql } from "drizzle-orm";
import type { Dialect, Tables } from "../dialect.ts";
import type { Connection } from "../drivers/types.ts";
import { driverError, isForeignKeyViolation } from "../errors.ts";
import { DAY_MS, HOUR_MS } from "../repositories/usage-rollup.ts";
import * as schema from "../schema.ts";
import { rawStatement } from "./raw-statement.ts";
import { decodeRows, selectedRows } from "./table-rows.ts";
import { sqliteUsageWrites } from "./usage-writes.ts";

const tables: Tables = schema;

const touchSql = (t: Tables["keys"] | Tables["gatewayTokens"]): string =>
  `UPDATE ${getTableName(t)} SET ${t.lastUsedAt.name} = ? WHERE ${t.id.name} = ? AND (${t.lastUsedAt.name} IS NULL OR ${t.lastUsedAt.name} < ?)`;
const TOUCH_SQL = new Map([schema.keys, schema.gatewayTokens].map((t) => [t, touchSql(t)]));

export function sqliteDialect(conn: Connection): Dialect {
  const { db } = conn;
  return {
    db,
    tables,
    // SQLite compares text byte by byte (BINARY) unless told otherwise.
    byteOrder: (value) => asc(value),
    // total() is 0.0 over no rows, unlike sum()'s NULL, and keeps the integers' and reals' sums alike.
    sum: (column) => sql<number>`total(${column})`.mapWith(Number),
    // Times are integer milliseconds: integer division is cheaper than strftime.
    utcDay: (column) => sql<number>`${column} / ${sql.raw(String(DAY_MS))}`.mapWith(Number),
    utcHour: (column) => sql<number>`${column} / ${sql.raw(String(HOUR_MS))}`.mapWith(Number),
    touchFast(table, id, at) {
      const text = TOUCH_SQL.get(table);
      const raw = text === undefined ? null : rawStatement(db, text);
      if (!raw) return false;
      raw.run(at.getTime(), id, at.getTime());
      return true;
    },
    isForeignKeyViolation,
    driverError,
    usage: sqliteUsageWrites(db),
    selectedRows: (selection, query) => selectedRows(db, selection, query),
    builtRows: (selection, query) => {
      if (!conn.values) return null;
      return Promise.resolve(decodeRows(selection, conn.values(query.sql, query.params)));
    },
  };
}
