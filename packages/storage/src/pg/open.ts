import type { Store } from "@apikey/core/store";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { type IfMissing, noStoreError } from "../missing-store.ts";
import { type ConnectionString, isPostgresUrl, readConnectionString } from "./connection-string.ts";
import { toPgStoreError } from "./errors.ts";
import { migratePgStore } from "./migrate.ts";
import { pgMigrations } from "./migrations.generated.ts";
import { DEFAULT_PG_TUNING, type PgSession, type PgTuning, quoteIdent } from "./session.ts";
import { createPgStore } from "./store.ts";

/** Opens one session, set up for `schema` and the tuning, without creating or migrating anything. */
export type PgConnect = (schema: string | undefined, tuning: PgTuning) => Promise<PgSession>;

/** Connects, migrates and wraps a session as a Store; `location` names it in messages (never with a password). */
export async function openPgStoreWith(
  connect: PgConnect,
  location: string,
  options: { schema?: string; migrations?: MigrationMeta[]; tuning?: PgTuning; ifMissing?: IfMissing } = {},
): Promise<Store> {
  let session: PgSession | undefined;
  try {
    session = await connect(options.schema, options.tuning ?? DEFAULT_PG_TUNING);
    if ((options.ifMissing ?? "create") !== "create") {
      // No store here and no right to make one: create no schema, no table. A server has no in-memory stand-in,
      // so "empty" reads are refused here too.
      if (!(await pgStorePresent(session))) throw noStoreError(location);
    } else if (options.schema !== undefined) {
      await session.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
    }
    await migratePgStore(session, options.migrations ?? pgMigrations, location);
    return createPgStore(session, location);
  } catch (err) {
    await session?.close().catch(() => {});
    throw toPgStoreError(err, location);
  }
}

/** Whether the session's schema holds an apikey store (its migrations table), creating nothing. */
export async function pgStorePresent(session: PgSession): Promise<boolean> {
  const [row] = await session.query<{ present: boolean }>(
    "SELECT to_regclass('__drizzle_migrations') IS NOT NULL AS present",
  );
  return row?.present === true;
}

/** Connects only to ask whether a store is there (see pgStorePresent); creates, migrates and keeps nothing. */
export async function pgStoreExistsWith(
  connect: PgConnect,
  location: string,
  schema?: string,
): Promise<boolean> {
  let session: PgSession | undefined;
  try {
    session = await connect(schema, DEFAULT_PG_TUNING);
    return await pgStorePresent(session);
  } catch (err) {
    throw toPgStoreError(err, location);
  } finally {
    await session?.close().catch(() => {});
  }
}

/**
 * Splits apikey's own `schema` parameter off a postgres:// URL (node-postgres would pass it to the server as a
 * setting) and names the store for messages without any secret (see connection-string.ts).
 */
export function parseDatabaseUrl(url: string, label?: string): ConnectionString {
  return readConnectionString(url, label);
}

export { isPostgresUrl };
