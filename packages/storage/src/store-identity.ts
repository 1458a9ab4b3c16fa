// What "an apikey store" is, in one place: a SQLite database whose Drizzle migrations table records apikey's first
// migration. A new store is no file at all (it is built under a temporary name and linked into place complete),
// so anything else at the store's path — an empty or one-byte file, a text file, another program's SQLite
// database — is someone else's, and is refused without a byte of it changing.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { ApikeyError } from "@apikey/core/errors";
import type { MigrationMeta } from "drizzle-orm/migrator";
import type { Connection } from "./drivers/types.ts";
import { sqliteErrorCode } from "./errors.ts";
import { appliedMigrations } from "./migrate.ts";

const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");

function notAStore(path: string, reason: string, cause?: unknown): ApikeyError {
  return new ApikeyError(
    "E_NOT_A_STORE",
    `${path} is not an apikey key store (${reason.replaceAll("_", " ")}); it was left untouched.`,
    {
      hint: `Point APIKEY_HOME at the right directory, or move ${path} aside if it is not needed.`,
      details: { reason, path },
      ...(cause !== undefined && { cause }),
    },
  );
}

/**
 * Before SQLite sees the file: it must start with SQLite's header. A crash right after creation in WAL mode can
 * leave the pages in -wal only, so an empty main file beside a non-empty -wal is left for SQLite to read.
 */
export function assertSqliteFile(path: string): void {
  const size = statSync(path).size;
  if (size === 0) {
    if (fileSize(`${path}-wal`) > 0) return;
    throw notAStore(path, "empty_file");
  }
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) throw notAStore(path, "not_sqlite");
}

/**
 * After connecting, before anything writes (no journal-mode switch, no migration): the database must hold apikey's
 * migrations table with apikey's first migration in it. Read-only queries only. Returns what it read (every applied
 * migration's created_at), for migrateStore.
 */
export function assertApikeySchema(conn: Connection, path: string, migrations: MigrationMeta[]): number[] {
  const first = migrations[0]?.folderMillis;
  let applied: number[] | null;
  try {
    applied = appliedMigrations(conn);
  } catch (err) {
    // Only "not a database" means someone else's file; a busy, damaged or unwritable store is still ours, and is
    // reported as that (toStoreError).
    if (sqliteErrorCode(err)?.startsWith("SQLITE_NOTADB")) throw notAStore(path, "not_sqlite", err);
    throw err;
  }
  if (applied === null || first === undefined || !applied.includes(Math.trunc(first))) {
    throw notAStore(path, "no_apikey_tables");
  }
  return applied;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
