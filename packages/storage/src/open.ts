import type { Store } from "@apikey/core/store";
import type { MigrationMeta } from "drizzle-orm/migrator";
import type { Connection, StoreDriver } from "./drivers/types.ts";
import { toStoreError } from "./errors.ts";
import { ensureDatabaseFile, ensureDirectory, tightenModes } from "./files.ts";
import { migrateStore } from "./migrate.ts";
import { migrations as embedded } from "./migrations.generated.ts";
import { createSqliteStore } from "./sqlite-store.ts";

export interface OpenStoreOptions {
  /** The database file, e.g. `<dataDir>/apikey.db`. */
  path: string;
  /** Default "better-sqlite3"; "node-sqlite" needs Node >= 22.5 (Raycast). */
  driver?: StoreDriver;
}

/** Knobs tests turn; callers get the defaults. */
export interface OpenTuning {
  /** How long a statement waits for another connection's write lock before E_STORE_BUSY. */
  busyTimeoutMs: number;
}

const DEFAULT_TUNING: OpenTuning = { busyTimeoutMs: 5000 };

/** Opens a connection without any setup. Drivers load lazily so neither native module loads unless used. */
export async function connect(driver: StoreDriver, path: string): Promise<Connection> {
  if (driver === "node-sqlite") {
    const { connectNodeSqlite } = await import("./drivers/node-sqlite.ts");
    return connectNodeSqlite(path);
  }
  const { connectBetterSqlite3 } = await import("./drivers/better-sqlite3.ts");
  return connectBetterSqlite3(path);
}

export function openStore(options: OpenStoreOptions): Promise<Store> {
  return openStoreWith(options, embedded);
}

/** openStore with an explicit migration list and tuning; tests use it to build older schemas. */
export async function openStoreWith(
  options: OpenStoreOptions,
  migrations: MigrationMeta[],
  tuning: OpenTuning = DEFAULT_TUNING,
): Promise<Store> {
  const { path, driver = "better-sqlite3" } = options;
  let conn: Connection | undefined;
  try {
    ensureDirectory(path);
    ensureDatabaseFile(path);
    conn = await connect(driver, path);
    // busy_timeout first: switching to WAL needs a lock another process may hold.
    conn.exec(`PRAGMA busy_timeout = ${Math.trunc(tuning.busyTimeoutMs)}`);
    conn.exec("PRAGMA journal_mode = WAL");
    conn.exec("PRAGMA synchronous = NORMAL");
    conn.exec("PRAGMA foreign_keys = ON");
    await migrateStore(conn, migrations, path);
    tightenModes(path);
    return createSqliteStore(conn, path);
  } catch (err) {
    try {
      conn?.close();
    } catch {
      // Closing a half-open connection can fail too; report the first error.
    }
    throw toStoreError(err, path);
  }
}
