import { ApikeyError } from "@apikey/core/errors";
import type { MigrationMeta } from "drizzle-orm/migrator";
import type { PgSession } from "./session.ts";

// What "an apikey store" is on PostgreSQL, as store-identity.ts says it for SQLite: a schema whose Drizzle
// migrations table records apikey's first migration. A schema where apikey has applied nothing yet may become a
// store only while it holds nothing else: pointing APIKEY_DATABASE_URL at an application's database (its `public`
// schema full of the app's tables) must not scatter apikey's tables among them, and another Drizzle app's
// migrations table in that schema is not "a store written by a newer apikey". Runs inside the migration
// transaction, after its lock, so nothing the check refuses is left behind (the bookkeeping table it just created
// is rolled back with it).

const MIGRATIONS_TABLE = "__drizzle_migrations";
/** Names shown in the message: enough to recognise whose schema it is. Table names are not secrets. */
const SHOWN = 3;

export async function assertApikeySchema(
  session: PgSession,
  applied: readonly number[],
  migrations: readonly MigrationMeta[],
  location: string,
): Promise<void> {
  const first = migrations[0]?.folderMillis;
  if (applied.length > 0) {
    if (first !== undefined && applied.includes(first)) return;
    throw notAStore(location, "foreign_migrations", []);
  }
  const others = await session.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
      "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relname <> $1 " +
      "ORDER BY c.relname",
    [MIGRATIONS_TABLE],
  );
  if (others.length > 0)
    throw notAStore(
      location,
      "foreign_tables",
      others.map((r) => r.name),
    );
}

function notAStore(
  location: string,
  reason: "foreign_tables" | "foreign_migrations",
  names: string[],
): ApikeyError {
  const shown = names.slice(0, SHOWN).map((n) => JSON.stringify(n));
  const more = names.length > SHOWN ? ` and ${names.length - SHOWN} more` : "";
  const what =
    reason === "foreign_tables"
      ? `its schema already holds other tables (${shown.join(", ")}${more})`
      : "its schema holds another program's Drizzle migrations";
  return new ApikeyError(
    "E_NOT_A_STORE",
    `${location} is not an apikey key store: ${what}; it was left untouched.`,
    {
      hint: "Give apikey a schema of its own: add ?schema=apikey to APIKEY_DATABASE_URL (it is created if missing).",
      details: { reason, location, tables: names.slice(0, SHOWN) },
    },
  );
}
