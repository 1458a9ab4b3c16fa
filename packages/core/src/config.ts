import { childEnvironment } from "./child-env.ts";
import { ApikeyError, ERROR_CODES } from "./errors.ts";
import { type StoreLocation, storeLocationFrom } from "./paths.ts";

// The one module that reads process.env. Everything else takes a Config.
// Checked by hand, not with a schema library: every command reads its settings here on start, and loading one
// (zod: about 400 kB of code) cost each start of the program more than the whole check does (issue 25).

/** A variable's value as the program uses it, or null when it is not one. */
type Check = (value: string) => string | null;
const text: Check = (v) => v;
// As the URL parser reads it: surrounding spaces trimmed, and the tabs and newlines it would skip removed (so the
// value used is the one that was checked).
const url: Check = (v) => {
  const trimmed = v.trim();
  return URL.canParse(trimmed) ? trimmed.replace(/[\t\n\r]/g, "") : null;
};
// Whole numbers above zero, as a shell writes them ("1e3" and " 5 " are numbers too; "5s" and "1.5" are not).
const positiveInt: Check = (v) => {
  const n = Number(v);
  return Number.isSafeInteger(n) && n > 0 ? v : null;
};
const flag: Check = (v) => (["1", "0", "true", "false"].includes(v) ? v : null);

const ENV_CHECKS = {
  APIKEY_HOME: text,
  XDG_DATA_HOME: text,
  APIKEY_DATABASE_URL: text,
  APIKEY_MASTER_KEY: text,
  APIKEY_PASSPHRASE: text,
  APIKEY_EXPORT_PASSPHRASE: text,
  ANTHROPIC_API_KEY: text,
  ANTHROPIC_BASE_URL: url,
  APIKEY_VALIDATE_TIMEOUT_MS: positiveInt,
  APIKEY_ALLOW_INSECURE_BASE_URL: flag,
  APIKEY_UPSTREAM_TIMEOUT_MS: positiveInt,
  APIKEY_UPSTREAM_CONNECT_TIMEOUT_MS: positiveInt,
  NO_COLOR: text,
} satisfies Record<string, Check>;

/** Every variable this module reads (each front describes them in its own words). */
export type EnvVariable = keyof typeof ENV_CHECKS;
export const ENV_VARIABLES = Object.keys(ENV_CHECKS) as EnvVariable[];

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
  /** That environment minus what unlocks the store: what a command apikey runs for a federated key gets. */
  childEnvironment?: () => Record<string, string>;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, the way shells treat `FOO=`.
  const e: Partial<Record<EnvVariable, string>> = {};
  const invalid: EnvVariable[] = [];
  for (const name of ENV_VARIABLES) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    const checked = ENV_CHECKS[name](value);
    if (checked === null) invalid.push(name);
    else e[name] = checked;
  }
  if (invalid.length > 0) {
    // Name the variable, never echo its value: it may be a secret.
    throw new ApikeyError(ERROR_CODES.USAGE, `Invalid environment variable: ${invalid.join(", ")}.`, {
      hint: "Fix or unset it and try again.",
    });
  }
  const number = (name: EnvVariable): number | undefined =>
    e[name] === undefined ? undefined : Number(e[name]);
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
    validateTimeoutMs: number("APIKEY_VALIDATE_TIMEOUT_MS") ?? 10_000,
    // As long as the official SDKs wait for a whole request: a non-streamed answer sends nothing until it is done.
    upstreamTimeoutMs: number("APIKEY_UPSTREAM_TIMEOUT_MS") ?? 600_000,
    upstreamConnectTimeoutMs: number("APIKEY_UPSTREAM_CONNECT_TIMEOUT_MS") ?? 10_000,
    color: e.NO_COLOR === undefined && !("NO_COLOR" in env),
    variable: (name) => env[name],
    childEnvironment: () => childEnvironment(env),
  };
}
