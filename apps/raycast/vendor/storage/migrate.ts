// Vendored from packages/storage/src/migrate.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError } from "../core/errors.ts";
import type { MigrationMeta } from "drizzle-orm/migrator";
import type { Connection } from "./drivers/types.ts";

const TABLE = "__drizzle_migrations";

/** created_at of the newest migration applied to this database; 0 for a new or empty one. */
export function appliedMigrationMillis(conn: Connection): number {
  const exists = conn.scalar(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '${TABLE}'`);
  if (Number(exists) === 0) return 0;
  return Number(conn.scalar(`SELECT max(created_at) FROM ${TABLE}`) ?? 0);
}

/**
 * How many migrations this database has applied that are not in `migrations`. A newer apikey's migration usually
 * sorts last, but one merged from a parallel branch can carry an older timestamp: any unknown entry means a
 * build that knows more wrote this store.
 */
export function unknownMigrationCount(conn: Connection, migrations: MigrationMeta[]): number {
  const exists = conn.scalar(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '${TABLE}'`);
  if (Number(exists) === 0) return 0;
  // folderMillis are integers from the embedded journal, never user input.
  const known = migrations.map((m) => Math.trunc(m.folderMillis)).join(", ") || "NULL";
  return Number(conn.scalar(`SELECT count(*) FROM ${TABLE} WHERE created_at NOT IN (${known})`) ?? 0);
}

/**
 * Brings the database up to `migrations` with Drizzle's own logic. Refuses a database written by a newer apikey.
 * Two processes opening a new store at once can race here; the loser's migration fails ("table already exists")
 * and rolls back, so if the database is current afterwards, the failure was that race and is harmless.
 */
export async function migrateStore(
  conn: Connection,
  migrations: MigrationMeta[],
  location: string,
): Promise<void> {
  const known = migrations.at(-1)?.folderMillis ?? 0;
  const applied = appliedMigrationMillis(conn);
  if (applied > known || unknownMigrationCount(conn, migrations) > 0) {
    throw new ApikeyError("E_STORE_TOO_NEW", `The key store at ${location} was written by a newer apikey.`, {
      hint: "Upgrade apikey to the latest version, then retry.",
    });
  }
  if (applied === known) return;
  try {
    await conn.migrate(migrations);
  } catch (err) {
    if (appliedMigrationMillis(conn) >= known) return;
    throw err;
  }
}
