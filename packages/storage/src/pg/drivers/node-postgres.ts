import { ApikeyError } from "@apikey/core/errors";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { PgDb, PgSession, PgTuning } from "../session.ts";
import { sessionSetup } from "../session.ts";

/** The server ended the session (57P01-57P03: shutdown, crash), or the socket is gone (class 08, client errors). */
function connectionLost(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, i = 0;
    e && i < 5;
    i++
  ) {
    if (typeof e.code === "string" && /^(57P0[123]|08)/.test(e.code)) return true;
    if (typeof e.message === "string" && /Connection terminated|not queryable|ECONNRESET/.test(e.message))
      return true;
    e = e.cause as typeof e;
  }
  return false;
}

/**
 * node-postgres reads the URL (and the files its sslkey, sslcert and sslrootcert name) when the client is made.
 * Its errors quote what it tried to open, which may be a key pasted in place of a path: none of it is kept.
 */
function newClient(url: string): pg.Client {
  try {
    return new pg.Client({ connectionString: url, application_name: "apikey" });
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) {
      throw new ApikeyError(
        "E_USAGE",
        `A file the PostgreSQL URL names (sslkey, sslcert or sslrootcert) cannot be read (${code}): give the path of a readable file.`,
        { details: { reason: "database_url_file", problem: code } },
      );
    }
    throw new ApikeyError("E_USAGE", "node-postgres refused the PostgreSQL URL's settings.", {
      details: { reason: "database_url_invalid", problem: "settings" },
    });
  }
}

interface Connection {
  client: pg.Client;
  db: PgDb;
  broken: boolean;
}

/**
 * One node-postgres connection. TLS and everything else come from the URL as node-postgres reads it (sslmode,
 * sslrootcert, sslcert, sslkey…); `schema` puts the store in that schema instead of the search_path's first.
 *
 * A long-running gateway or bot outlives connections (a server restart, a failover, an idle cut by a proxy): once
 * the connection breaks, the next statement outside a transaction opens a new one. Inside a transaction it never
 * does — the rest of that transaction would run outside it — so the transaction fails and rolls back instead.
 */
export async function connectNodePostgres(
  url: string,
  schema: string | undefined,
  tuning: PgTuning,
): Promise<PgSession> {
  const connect = async (): Promise<Connection> => {
    const client = newClient(url);
    const connection: Connection = { client, db: drizzle({ client }) as unknown as PgDb, broken: false };
    // A dropped connection emits 'error' on the client; unhandled, that would end the process.
    client.on("error", () => {
      connection.broken = true;
    });
    client.on("end", () => {
      connection.broken = true;
    });
    await client.connect();
    try {
      await client.query(sessionSetup(schema, tuning));
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    return connection;
  };

  let current = await connect();
  let inTransaction = false;
  let open = true;
  const usable = async (): Promise<Connection> => {
    if (current.broken && !inTransaction && open) {
      await current.client.end().catch(() => {});
      current = await connect();
    }
    return current;
  };
  const run = async (text: string, params?: unknown[]) => {
    const starts = /^\s*begin\b/i.test(text);
    const ends = /^\s*(commit|rollback)\b/i.test(text);
    const connection = await usable();
    if (starts) inTransaction = true;
    try {
      return await connection.client.query(text, params);
    } finally {
      if (ends) inTransaction = false;
    }
  };
  // Repositories keep this object; it always speaks through the current connection.
  const db = new Proxy({} as PgDb, { get: (_, property) => Reflect.get(current.db, property) });
  return {
    db,
    async query<R>(text: string, params?: unknown[]) {
      return (await run(text, params)).rows as R[];
    },
    async exec(text) {
      await run(text);
    },
    // Every store operation starts here: the place to replace a broken connection, and to notice one that broke
    // under a statement before the client's events say so.
    async exclusive(work) {
      await usable();
      const connection = current;
      try {
        return await work();
      } catch (err) {
        if (connectionLost(err)) connection.broken = true;
        throw err;
      }
    },
    async close() {
      if (!open) return;
      open = false;
      await current.client.end().catch(() => {});
    },
  };
}
