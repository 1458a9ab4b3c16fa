import { ApikeyError } from "@apikey/core/errors";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { assertApikeySchema } from "./schema-identity.ts";
import type { PgSession } from "./session.ts";

// Drizzle's own bookkeeping table and columns, kept in the store's schema (not Drizzle's default "drizzle" schema)
// so that several stores can share one database, each in its schema.
const TABLE = "__drizzle_migrations";

/**
 * Brings the store's schema up to `migrations` in one transaction. An advisory lock per schema makes processes that
 * open a new store at the same moment take turns: the second finds the work done. Refuses a schema written by a
 * newer apikey (a migration this build does not know), as the SQLite store does.
 */
export async function migratePgStore(
  session: PgSession,
  migrations: MigrationMeta[],
  location: string,
): Promise<void> {
  await session.exclusive(async () => {
    await session.exec("BEGIN");
    try {
      await session.exec(
        `SELECT pg_advisory_xact_lock(hashtext('apikey.migrate:' || current_schema())); ` +
          `CREATE TABLE IF NOT EXISTS ${TABLE} (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
      );
      const rows = await session.query<{ created_at: string | number }>(`SELECT created_at FROM ${TABLE}`);
      const applied = rows.map((r) => Number(r.created_at));
      await assertApikeySchema(session, applied, migrations, location);
      const known = new Set(migrations.map((m) => m.folderMillis));
      if (applied.some((millis) => !known.has(millis))) {
        throw new ApikeyError(
          "E_STORE_TOO_NEW",
          `The key store at ${location} was written by a newer apikey.`,
          {
            hint: "Upgrade apikey to the latest version, then retry.",
            details: { location },
          },
        );
      }
      const last = applied.length === 0 ? 0 : Math.max(...applied);
      for (const migration of migrations) {
        if (migration.folderMillis <= last) continue;
        // A migration's statements in one round trip (each ends in ";", and a query without parameters may hold
        // several; still inside the transaction above): a round trip per statement, 57 for a new store, was about
        // a quarter of the time its first open took on a local server.
        const statements = migration.sql.filter((statement) => statement.trim() !== "");
        if (statements.length > 0) await session.exec(statements.join("\n"));
        await session.query(`INSERT INTO ${TABLE} (hash, created_at) VALUES ($1, $2)`, [
          migration.hash,
          migration.folderMillis,
        ]);
      }
      await session.exec("COMMIT");
    } catch (err) {
      await session.exec("ROLLBACK").catch(() => {});
      throw err;
    }
  });
}
