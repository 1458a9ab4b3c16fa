// Coded errors: fronts switch on `code`, never on wording. Messages and hints never contain a secret.

export const ERROR_CODES = {
  USAGE: "E_USAGE",
  KEY_FORMAT: "E_KEY_FORMAT",
  KEY_EMPTY: "E_KEY_EMPTY",
  KEY_NOT_FOUND: "E_KEY_NOT_FOUND",
  KEY_DUPLICATE: "E_KEY_DUPLICATE",
  NAME_TAKEN: "E_NAME_TAKEN",
  NAME_INVALID: "E_NAME_INVALID",
  KEY_DISABLED: "E_KEY_DISABLED",
  KEY_READONLY: "E_KEY_READONLY",
  NO_ACTIVE_KEY: "E_NO_ACTIVE_KEY",
  PROFILE_NOT_FOUND: "E_PROFILE_NOT_FOUND",
  PROFILE_EXISTS: "E_PROFILE_EXISTS",
  PROFILE_IN_USE: "E_PROFILE_IN_USE",
  KEY_INVALID: "E_KEY_INVALID",
  VALIDATION_FAILED: "E_VALIDATION_FAILED",
  WRONG_MASTER_KEY: "E_WRONG_MASTER_KEY",
  MASTER_KEY_MISSING: "E_MASTER_KEY_MISSING",
  MASTER_KEY_FORMAT: "E_MASTER_KEY_FORMAT",
  KEYCHAIN_UNAVAILABLE: "E_KEYCHAIN_UNAVAILABLE",
  STORE_CORRUPT: "E_STORE_CORRUPT",
  STORE_READONLY: "E_STORE_READONLY",
  STORE_BUSY: "E_STORE_BUSY",
  STORE_TOO_NEW: "E_STORE_TOO_NEW",
  /** No store where one was expected; only the commands that add a key create one. */
  NO_STORE: "E_NO_STORE",
  /** A file or schema at the store's place that is not an apikey store: refused, never altered. */
  NOT_A_STORE: "E_NOT_A_STORE",
  /** The store's directory or files are owned by another user or writable by others (like OpenSSH StrictModes). */
  STORE_UNSAFE: "E_STORE_UNSAFE",
  SLOT_NOT_FOUND: "E_SLOT_NOT_FOUND",
  LAST_SLOT: "E_LAST_SLOT",
  CANCELLED: "E_CANCELLED",
  // rotation and re-keying
  ROTATE_SAME_KEY: "E_ROTATE_SAME_KEY",
  NO_ADMIN_KEY: "E_NO_ADMIN_KEY",
  UPSTREAM_FAILED: "E_UPSTREAM_FAILED",
  // encrypted bundles and imports
  BUNDLE_PASSPHRASE: "E_BUNDLE_PASSPHRASE",
  BUNDLE_CORRUPT: "E_BUNDLE_CORRUPT",
  BUNDLE_FORMAT: "E_BUNDLE_FORMAT",
  BUNDLE_VERSION: "E_BUNDLE_VERSION",
  PASSPHRASE_WEAK: "E_PASSPHRASE_WEAK",
  IMPORT_SOURCE: "E_IMPORT_SOURCE",
  // apikey:// references (in .env files, templates)
  REFERENCE_INVALID: "E_REFERENCE_INVALID",
  // OAuth
  OAUTH_DENIED: "E_OAUTH_DENIED",
  OAUTH_STATE: "E_OAUTH_STATE",
  OAUTH_CODE: "E_OAUTH_CODE",
  OAUTH_UNREACHABLE: "E_OAUTH_UNREACHABLE",
  OAUTH_PROVIDER_NOT_FOUND: "E_OAUTH_PROVIDER_NOT_FOUND",
  OAUTH_REFRESH_FAILED: "E_OAUTH_REFRESH_FAILED",
  OAUTH_CONFIG: "E_OAUTH_CONFIG",
  // Workload Identity Federation (federated keys: no stored secret, tokens minted on use)
  /** The identity token (the workload's JWT) is missing, unreadable, empty, expired or over 16 KiB. */
  IDENTITY_TOKEN: "E_IDENTITY_TOKEN",
  /** The token endpoint refused the exchange (a 401: the rule does not match the identity token, or is revoked). */
  FEDERATION_REJECTED: "E_FEDERATION_REJECTED",
  /** The exchange could not be made: the endpoint is unreachable, plain http to another host, or answered oddly. */
  FEDERATION_FAILED: "E_FEDERATION_FAILED",
  /** Federation settings given to `add` are malformed. */
  FEDERATION_CONFIG: "E_FEDERATION_CONFIG",
  /** The operation has no meaning for a federated key (it holds no secret: nothing to rotate or reveal). */
  FEDERATED_KEY: "E_FEDERATED_KEY",
  // usage, budgets and the gateway
  BUDGET_EXCEEDED: "E_BUDGET_EXCEEDED",
  PROXY_BIND: "E_PROXY_BIND",
  PROXY_UNSAFE_HOST: "E_PROXY_UNSAFE_HOST",
  TOKEN_NOT_FOUND: "E_TOKEN_NOT_FOUND",
  // a command run with its keys (`exec`)
  COMMAND_NOT_FOUND: "E_COMMAND_NOT_FOUND",
  COMMAND_NOT_EXECUTABLE: "E_COMMAND_NOT_EXECUTABLE",
  INTERNAL: "E_INTERNAL",
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Facts about an error that a front needs to say what to do next (names, amounts, limits). Never a secret. */
export type ErrorDetails = Record<string, string | number | boolean | null | string[]>;

export class ApikeyError extends Error {
  override readonly name: string = this.constructor.name;
  readonly code: ErrorCode;
  /** What the user can do next, in no front's syntax. Fronts prefer their own hint for the code (see details). */
  readonly hint: string | undefined;
  readonly details: ErrorDetails;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; cause?: unknown; details?: ErrorDetails } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }
}

export function isApikeyError(value: unknown, code?: ErrorCode): value is ApikeyError {
  return value instanceof ApikeyError && (code === undefined || value.code === code);
}
