import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import type { MigrationMeta } from "drizzle-orm/migrator";
import type { SQLiteSession, SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { withAddon } from "./addon.ts";
import type { Connection } from "./types.ts";

// dialect/session are @internal in Drizzle's typings; drizzle-orm/better-sqlite3/migrator reaches them the same way.
interface SyncInternals {
  dialect: SQLiteSyncDialect;
  // biome-ignore lint/suspicious/noExplicitAny: mirrors the dialect's own parameter type
  session: SQLiteSession<"sync", unknown, any, any>;
}

export function connectBetterSqlite3(path: string): Connection {
  const client = new Database(path, withAddon({}));
  const db = drizzle(client);
  // The few fixed statements the store runs constantly (BEGIN, COMMIT, PRAGMA data_version on every gateway
  // request) are prepared once: exec() and prepare() compile the SQL on every call.
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = client.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const FIXED = new Set(["BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"]);
  return {
    db,
    exec: (sql) => {
      if (FIXED.has(sql)) prepared(sql).run();
      else client.exec(sql);
    },
    scalar: (sql) => prepared(sql).pluck().get(),
    values: (sql, params) =>
      prepared(sql)
        .raw(true)
        .all(...params) as unknown[][],
    migrate: async (migrations: MigrationMeta[]) => {
      const internals = db as unknown as SyncInternals;
      internals.dialect.migrate(migrations, internals.session);
    },
    close: () => {
      if (client.open) client.close();
    },
  };
}
