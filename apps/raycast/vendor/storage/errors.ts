// Vendored from packages/storage/src/errors.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// The one place driver errors become ApikeyErrors. better-sqlite3 throws SqliteError with `code` = "SQLITE_…";
// node:sqlite throws with `errcode` = the numeric extended result code; Drizzle wraps both in DrizzleQueryError
// (whose message carries the query parameters, so it must never escape: we keep only the driver error as cause).
import { ApikeyError, type ErrorCode, isApikeyError } from "../core/errors.ts";

const PRIMARY_CODES: Record<number, string> = {
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  8: "SQLITE_READONLY",
  11: "SQLITE_CORRUPT",
  14: "SQLITE_CANTOPEN",
  19: "SQLITE_CONSTRAINT",
  23: "SQLITE_AUTH",
  26: "SQLITE_NOTADB",
};
const EXTENDED_CODES: Record<number, string> = {
  787: "SQLITE_CONSTRAINT_FOREIGNKEY",
  1555: "SQLITE_CONSTRAINT_PRIMARYKEY",
  1811: "SQLITE_CONSTRAINT_TRIGGER",
  2067: "SQLITE_CONSTRAINT_UNIQUE",
};

interface DriverError {
  code?: unknown;
  errcode?: unknown;
  message?: unknown;
}

/** The innermost error, past Drizzle's query wrapper. */
export function driverError(err: unknown): DriverError & Error {
  let current = err;
  for (let depth = 0; depth < 5; depth++) {
    if (current instanceof Error && (sqliteCode(current) !== undefined || fsCode(current) !== undefined))
      break;
    const cause = (current as { cause?: unknown } | null)?.cause;
    if (cause === undefined || cause === null) break;
    current = cause;
  }
  return (current instanceof Error ? current : new Error(String(current))) as DriverError & Error;
}

function sqliteCode(err: unknown): string | undefined {
  const e = err as DriverError | null;
  if (typeof e?.code === "string" && e.code.startsWith("SQLITE_")) return e.code;
  if (typeof e?.errcode === "number") {
    return EXTENDED_CODES[e.errcode] ?? PRIMARY_CODES[e.errcode & 0xff] ?? `SQLITE_${e.errcode}`;
  }
  return undefined;
}

function fsCode(err: unknown): string | undefined {
  const code = (err as DriverError | null)?.code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/** The SQLite result code name of `err` or of the driver error it wraps, e.g. "SQLITE_CONSTRAINT_UNIQUE". */
export function sqliteErrorCode(err: unknown): string | undefined {
  return sqliteCode(driverError(err));
}

function message(err: unknown): string {
  const m = driverError(err).message;
  return typeof m === "string" ? m : "";
}

/** A UNIQUE or PRIMARY KEY violation; `columns` narrows it to one index, e.g. "keys.fingerprint". */
export function isUniqueViolation(err: unknown, columns?: string): boolean {
  const unique = isConstraint(err, "UNIQUE constraint failed");
  return unique && (columns === undefined || message(err).includes(`failed: ${columns}`));
}

/** Any FK failure, including ON DELETE RESTRICT (which SQLite reports as SQLITE_CONSTRAINT_TRIGGER). */
export function isForeignKeyViolation(err: unknown): boolean {
  return isConstraint(err, "FOREIGN KEY constraint failed");
}

// ON DELETE RESTRICT reports SQLITE_CONSTRAINT_TRIGGER, not _FOREIGNKEY, so the message decides the kind.
function isConstraint(err: unknown, text: string): boolean {
  return sqliteErrorCode(err)?.startsWith("SQLITE_CONSTRAINT") === true && message(err).includes(text);
}

const UNIQUE_INDEXES: { columns: string; code: ErrorCode; message: string }[] = [
  {
    columns: "keys.profile, keys.name",
    code: "E_NAME_TAKEN",
    message: "A key with this name already exists in this profile.",
  },
  { columns: "keys.fingerprint", code: "E_KEY_DUPLICATE", message: "This key is already stored." },
  { columns: "profiles.name", code: "E_PROFILE_EXISTS", message: "A profile with this name already exists." },
];

/**
 * Turns anything thrown by a driver, Drizzle or the file system into an ApikeyError. ApikeyErrors pass through.
 * `location` is the database file, named in hints.
 */
export function toStoreError(err: unknown, location: string): ApikeyError {
  if (isApikeyError(err)) return err;
  const cause = driverError(err);
  const code = sqliteCode(cause);
  const text = message(err);

  if (isUniqueViolation(cause)) {
    const index = UNIQUE_INDEXES.find((u) => text.includes(`failed: ${u.columns}`));
    if (index) return new ApikeyError(index.code, index.message, { cause });
  }
  if (code?.startsWith("SQLITE_BUSY") || code?.startsWith("SQLITE_LOCKED")) {
    return new ApikeyError(
      "E_STORE_BUSY",
      "The key store is busy: another apikey process held it too long.",
      {
        cause,
        hint: "Try again in a moment. If it keeps happening, look for a stuck apikey process using the store.",
      },
    );
  }
  if (
    code?.startsWith("SQLITE_NOTADB") ||
    code?.startsWith("SQLITE_CORRUPT") ||
    /not a database/.test(text)
  ) {
    return new ApikeyError(
      "E_STORE_CORRUPT",
      `The key store at ${location} is damaged or not an apikey store.`,
      {
        cause,
        hint: `Move ${location} aside and restore it from a backup (or an export bundle), then retry.`,
      },
    );
  }
  const fs = fsCode(cause);
  if (
    code?.startsWith("SQLITE_READONLY") ||
    code?.startsWith("SQLITE_CANTOPEN") ||
    code === "SQLITE_AUTH" ||
    (fs !== undefined && ["EACCES", "EPERM", "EROFS", "ENOTDIR", "EEXIST"].includes(fs))
  ) {
    return new ApikeyError("E_STORE_READONLY", `The key store at ${location} cannot be opened for writing.`, {
      cause,
      hint: `Make sure the directory of ${location} is writable by you, or set APIKEY_HOME to one that is.`,
    });
  }
  return new ApikeyError("E_INTERNAL", "The key store failed unexpectedly.", { cause });
}
