// Vendored from packages/storage/src/migrate.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError } from "../core/errors.ts";
import type { MigrationMeta } from "drizzle-orm/migrator";
import type { Connection } from "./drivers/types.ts";

const TABLE = "__drizzle_migrations";

/**
 * created_at of every migration applied to this database, in one read (null when it has no migrations table): the
 * store-identity check, the too-new check and the up-to-date check all answer from it, so opening a store reads
 * the journal once instead of once per question (Raycast opens the store at every action: issue 25).
 */
export function appliedMigrations(conn: Connection): number[] | null {
  const exists = conn.scalar(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '${TABLE}'`);
  if (Number(exists) === 0) return null;
  const list = conn.scalar(`SELECT group_concat(created_at) FROM ${TABLE}`);
  return list === null || list === undefined ? [] : String(list).split(",").map(Number);
}

/** created_at of the newest migration applied; 0 for a new or empty database. */
function newest(applied: readonly number[] | null): number {
  return applied === null || applied.length === 0 ? 0 : Math.max(...applied);
}

/**
 * Whether this database has applied a migration that is not in `migrations`. A newer apikey's migration usually
 * sorts last, but one merged from a parallel branch can carry an older timestamp: any unknown entry means a build
 * that knows more wrote this store.
 */
function hasUnknown(applied: readonly number[] | null, migrations: MigrationMeta[]): boolean {
  // folderMillis are integers from the embedded journal, never user input.
  const known = new Set(migrations.map((m) => Math.trunc(m.folderMillis)));
  return (applied ?? []).some((at) => !known.has(at));
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
  // What the caller read already (open.ts's identity check), so the journal is read once.
  read: number[] | null = appliedMigrations(conn),
): Promise<void> {
  const known = migrations.at(-1)?.folderMillis ?? 0;
  const applied = newest(read);
  if (applied > known || hasUnknown(read, migrations)) {
    throw new ApikeyError("E_STORE_TOO_NEW", `The key store at ${location} was written by a newer apikey.`, {
      hint: "Upgrade apikey to the latest version, then retry.",
    });
  }
  if (applied === known) return;
  try {
    await conn.migrate(migrations);
  } catch (err) {
    if (newest(appliedMigrations(conn)) >= known) return;
    throw err;
  }
}
