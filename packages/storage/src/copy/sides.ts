// The two ends of a copy, as raw Drizzle databases over the same tables: a SQLite file or a PostgreSQL schema.
// Rows read through either schema have the same shape (Date, Buffer, number, string), so a row read from one side
// inserts into the other unchanged. Each side is opened as a Store first, so both are migrated to this build's schema.

import { openStore as openSqliteStore } from "../better-sqlite3.ts";
import { connectBetterSqlite3 } from "../drivers/better-sqlite3.ts";
import { isPostgresUrl, looksLikeUrl } from "../pg/connection-string.ts";
import { connectNodePostgres } from "../pg/drivers/node-postgres.ts";
import { openPgStoreWith, parseDatabaseUrl } from "../pg/open.ts";
import * as pg from "../pg/schema.ts";
import { DEFAULT_PG_TUNING } from "../pg/session.ts";
import * as sqlite from "../schema.ts";

export type Endpoint = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

/**
 * postgres:// and postgresql:// URLs are PostgreSQL stores, read (and refused when unreadable) here, before anything
 * is opened; any other URL is refused; anything else is a SQLite file path. `label` names the value in errors.
 */
export function endpointFrom(value: string, label = "The store's URL"): Endpoint {
  if (isPostgresUrl(value) || looksLikeUrl(value)) {
    parseDatabaseUrl(value, label);
    return { kind: "postgres", url: value.trim() };
  }
  return { kind: "sqlite", path: value };
}

/** Where an endpoint is, for messages: never a password. */
export function describeEndpoint(e: Endpoint): string {
  return e.kind === "sqlite" ? e.path : parseDatabaseUrl(e.url).location;
}

/** The tables a copy moves, parents before children. usage_daily and usage_reported_daily are rebuilt from the rows instead. */
export const COPIED = [
  "profiles",
  "keys",
  "masterKeySlots",
  "storeMeta",
  "settings",
  "storeSecrets",
  "oauthProviders",
  "marks",
  "gatewayTokens",
  "pendingDeactivations",
  "auditLog",
  "usageEvents",
  // With the sync cursor in settings: a target holding the cursor but not the rows would never fetch them again.
  "usageReported",
] as const;
export type Copied = (typeof COPIED)[number];
/** Tables with a generated integer id, read in pages of ids. */
export const PAGED = new Set<Copied>(["pendingDeactivations", "auditLog", "usageEvents"]);

export interface Side {
  dialect: "sqlite" | "postgres";
  // biome-ignore lint/suspicious/noExplicitAny: the two dialects' Drizzle databases, used through what they share
  db: any;
  // biome-ignore lint/suspicious/noExplicitAny: either dialect's table objects (same names, columns and shapes)
  tables: Record<Copied | "usageDaily" | "usageReportedDaily", any>;
  exec(sql: string): Promise<void>;
  /** First column of the first row, as a number. */
  count(sql: string): Promise<number>;
  close(): Promise<void>;
}

const pick = <T extends Record<string, unknown>>(schema: T) => ({
  profiles: schema.profiles,
  keys: schema.keys,
  masterKeySlots: schema.masterKeySlots,
  storeMeta: schema.storeMeta,
  settings: schema.settings,
  storeSecrets: schema.storeSecrets,
  oauthProviders: schema.oauthProviders,
  marks: schema.marks,
  gatewayTokens: schema.gatewayTokens,
  pendingDeactivations: schema.pendingDeactivations,
  auditLog: schema.auditLog,
  usageEvents: schema.usageEvents,
  usageDaily: schema.usageDaily,
  usageReported: schema.usageReported,
  usageReportedDaily: schema.usageReportedDaily,
});

/** The source must exist (nothing is created on it); the target is created when missing. */
export async function openSide(endpoint: Endpoint, ifMissing: "create" | "refuse"): Promise<Side> {
  if (endpoint.kind === "sqlite") {
    await (await openSqliteStore({ path: endpoint.path, ifMissing })).close();
    const conn = connectBetterSqlite3(endpoint.path);
    conn.exec("PRAGMA busy_timeout = 5000");
    conn.exec("PRAGMA foreign_keys = ON");
    return {
      dialect: "sqlite",
      db: conn.db,
      tables: pick(sqlite),
      exec: async (text) => conn.exec(text),
      count: async (text) => Number(conn.scalar(text) ?? 0),
      close: async () => conn.close(),
    };
  }
  const { url, schema, location } = parseDatabaseUrl(endpoint.url);
  const connect = (s: string | undefined) => connectNodePostgres(url, s, DEFAULT_PG_TUNING);
  await (await openPgStoreWith(connect, location, { schema, ifMissing })).close();
  const session = await connect(schema);
  return {
    dialect: "postgres",
    db: session.db,
    tables: pick(pg),
    exec: (text) => session.exec(text),
    count: async (text) => {
      const [row] = await session.query<Record<string, unknown>>(text);
      return Number(row ? Object.values(row)[0] : 0);
    },
    close: () => session.close(),
  };
}
