import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

/** Both drivers' Drizzle databases (node-postgres, PGlite); repositories use only what they share. */
export type PgDb = PgDatabase<PgQueryResultHKT, Record<string, never>>;

/**
 * One PostgreSQL session (a connection) that a store uses alone, so session state — the open transaction, the
 * search_path naming the store's schema, the apikey.own_commits count behind dataVersion() — is the store's own.
 */
export interface PgSession {
  readonly db: PgDb;
  /** One statement with $1… parameters; rows as objects. */
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Statements without parameters, several at once, in one round trip. */
  exec(text: string): Promise<void>;
  /**
   * Runs `work` with the session to itself. A server connection is never shared, so this is just `work()`; PGlite
   * is one in-process session that several stores may share, and hands it over here (see drivers/pglite.ts).
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Knobs tests turn; callers get the defaults. */
export interface PgTuning {
  /** How long a write waits for another connection's write lock before E_STORE_BUSY (lock_timeout). */
  busyTimeoutMs: number;
}

export const DEFAULT_PG_TUNING: PgTuning = { busyTimeoutMs: 5000 };

/** A schema name as an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The session settings every store session starts with. */
export function sessionSetup(schema: string | undefined, tuning: PgTuning): string {
  const statements = [`SET lock_timeout = ${Math.max(1, Math.trunc(tuning.busyTimeoutMs))}`];
  // The schema itself is created only by an open that may create a store (see pg/open.ts); naming a missing one
  // in search_path is allowed and resolves once it exists.
  if (schema !== undefined) statements.push(`SET search_path TO ${quoteIdent(schema)}`);
  return statements.join("; ");
}
