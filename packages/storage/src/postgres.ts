import type { Store } from "@apikey/core/store";
import type { IfMissing } from "./missing-store.ts";
import { connectNodePostgres } from "./pg/drivers/node-postgres.ts";
import { openPgStoreWith, parseDatabaseUrl, pgStoreExistsWith } from "./pg/open.ts";

// The entry for a store on a PostgreSQL server (a team's shared store: several bots and gateways at once), through
// node-postgres. TLS comes from the URL as node-postgres reads it: sslmode, sslrootcert, sslcert, sslkey.

export { redactConnectionString } from "./pg/connection-string.ts";
export { isPostgresUrl } from "./pg/open.ts";

export interface OpenPgStoreOptions {
  /** postgres://user:password@host:port/database?sslmode=verify-full&schema=apikey */
  url: string;
  /** What the URL is called in an error about the URL itself (e.g. the variable it came from); never its value. */
  label?: string;
  /** Default "create"; "empty" is refused like "refuse" (there is no in-memory stand-in for a server). */
  ifMissing?: IfMissing;
}

export function openStore(options: OpenPgStoreOptions): Promise<Store> {
  const { url, schema, location } = parseDatabaseUrl(options.url, options.label);
  return openPgStoreWith((s, tuning) => connectNodePostgres(url, s, tuning), location, {
    schema,
    ...(options.ifMissing !== undefined && { ifMissing: options.ifMissing }),
  });
}

/** Whether the URL's database (and schema) holds an apikey store; connects once and creates nothing. */
export function storeExists(options: Pick<OpenPgStoreOptions, "url" | "label">): Promise<boolean> {
  const { url, schema, location } = parseDatabaseUrl(options.url, options.label);
  return pgStoreExistsWith((s, tuning) => connectNodePostgres(url, s, tuning), location, schema);
}
