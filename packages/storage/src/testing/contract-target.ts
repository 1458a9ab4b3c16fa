// What the store contract (../store.contract.ts) needs from a driver: somewhere to open stores, a way around the
// Store to look at or damage its tables, another connection holding the write lock, another process writing.

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Store } from "@apikey/core/store";
import type { MigrationMeta } from "drizzle-orm/migrator";
import type { StoreDriver } from "../drivers/types.ts";
import { isUniqueViolation } from "../errors.ts";
import { connect, openStore } from "../index.ts";
import { migrations } from "../migrations.generated.ts";
import { openStoreWith } from "../open.ts";
import { tempDir } from "./fixtures.ts";

export interface OpenOptions {
  migrations?: MigrationMeta[];
  busyTimeoutMs?: number;
}

/** A fresh, empty place for one test's stores (a temporary directory; a schema prefix on PostgreSQL). */
export interface ContractPlace {
  /** Opens (creating and migrating) the store called `name` here. */
  open(name: string, options?: OpenOptions): Promise<Store>;
  /** One SQL statement on store `name`, past any Store; the first column of its first row. */
  sql(name: string, text: string): Promise<unknown>;
  /** Creates store `name` as an empty database (no tables at all). */
  createEmpty(name: string): Promise<void>;
  /** Takes store `name`'s write lock from another connection; resolves to its release. */
  holdWriteLock(name: string): Promise<() => Promise<void>>;
  /**
   * A command line for another process that appends `count` audit rows to store `name` as actor "test:child",
   * printing "ready" once open and "done" at the end; or why no other process can open this store.
   */
  writerChild(name: string, count: number): { argv: string[] } | { cannot: string };
  cleanup(): Promise<void>;
}

export interface ContractTarget {
  name: string;
  dialect: "sqlite" | "postgres";
  /** The migrations this driver's stores apply. */
  migrations: MigrationMeta[];
  isUniqueViolation(err: unknown, columns?: string): boolean;
  place(): Promise<ContractPlace>;
}

/** A SQLite driver: stores are files `<name>.db` in a temporary directory. */
export function sqliteTarget(name: string, driver: StoreDriver): ContractTarget {
  return {
    name,
    dialect: "sqlite",
    migrations,
    isUniqueViolation,
    async place() {
      const { dir, cleanup } = tempDir();
      const file = (store: string) => join(dir, `${store}.db`);
      return {
        open: (store, options = {}) =>
          options.migrations === undefined && options.busyTimeoutMs === undefined
            ? openStore({ path: file(store), driver })
            : openStoreWith(
                (p) => connect(driver, p),
                { path: file(store) },
                options.migrations ?? migrations,
                {
                  busyTimeoutMs: options.busyTimeoutMs ?? 5000,
                },
              ),
        async sql(store, text) {
          const conn = await connect(driver, file(store));
          try {
            if (/^\s*select\b/i.test(text)) return conn.scalar(text);
            conn.exec(text);
            return undefined;
          } finally {
            conn.close();
          }
        },
        async createEmpty(store) {
          const conn = await connect(driver, file(store));
          try {
            conn.exec("PRAGMA user_version = 0");
          } finally {
            conn.close();
          }
        },
        async holdWriteLock(store) {
          const holder = await connect(driver, file(store));
          holder.exec("BEGIN IMMEDIATE");
          return async () => {
            holder.exec("COMMIT");
            holder.close();
          };
        },
        writerChild: (store, count) => ({
          argv: [
            fileURLToPath(new URL("./writer-child.mjs", import.meta.url)),
            driver,
            file(store),
            String(count),
          ],
        }),
        cleanup: async () => cleanup(),
      };
    },
  };
}
