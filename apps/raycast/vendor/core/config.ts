// Vendored from packages/core/src/config.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { z } from "zod";
import { ApikeyError, ERROR_CODES } from "./errors.ts";
import { type StoreLocation, storeLocationFrom } from "./paths.ts";

// The one module that reads process.env. Everything else takes a Config.

const EnvSchema = z.object({
  APIKEY_HOME: z.string().min(1).optional(),
  XDG_DATA_HOME: z.string().min(1).optional(),
  APIKEY_DATABASE_URL: z.string().min(1).optional(),
  APIKEY_MASTER_KEY: z.string().min(1).optional(),
  APIKEY_PASSPHRASE: z.string().min(1).optional(),
  APIKEY_EXPORT_PASSPHRASE: z.string().min(1).optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.string().url().optional(),
  APIKEY_VALIDATE_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  APIKEY_ALLOW_INSECURE_BASE_URL: z.enum(["1", "0", "true", "false"]).optional(),
  APIKEY_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  APIKEY_UPSTREAM_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  NO_COLOR: z.string().optional(),
});

/** Every variable this module reads (each front describes them in its own words). */
export type EnvVariable = keyof z.infer<typeof EnvSchema>;
export const ENV_VARIABLES = Object.keys(EnvSchema.shape) as EnvVariable[];

export interface Config {
  /** Directory holding the store; created 0700. */
  dataDir: string;
  /** Which store: APIKEY_DATABASE_URL's PostgreSQL database, else the SQLite file in `dataDir` (paths.ts decides). */
  store: StoreLocation;
  /** base64 of 32 bytes, when the operator supplies the KEK directly. */
  masterKey: string | undefined;
  passphrase: string | undefined;
  /** For `export`/`import` of encrypted bundles, when no terminal can ask. */
  exportPassphrase: string | undefined;
  /** The environment's key, shown as a read-only `env` key. */
  envApiKey: string | undefined;
  anthropicBaseUrl: string | undefined;
  /** Plain http to a non-loopback ANTHROPIC_BASE_URL was explicitly accepted (see validate/base-url.ts). */
  allowInsecureBaseUrl: boolean;
  validateTimeoutMs: number;
  /** The gateway: how long the upstream may stay silent (before its response headers, or between body chunks). */
  upstreamTimeoutMs: number;
  /** The gateway: how long connecting to the upstream (TCP and TLS) may take. */
  upstreamConnectTimeoutMs: number;
  color: boolean;
  /**
   * Reads one variable of the environment this Config was loaded from: the identity token of a federated key may be
   * named by the person (`--identity-token-env NAME`), so it cannot be listed above. Absent: nothing is readable.
   */
  variable?: (name: string) => string | undefined;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, the way shells treat `FOO=`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    // Name the variable, never echo its value: it may be a secret.
    const names = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))].join(", ");
    throw new ApikeyError(ERROR_CODES.USAGE, `Invalid environment variable: ${names}.`, {
      hint: "Fix or unset it and try again.",
    });
  }
  const e = parsed.data;
  const store = storeLocationFrom(env);
  return {
    dataDir: store.dataDir,
    store,
    masterKey: e.APIKEY_MASTER_KEY,
    passphrase: e.APIKEY_PASSPHRASE,
    exportPassphrase: e.APIKEY_EXPORT_PASSPHRASE,
    envApiKey: e.ANTHROPIC_API_KEY,
    anthropicBaseUrl: e.ANTHROPIC_BASE_URL,
    allowInsecureBaseUrl:
      e.APIKEY_ALLOW_INSECURE_BASE_URL === "1" || e.APIKEY_ALLOW_INSECURE_BASE_URL === "true",
    validateTimeoutMs: e.APIKEY_VALIDATE_TIMEOUT_MS ?? 10_000,
    // As long as the official SDKs wait for a whole request: a non-streamed answer sends nothing until it is done.
    upstreamTimeoutMs: e.APIKEY_UPSTREAM_TIMEOUT_MS ?? 600_000,
    upstreamConnectTimeoutMs: e.APIKEY_UPSTREAM_CONNECT_TIMEOUT_MS ?? 10_000,
    color: e.NO_COLOR === undefined && !("NO_COLOR" in env),
    variable: (name) => env[name],
  };
}
