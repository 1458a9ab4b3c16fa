import type { Store } from "@apikey/core/store";
import type { Connection, StoreDriver } from "./drivers/types.ts";
import type { OpenStoreOptions as BaseOptions } from "./open.ts";
import { openSqliteStore } from "./open.ts";

// The driver-choosing entry, for code that picks at run time. A bundle that must not hold a native addon imports
// @apikey/storage/node-sqlite instead: this module names both drivers, so a bundler follows both.

export type { StoreDriver } from "./drivers/types.ts";
export { isForeignKeyViolation, isUniqueViolation, sqliteErrorCode, toStoreError } from "./errors.ts";

export interface OpenStoreOptions extends BaseOptions {
  /** Default "better-sqlite3"; "node-sqlite" needs Node >= 22.5 (Raycast). */
  driver?: StoreDriver;
}

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
  const { driver = "better-sqlite3", ...rest } = options;
  return openSqliteStore((path) => connect(driver, path), rest);
}
