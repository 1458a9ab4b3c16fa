// The hot path behind `apikey current`: one native module and node built-ins only. No Drizzle, no zod, no
// migrations: when the schema is not exactly the one this build knows, answer "stale" and let the caller take
// the full openStore path, which migrates and reports errors properly.
import { existsSync } from "node:fs";
import type { KekProviderName, KeyKind, KeyStatus } from "@apikey/core";
// A static import so a bundler can inline better-sqlite3's JavaScript: on this path each separately loaded
// module file costs about a millisecond. Only the native addon is loaded from disk (see `nativeBinding`).
import Database from "better-sqlite3";
import { LATEST_MIGRATION_MILLIS } from "./migrations.latest.ts";

export interface FastRow {
  keyId: string;
  name: string;
  status: KeyStatus;
  kind: KeyKind;
  ciphertext: Uint8Array;
  nonce: Uint8Array;
  kekProvider: KekProviderName;
  /** store_meta.kdf as stored: JSON text or null. */
  kdf: string | null;
  wrappedDek: Uint8Array;
  dekNonce: Uint8Array;
}

export interface FastReadOptions {
  /** Also set the key's last_used_at to this time, a Date or epoch ms (best effort: a read-only store still answers). */
  touch?: Date | number;
  /** Path of better_sqlite3.node, for bundles in which better-sqlite3 cannot find its own addon. */
  nativeBinding?: string;
}

const ACTIVE_KEY_SQL = `
  SELECT k.id AS keyId, k.name, k.status, k.kind, k.ciphertext, k.nonce,
         m.kek_provider AS kekProvider, m.kdf, m.wrapped_dek AS wrappedDek, m.dek_nonce AS dekNonce
  FROM profiles p
  JOIN keys k ON k.id = p.active_key_id
  JOIN store_meta m ON m.id = 1
  WHERE p.name = ?`;

function isSqliteError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_");
}

/** The active key of `profile` with what is needed to decrypt it; null when there is none; "stale" = use openStore. */
export function readActiveKeyRow(
  dbPath: string,
  profile: string,
  options: FastReadOptions = {},
): FastRow | null | "stale" {
  if (!existsSync(dbPath)) return null;
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, {
      fileMustExist: true,
      // Read-only unless we write last_used_at: closing a read-only connection never checkpoints the WAL.
      readonly: options.touch === undefined,
      ...(options.nativeBinding !== undefined && { nativeBinding: options.nativeBinding }),
    });
    db.pragma("busy_timeout = 5000");
    const applied = db.prepare("SELECT max(created_at) FROM __drizzle_migrations").pluck().get();
    if (Number(applied) !== LATEST_MIGRATION_MILLIS) return "stale";
    const row = db.prepare(ACTIVE_KEY_SQL).get(profile) as FastRow | undefined;
    if (row === undefined) return null;
    if (options.touch !== undefined) {
      try {
        db.pragma("synchronous = NORMAL");
        db.prepare("UPDATE keys SET last_used_at = ? WHERE id = ?").run(Number(options.touch), row.keyId);
      } catch {
        // last_used_at is bookkeeping; never fail a read over it.
      }
    }
    return row;
  } catch (err) {
    // No migrations table, a damaged file, a busy store: the full path knows how to report or fix each.
    if (isSqliteError(err)) return "stale";
    throw err;
  } finally {
    db?.close();
  }
}
