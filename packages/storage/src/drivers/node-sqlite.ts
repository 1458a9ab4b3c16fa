import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import type { MigrationMeta } from "drizzle-orm/migrator";
import type { SQLiteAsyncDialect, SQLiteSession } from "drizzle-orm/sqlite-core";
import { drizzle } from "drizzle-orm/sqlite-proxy";
import type { Connection } from "./types.ts";

// node:sqlite (Node >= 22.5) through Drizzle's sqlite-proxy: drizzle-orm 0.45 has no node:sqlite driver.
// node:sqlite is fetched when a connection opens (process.getBuiltinModule), never at import: importing this module
// on Node 20 works, and a CommonJS bundle (Raycast's) needs no import.meta.

interface AsyncInternals {
  dialect: SQLiteAsyncDialect;
  // biome-ignore lint/suspicious/noExplicitAny: mirrors the dialect's own parameter type
  session: SQLiteSession<"async", any, any, any>;
}

type Row = Record<string, unknown> | unknown[];

export function connectNodeSqlite(path: string): Connection {
  const sqlite = process.getBuiltinModule("node:sqlite") as { DatabaseSync: typeof DatabaseSync } | undefined;
  if (!sqlite) throw new Error("node:sqlite needs Node 22.5 or later");
  const Ctor = sqlite.DatabaseSync;
  const client = new Ctor(path, { enableForeignKeyConstraints: true });
  const statements = new Map<string, StatementSync>();
  let open = true;

  // The proxy wants rows as arrays in select order. setReturnArrays exists from Node 22.16; before that, objects
  // keep column order except for duplicate names, which the repositories never select.
  const prepare = (sql: string): StatementSync => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = client.prepare(sql);
      (statement as { setReturnArrays?: (on: boolean) => void }).setReturnArrays?.(true);
      statements.set(sql, statement);
    }
    return statement;
  };
  const asArray = (row: Row): unknown[] => (Array.isArray(row) ? row : Object.values(row));

  // biome-ignore lint/suspicious/noExplicitAny: the proxy hands over Drizzle's driver-ready parameters
  const db = drizzle(async (sql: string, params: any[], method) => {
    const statement = prepare(sql);
    if (method === "run") {
      statement.run(...params);
      return { rows: [] };
    }
    if (method === "get") {
      const row = statement.get(...params) as Row | undefined;
      // The proxy treats `rows` as the single row here, undefined when there is none.
      return { rows: (row === undefined ? undefined : asArray(row)) as unknown[] };
    }
    return { rows: (statement.all(...params) as Row[]).map(asArray) };
  });

  return {
    db,
    exec: (sql) => {
      client.exec(sql);
    },
    scalar: (sql) => {
      const row = prepare(sql).get() as Row | undefined;
      return row === undefined ? undefined : asArray(row)[0];
    },
    values: (sql, params) => (prepare(sql).all(...(params as SQLInputValue[])) as Row[]).map(asArray),
    migrate: async (migrations: MigrationMeta[]) => {
      const internals = db as unknown as AsyncInternals;
      await internals.dialect.migrate(migrations, internals.session);
    },
    close: () => {
      statements.clear();
      if (open) client.close();
      open = false;
    },
  };
}
