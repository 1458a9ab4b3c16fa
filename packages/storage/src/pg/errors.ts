// The one place PostgreSQL errors become ApikeyErrors, as ../errors.ts is for SQLite. node-postgres and PGlite both
// throw errors carrying the SQLSTATE in `code` and the constraint's name in `constraint`; Drizzle wraps them in
// DrizzleQueryError, whose message carries the query's parameters. Neither may escape: the server's `detail`
// repeats the offending values ("Key (fingerprint)=(…) already exists"), so the cause we keep is a fresh Error
// holding only the SQLSTATE, the server's one-line message and the constraint.
import { ApikeyError, type ErrorCode, isApikeyError } from "@apikey/core/errors";

/** What survives of a server error: no detail, no query, no parameters. */
export class PgDriverError extends Error {
  override readonly name = "PgDriverError";
  constructor(
    message: string,
    readonly code: string,
    readonly constraint: string | undefined,
  ) {
    super(message);
  }
}

interface RawPgError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
  cause?: unknown;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The innermost server error (SQLSTATE in `code`), past Drizzle's wrapper; undefined for anything else. */
function serverError(err: unknown): RawPgError | undefined {
  let current = err as RawPgError | null | undefined;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof PgDriverError) return current;
    if (typeof current.code === "string" && SQLSTATE.test(current.code)) return current;
    current = current.cause as RawPgError | null | undefined;
  }
  return undefined;
}

/** A safe stand-in for the driver's error, or undefined when `err` did not come from the server. */
export function pgDriverError(err: unknown): PgDriverError | undefined {
  const e = serverError(err);
  if (!e) return undefined;
  if (e instanceof PgDriverError) return e;
  const message = typeof e.message === "string" ? e.message : "";
  return new PgDriverError(
    message,
    String(e.code),
    typeof e.constraint === "string" ? e.constraint : undefined,
  );
}

/** The SQLSTATE of `err` or of the server error it wraps, e.g. "23505". */
export function pgErrorCode(err: unknown): string | undefined {
  const code = serverError(err)?.code;
  return typeof code === "string" ? code : undefined;
}

// Constraint names as the SQLite helpers name columns, so one test reads both ("keys.fingerprint").
const CONSTRAINT_COLUMNS: Record<string, string> = {
  keys_profile_name_live_uq: "keys.profile, keys.name",
  keys_fingerprint_uq: "keys.fingerprint",
  profiles_pkey: "profiles.name",
  master_key_slots_name_unique: "master_key_slots.name",
};

/** A UNIQUE or PRIMARY KEY violation; `columns` narrows it to one index, e.g. "keys.fingerprint". */
export function isUniqueViolation(err: unknown, columns?: string): boolean {
  if (pgErrorCode(err) !== "23505") return false;
  const constraint = serverError(err)?.constraint;
  return (
    columns === undefined || (typeof constraint === "string" && CONSTRAINT_COLUMNS[constraint] === columns)
  );
}

/** Any foreign-key failure: 23503, or 23001 for ON DELETE RESTRICT. */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = pgErrorCode(err);
  return code === "23503" || code === "23001";
}

const UNIQUE: Record<string, { code: ErrorCode; message: string }> = {
  keys_profile_name_live_uq: {
    code: "E_NAME_TAKEN",
    message: "A key with this name already exists in this profile.",
  },
  keys_fingerprint_uq: { code: "E_KEY_DUPLICATE", message: "This key is already stored." },
  profiles_pkey: { code: "E_PROFILE_EXISTS", message: "A profile with this name already exists." },
};

// 55P03 lock_not_available (lock_timeout), 40P01 deadlock_detected, 40001 serialization_failure,
// 57014 query_canceled (statement_timeout).
const BUSY = new Set(["55P03", "40P01", "40001", "57014"]);
// Class 08: connection exceptions; 28: authorisation; 3D000: no such database; 42501: insufficient privilege;
// 25006: read-only transaction (a hot standby).
const CANNOT_WRITE = /^(08|28)|^3D000$|^42501$|^25006$/;
const NETWORK = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT", "ECONNRESET", "ENOENT"]);

/**
 * Turns anything a PostgreSQL driver or Drizzle threw into an ApikeyError. ApikeyErrors pass through.
 * `location` names the store (the URL without its password) in messages.
 */
export function toPgStoreError(err: unknown, location: string): ApikeyError {
  if (isApikeyError(err)) return err;
  const cause = pgDriverError(err);
  const code = cause?.code;
  if (code === "23505" && cause?.constraint && UNIQUE[cause.constraint]) {
    const known = UNIQUE[cause.constraint] as { code: ErrorCode; message: string };
    return new ApikeyError(known.code, known.message, { cause });
  }
  if (code !== undefined && BUSY.has(code)) {
    return new ApikeyError(
      "E_STORE_BUSY",
      "The key store is busy: another apikey process held it too long.",
      {
        cause,
        details: { reason: "lock_timeout", location },
      },
    );
  }
  const network = (err as { code?: unknown } | null)?.code;
  if (typeof network === "string" && NETWORK.has(network)) {
    // No server answered: the code fronts already explain (the store cannot be used), in words that fit.
    return new ApikeyError(
      "E_STORE_READONLY",
      `The key store at ${location} cannot be reached (${network}).`,
      {
        cause: new Error(network),
        details: { reason: network, location },
      },
    );
  }
  if (code !== undefined && CANNOT_WRITE.test(code)) {
    // 28xxx: authentication; 3D000: no such database; 42501: no privilege. The server's one line says which.
    const refused = /^(28|3D000$|42501$)/.test(code);
    const text = refused
      ? `The key store at ${location} refused this connection: ${cause?.message ?? code}.`
      : `The key store at ${location} cannot be opened for writing.`;
    return new ApikeyError("E_STORE_READONLY", text, { cause, details: { reason: code, location } });
  }
  return new ApikeyError("E_INTERNAL", "The key store failed unexpectedly.", {
    cause: cause ?? (err instanceof Error ? new Error(err.message.split("\nparams:")[0]) : undefined),
  });
}
