// The hot path behind `apikey current`: one native module and node built-ins only. No Drizzle, no zod, no
// migrations: when the schema is not exactly the one this build knows, answer "stale" and let the caller take
// the full openStore path, which migrates and reports errors properly.
import { existsSync } from "node:fs";
import type { KekProviderName, KeyKind, KeyStatus } from "@apikey/core";
// A static import so a bundler can inline better-sqlite3's JavaScript: on this path each separately loaded
// module file costs about a millisecond. Only the native addon is loaded from disk (drivers/addon.ts).
import Database from "better-sqlite3";
import { withAddon } from "./drivers/addon.ts";
import { LATEST_MIGRATION_MILLIS, MIGRATION_COUNT } from "./migrations.latest.ts";
import { findUnsafeStorePath } from "./store-safety.ts";

/** A master-key slot as the fast read returns it: params still JSON text. */
export interface FastSlot {
  kind: KekProviderName;
  params: string | null;
  wrappedDek: Uint8Array;
  dekNonce: Uint8Array;
}

export interface FastRow {
  keyId: string;
  name: string;
  profile: string;
  status: KeyStatus;
  kind: KeyKind;
  seal: number;
  /** ms since the epoch, or null. */
  lastUsedAt: number | null;
  /** When an OAuth access token expires (ms since the epoch); absent for a key that does not expire. */
  expiresAt?: number;
  ciphertext: Uint8Array;
  nonce: Uint8Array;
  /** Every master-key slot of the store. */
  slots: FastSlot[];
}

/** An open store positioned on the active key. Close it; call markUsed only once the key was really handed out. */
export interface ActiveKeyHandle {
  row: FastRow;
  /** Sets last_used_at (best effort: a read-only store still answers). */
  markUsed(at: Date | number): void;
  close(): void;
}

const ACTIVE_KEY_SQL = `
  SELECT k.id AS keyId, k.name, k.profile, k.status, k.kind, k.seal, k.last_used_at AS lastUsedAt,
    k.expires_at AS expiresAt, k.ciphertext, k.nonce
  FROM profiles p
  JOIN keys k ON k.id = p.active_key_id
  WHERE p.name = ?`;

const SLOTS_SQL = `
  SELECT kind, params, wrapped_dek AS wrappedDek, dek_nonce AS dekNonce FROM master_key_slots ORDER BY created_at`;

const TOUCH_SQL =
  "UPDATE keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)";

function isSqliteError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_");
}

/**
 * The active key of `profile` with what is needed to decrypt it, on a connection kept open so that
 * last_used_at can be set after the caller has decrypted it (a failed `current` must not count as a use).
 * null when there is none; "stale" = use openStore.
 */
export function openActiveKey(dbPath: string, profile: string): ActiveKeyHandle | null | "stale" {
  if (!existsSync(dbPath)) return null;
  // A store others could have planted or changed is not read here; the full path refuses it with the fix.
  if (findUnsafeStorePath(dbPath) !== null) return "stale";
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, withAddon({ fileMustExist: true }));
    db.pragma("busy_timeout = 5000");
    // The count as well: a migration this build does not know may sort before the newest one it knows.
    const applied = db
      .prepare("SELECT max(created_at) AS latest, count(*) AS n FROM __drizzle_migrations")
      .get() as {
      latest: number | null;
      n: number;
    };
    if (Number(applied.latest) !== LATEST_MIGRATION_MILLIS || applied.n !== MIGRATION_COUNT) {
      db.close();
      return "stale";
    }
    const found = db.prepare(ACTIVE_KEY_SQL).get(profile) as
      | (Omit<FastRow, "slots" | "expiresAt"> & { expiresAt: number | null })
      | undefined;
    if (found === undefined) {
      db.close();
      return null;
    }
    const slots = db.prepare(SLOTS_SQL).all() as FastSlot[];
    if (slots.length === 0) {
      db.close();
      return null;
    }
    const { expiresAt, ...rest } = found;
    const row: FastRow = { ...rest, ...(expiresAt !== null && { expiresAt }), slots };
    const conn = db;
    return {
      row,
      markUsed(at) {
        try {
          conn.pragma("synchronous = NORMAL");
          // Forward only, as the full path's touch (repositories/touch-forward.ts): a clock behind another
          // process's must not make the key look idle longer than it is.
          conn.prepare(TOUCH_SQL).run(Number(at), row.keyId, Number(at));
        } catch {
          // last_used_at is bookkeeping; never fail a read over it.
        }
      },
      close: () => conn.close(),
    };
  } catch (err) {
    db?.close();
    // No migrations table, a damaged file, a busy store: the full path knows how to report or fix each.
    if (isSqliteError(err)) return "stale";
    throw err;
  }
}

/** The active key's row, read and closed at once (no bookkeeping). */
export function readActiveKeyRow(dbPath: string, profile: string): FastRow | null | "stale" {
  const handle = openActiveKey(dbPath, profile);
  if (handle === null || handle === "stale") return handle;
  handle.close();
  return handle.row;
}
