// Aliased: fronts bundle this file, and a common esbuild banner declares `createRequire` at the top level.
import { createRequire as requireFrom } from "node:module";
import type { Store } from "@apikey/core/store";
import { betterSqlite3Addon } from "./drivers/addon.ts";
import { startBackgroundCheckpoints } from "./drivers/background-checkpoints.ts";
import { connectBetterSqlite3 } from "./drivers/better-sqlite3.ts";
import type { Connection } from "./drivers/types.ts";
import { type OpenStoreOptions, openSqliteStore } from "./open.ts";

// The entry for Node fronts that may load a native addon (the CLI, the Slack bot, the gateway).

export type { IfMissing } from "./missing-store.ts";
export type { OpenStoreOptions } from "./open.ts";

export interface BetterSqliteOpenOptions extends OpenStoreOptions {
  /**
   * For a long-running server (the gateway): checkpoint the WAL on a worker thread instead of inside a commit on
   * this thread, so no request waits for a checkpoint's fsyncs. Short commands leave it off (a worker costs
   * start-up time).
   */
  backgroundCheckpoints?: boolean;
  /** Told if the checkpoint worker fails and the store falls back to SQLite's automatic checkpoint. */
  onCheckpointFallback?: (reason: string) => void;
}

export async function openStore(options: BetterSqliteOpenOptions): Promise<Store> {
  if (!options.backgroundCheckpoints) return openSqliteStore(connectBetterSqlite3, options);
  let conn: Connection | undefined;
  const store = await openSqliteStore((path) => {
    // A read-only open of a missing file answers from memory: there is no WAL to checkpoint.
    if (path !== ":memory:") conn = connectBetterSqlite3(path);
    return conn ?? connectBetterSqlite3(path);
  }, options);
  if (!conn) return store;
  const connection = conn;
  const checkpoints = startBackgroundCheckpoints({
    path: options.path,
    driver: requireFrom(import.meta.url).resolve("better-sqlite3"),
    addon: betterSqlite3Addon(),
    setAutoCheckpoint: (pages) => connection.exec(`PRAGMA wal_autocheckpoint = ${pages}`),
    onFallback: options.onCheckpointFallback,
  });
  return {
    ...store,
    close: async () => {
      await checkpoints.stop();
      await store.close();
    },
  };
}
