import type { Store } from "@apikey/core/store";
import { connectBetterSqlite3 } from "./drivers/better-sqlite3.ts";
import { type OpenStoreOptions, openSqliteStore } from "./open.ts";

// The entry for Node fronts that may load a native addon (the CLI, the Slack bot, the gateway).

export type { OpenStoreOptions } from "./open.ts";

export function openStore(options: OpenStoreOptions): Promise<Store> {
  return openSqliteStore(connectBetterSqlite3, options);
}
