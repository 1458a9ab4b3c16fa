// Vendored from packages/storage/src/sqlite/raw-statement.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { StoreDb } from "../drivers/types.ts";

// A statement prepared once on the driver's own client, for the few written on every usage commit. Drizzle's
// builder costs several microseconds per call — as much as SQLite's own work for a one-row update — and these run
// once per key and per gateway token in every group commit. Only where the client can prepare (better-sqlite3);
// elsewhere the caller uses the builder.

export interface RawStatement {
  run(...params: unknown[]): unknown;
}

const prepared = new WeakMap<object, Map<string, RawStatement | null>>();

export function rawStatement(db: StoreDb, text: string): RawStatement | null {
  let cache = prepared.get(db);
  if (!cache) {
    cache = new Map();
    prepared.set(db, cache);
  }
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const client = (db as { $client?: { prepare?: unknown } }).$client;
  const statement =
    client && typeof client.prepare === "function"
      ? (client.prepare as (sql: string) => RawStatement).call(client, text)
      : null;
  cache.set(text, statement);
  return statement;
}
