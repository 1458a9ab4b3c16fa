import type { MigrationMeta } from "drizzle-orm/migrator";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";

export type StoreDriver = "better-sqlite3" | "node-sqlite";

/** Both drivers' Drizzle databases; repositories `await` every query so one code path serves both. */
export type StoreDb = BaseSQLiteDatabase<"sync" | "async", unknown>;

/** One open database file. Both drivers are synchronous underneath. */
export interface Connection {
  readonly db: StoreDb;
  /** Runs SQL that returns nothing useful (PRAGMA, BEGIN, COMMIT). */
  exec(sql: string): void;
  /** The first column of the first row, or undefined. */
  scalar(sql: string): unknown;
  /**
   * Every row of a select, each an array in select order; the statement is prepared once per connection. Both
   * drivers have it; without it (a stand-in connection) the repositories build and run their queries instead.
   */
  values?(sql: string, params: readonly unknown[]): unknown[][];
  /** Drizzle's own migration logic (`dialect.migrate`), as its migrator modules call it. */
  migrate(migrations: MigrationMeta[]): Promise<void>;
  close(): void;
}
