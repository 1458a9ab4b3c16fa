// Vendored from packages/storage/src/node-sqlite.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { Store } from "../core/store.ts";
import { connectNodeSqlite } from "./drivers/node-sqlite.ts";
import { type OpenStoreOptions, openSqliteStore } from "./open.ts";

// The entry with no native code: Node's built-in node:sqlite (Node >= 22.5), for Raycast's runtime and any bundle
// that may not ship a .node file. Nothing here touches import.meta or loads a module at import time.

export type { IfMissing } from "./missing-store.ts";
export type { OpenStoreOptions } from "./open.ts";

export function openStore(options: OpenStoreOptions): Promise<Store> {
  return openSqliteStore(connectNodeSqlite, options);
}
