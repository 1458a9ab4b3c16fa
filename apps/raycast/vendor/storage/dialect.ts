// Vendored from packages/storage/src/dialect.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// What the repositories (./repositories/*) need from a database: its tables and the few things SQL dialects spell
// differently. Everything else they write with Drizzle's dialect-neutral operators, once for every store.
import type { UsageEvent } from "../core/store.ts";
import type { AnyColumn, Column, Query, SQL, SQLWrapper } from "drizzle-orm";
import type { StoreDb } from "./drivers/types.ts";
import type * as schema from "./schema.ts";

/**
 * The tables every dialect has, typed as SQLite's: Drizzle has no dialect-free table type, so one dialect's types
 * describe them. pg/dialect.ts checks that its own tables give rows of exactly these shapes before passing them.
 */
export type Tables = Pick<
  typeof schema,
  | "auditLog"
  | "gatewayTokens"
  | "keys"
  | "marks"
  | "masterKeySlots"
  | "oauthProviders"
  | "pendingDeactivations"
  | "profiles"
  | "settings"
  | "storeMeta"
  | "storeSecrets"
  | "usageDaily"
  | "usageEvents"
  | "usageReported"
  | "usageReportedDaily"
>;

/** The query builders the repositories use; the rest of a driver's database (run, transaction…) stays its own. */
export type QueryDb = Pick<StoreDb, "select" | "insert" | "update" | "delete">;

/** Usage writes: both dialects keep events and their daily rollup together, each in its fastest way. */
export interface UsageWrites {
  record(event: Omit<UsageEvent, "id">): Promise<number>;
  recordMany(events: ReadonlyArray<Omit<UsageEvent, "id">>): Promise<void>;
}

export interface Dialect {
  readonly db: QueryDb;
  readonly tables: Tables;
  /** Ascending in byte order, as SQLite compares text; PostgreSQL would otherwise sort by the database's locale. */
  byteOrder(value: AnyColumn | SQLWrapper): SQL;
  /** The sum of a column over a group, 0 (not NULL) over no rows, as a JS number. */
  sum(column: AnyColumn): SQL<number>;
  /** The UTC day number of a timestamp column: floor(epoch milliseconds / 86 400 000), as usage_daily.day stores it. */
  utcDay(column: AnyColumn): SQL<number>;
  /** The UTC hour number of a timestamp column: floor(epoch milliseconds / 3 600 000). */
  utcHour(column: AnyColumn): SQL<number>;
  /**
   * Moves a row's last_used_at forward to `at` by a statement prepared on the driver's own client, where it can
   * prepare one (better-sqlite3): this runs on every request, and Drizzle's builder costs as much as the database's
   * own work. False where the caller should use the builder.
   */
  touchFast(table: Tables["keys"] | Tables["gatewayTokens"], id: string, at: Date): boolean;
  isForeignKeyViolation(err: unknown): boolean;
  /** The driver's error behind `err`, safe to keep as a cause (no query, no parameters). */
  driverError(err: unknown): Error | undefined;
  readonly usage: UsageWrites;
  /**
   * Every row of `query`, a select of `selection`'s columns in its order, decoded by those columns without
   * Drizzle's per-row walk (sqlite/table-rows.ts), as `R` (the caller's row type for that selection); null where
   * the caller should run the query itself.
   */
  selectedRows<R>(selection: Readonly<Record<string, Column>>, query: SQLWrapper): Promise<R[]> | null;
  /**
   * As selectedRows, for a select whose SQL this dialect's builder wrote already (its `toSQL()`, kept by the caller
   * with `params` for this call): the builder is skipped. Null where the caller should build and run it instead.
   */
  builtRows<R>(selection: Readonly<Record<string, Column>>, query: Query): Promise<R[]> | null;
}
