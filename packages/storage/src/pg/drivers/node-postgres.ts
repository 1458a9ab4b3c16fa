import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { PgDb, PgSession, PgTuning } from "../session.ts";
import { sessionSetup } from "../session.ts";

/**
 * One node-postgres connection. TLS and everything else come from the URL as node-postgres reads it (sslmode,
 * sslrootcert, sslcert, sslkey…); `schema` puts the store in that schema instead of the search_path's first.
 */
export async function connectNodePostgres(
  url: string,
  schema: string | undefined,
  tuning: PgTuning,
): Promise<PgSession> {
  const client = new pg.Client({ connectionString: url, application_name: "apikey" });
  // A dropped connection emits 'error' on the client; unhandled, that would end the process. The next query on it
  // fails with the same error, which the store reports.
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query(sessionSetup(schema, tuning));
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
  const db = drizzle({ client }) as unknown as PgDb;
  let open = true;
  return {
    db,
    async query<R>(text: string, params?: unknown[]) {
      const result = await client.query(text, params);
      return result.rows as R[];
    },
    async exec(text) {
      await client.query(text);
    },
    exclusive: (work) => work(),
    async close() {
      if (!open) return;
      open = false;
      await client.end();
    },
  };
}
