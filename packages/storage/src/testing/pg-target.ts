// The store contract's PostgreSQL targets: PGlite in this process, and a real server (the URL of one that
// ./pg-server.ts started). Each test gets its own schema prefix; store `name` lives in schema `<prefix>_<name>`.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { connectNodePostgres } from "../pg/drivers/node-postgres.ts";
import { connectPglite, type PgliteHub } from "../pg/drivers/pglite.ts";
import { isUniqueViolation } from "../pg/errors.ts";
import { pgMigrations } from "../pg/migrations.generated.ts";
import { openPgStoreWith, type PgConnect } from "../pg/open.ts";
import { DEFAULT_PG_TUNING, type PgSession, quoteIdent } from "../pg/session.ts";
import type { ContractPlace, ContractTarget } from "./contract-target.ts";

function pgTarget(
  name: string,
  connectTo: () => Promise<PgConnect>,
  writerChild: (schema: string, count: number) => { argv: string[] } | { cannot: string },
  /** Whether cleanup drops the test's schemas; not where the whole database is thrown away after the file. */
  dropSchemas: boolean,
): ContractTarget {
  return {
    name,
    dialect: "postgres",
    migrations: pgMigrations,
    isUniqueViolation,
    async place(): Promise<ContractPlace> {
      const connect = await connectTo();
      const prefix = `t_${randomBytes(6).toString("hex")}`;
      const schema = (store: string) => `${prefix}_${store}`;
      const schemas = new Set<string>();
      const session = async (store: string): Promise<PgSession> => {
        schemas.add(schema(store));
        return connect(schema(store), DEFAULT_PG_TUNING);
      };
      const withSession = async <T>(store: string, work: (s: PgSession) => Promise<T>): Promise<T> => {
        const s = await session(store);
        try {
          return await s.exclusive(() => work(s));
        } finally {
          await s.close();
        }
      };
      return {
        open(store, options = {}) {
          schemas.add(schema(store));
          const migrations: MigrationMeta[] | undefined = options.migrations;
          const tuning = { busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_PG_TUNING.busyTimeoutMs };
          return openPgStoreWith(connect, `${name}:${schema(store)}`, {
            schema: schema(store),
            tuning,
            ...(migrations ? { migrations } : {}),
          });
        },
        sql: (store, text) =>
          withSession(store, async (s) => {
            const [row] = await s.query<Record<string, unknown>>(text);
            if (!row) return undefined;
            const value = Object.values(row)[0];
            // count(*) and bigint columns arrive as strings from node-postgres.
            return typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
          }),
        // A new schema is an empty store: session() creates it.
        createEmpty: (store) => withSession(store, async () => {}),
        async holdWriteLock(store) {
          const s = await session(store);
          let release = () => {};
          const released = new Promise<void>((resolve) => {
            release = resolve;
          });
          let locked = () => {};
          const isLocked = new Promise<void>((resolve) => {
            locked = resolve;
          });
          const held = s.exclusive(async () => {
            await s.exec("BEGIN; SELECT 1 FROM store_version WHERE id = 1 FOR UPDATE");
            locked();
            await released;
            await s.exec("COMMIT");
          });
          await Promise.race([isLocked, held]);
          return async () => {
            release();
            await held;
            await s.close();
          };
        },
        writerChild: (store, count) => writerChild(schema(store), count),
        async cleanup() {
          if (!dropSchemas || schemas.size === 0) return;
          await withSession("cleanup", (s) =>
            s.exec(
              [...schemas, schema("cleanup")]
                .map((x) => `DROP SCHEMA IF EXISTS ${quoteIdent(x)} CASCADE`)
                .join("; "),
            ),
          );
        },
      };
    },
  };
}

/** PGlite, one instance shared by every test of the file (starting one takes seconds). */
export function pgliteTarget(hub: () => PgliteHub): ContractTarget {
  return pgTarget(
    "PGlite",
    async () => (schema, tuning) => connectPglite(hub(), schema, tuning),
    () => ({
      cannot:
        "PGlite is one session inside this process: no other process can open it (the server run covers this)",
    }),
    // One in-memory instance for the whole file: what is dropped is memory back.
    true,
  );
}

/**
 * A real server at `url()`; the writer child connects with node-postgres. The database is the file's own on a
 * throw-away server (pg-server.ts), so the test's schemas are left to go with it: dropping them took about a
 * sixth of the file's time, for nothing any test reads (each test's schemas have a fresh random prefix).
 */
export function pgServerTarget(url: () => string): ContractTarget {
  return pgTarget(
    "PostgreSQL",
    async () => (schema, tuning) => connectNodePostgres(url(), schema, tuning),
    (schema, count) => ({
      argv: [fileURLToPath(new URL("./pg-writer-child.mjs", import.meta.url)), url(), schema, String(count)],
    }),
    false,
  );
}
