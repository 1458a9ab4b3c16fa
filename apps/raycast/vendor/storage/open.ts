// Vendored from packages/storage/src/open.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { randomBytes } from "node:crypto";
import { existsSync, linkSync, rmSync, statSync } from "node:fs";
import { ApikeyError } from "../core/errors.ts";
import type { Store } from "../core/store.ts";
import type { MigrationMeta } from "drizzle-orm/migrator";
import type { Connection } from "./drivers/types.ts";
import { toStoreError } from "./errors.ts";
import { ensureDatabaseFile, ensureDirectory, tightenModes } from "./files.ts";
import { migrateStore } from "./migrate.ts";
import { migrations as embedded } from "./migrations.generated.ts";
import { type IfMissing, noStoreError } from "./missing-store.ts";
import { createSqliteStore } from "./sqlite-store.ts";
import { assertApikeySchema, assertSqliteFile } from "./store-identity.ts";
import { assertSafeStore } from "./store-safety.ts";

/** Knobs tests turn; callers get the defaults. */
export interface OpenTuning {
  /** How long a statement waits for another connection's write lock before E_STORE_BUSY. */
  busyTimeoutMs: number;
}

const DEFAULT_TUNING: OpenTuning = { busyTimeoutMs: 5000 };

/** Opens one database file with one driver, without any setup. */
export type Connect = (path: string) => Connection | Promise<Connection>;

export interface OpenStoreOptions {
  /** The database file, e.g. `<dataDir>/apikey.db`. */
  path: string;
  /** Default "create" for library callers; the CLI decides per command (see apps/cli/src/program.ts). */
  ifMissing?: IfMissing;
  /**
   * Files whose presence proves a store was created here (the key file). An empty database file beside one is
   * damage (truncated, replaced), not a new store: E_STORE_CORRUPT instead of silently starting over.
   */
  evidence?: string[];
}

/** Opens (creating if asked) and migrates a store with the given driver. */
export function openSqliteStore(connect: Connect, options: OpenStoreOptions): Promise<Store> {
  return openStoreWith(connect, options, embedded);
}

/** openStore with an explicit migration list and tuning; tests use it to build older schemas. */
export async function openStoreWith(
  connect: Connect,
  options: OpenStoreOptions,
  migrations: MigrationMeta[],
  tuning: OpenTuning = DEFAULT_TUNING,
): Promise<Store> {
  const { path } = options;
  const ifMissing = options.ifMissing ?? "create";
  let conn: Connection | undefined;
  try {
    // Before anything is read or created: a directory or file others can write may hold a planted store.
    assertSafeStore(path);
    refuseDamage(path, options.evidence ?? []);
    if (!existsSync(path)) {
      if (ifMissing === "refuse") throw noStoreError(path);
      if (ifMissing === "empty") {
        // Nothing to read: an empty, migrated in-memory store answers exactly as a new store would.
        conn = await connect(":memory:");
        await migrateStore(conn, migrations, path);
        return createSqliteStore(conn, path);
      }
      await createStoreFile(connect, path, migrations);
    }
    // Whatever is at the path must be an apikey store before anything can write to it.
    assertSqliteFile(path);
    conn = await connect(path);
    // busy_timeout first: switching to WAL needs a lock another process may hold.
    conn.exec(`PRAGMA busy_timeout = ${Math.trunc(tuning.busyTimeoutMs)}`);
    const applied = assertApikeySchema(conn, path, migrations);
    conn.exec("PRAGMA journal_mode = WAL");
    conn.exec("PRAGMA synchronous = NORMAL");
    conn.exec("PRAGMA foreign_keys = ON");
    await migrateStore(conn, migrations, path, applied);
    tightenModes(path);
    return createSqliteStore(conn, path);
  } catch (err) {
    try {
      conn?.close();
    } catch {
      // Closing a half-open connection can fail too; report the first error.
    }
    throw toStoreError(err, path);
  }
}

/**
 * Builds a new store complete under a temporary name and links it into place, so a file at the store's path is
 * always a whole apikey store (never an empty file another process might mistake for damage or for a new store).
 * When another process links its own first, theirs is used.
 */
async function createStoreFile(connect: Connect, path: string, migrations: MigrationMeta[]): Promise<void> {
  ensureDirectory(path);
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.new`;
  try {
    ensureDatabaseFile(tmp);
    const conn = await connect(tmp);
    try {
      await migrateStore(conn, migrations, path);
    } finally {
      conn.close();
    }
    try {
      linkSync(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  } finally {
    for (const leftover of [tmp, `${tmp}-journal`, `${tmp}-wal`, `${tmp}-shm`])
      rmSync(leftover, { force: true });
  }
}

/** An empty database file where the evidence says a store existed: refuse rather than build a new one over it. */
function refuseDamage(path: string, evidence: string[]): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return;
  }
  if (size === 0 && evidence.some((file) => existsSync(file))) {
    throw new ApikeyError(
      "E_STORE_CORRUPT",
      `The key store at ${path} is empty, but a store was created here.`,
      {
        details: { reason: "empty_database", path },
      },
    );
  }
}
