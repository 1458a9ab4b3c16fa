import { ENV_VARIABLES, type EnvVariable, REFERENCE_SCHEME } from "@apikey/core";
import { ERROR_CODES } from "@apikey/core/errors";
import { EXIT, EXIT_MEANING, exitCodeFor } from "../io/errors.ts";
import { protectionTopic } from "../protection/choices.ts";

// `apikey help TOPIC`: what belongs to no one command (as `gh help environment`). Each list is built from the code
// that defines it (the config module's variables, the error codes, the exit statuses), so it cannot drift.

/**
 * Typed by the config module's variables: a new variable does not compile until it is described here. The one
 * description of each variable: `apikey help environment` and docs/reference/cli.md both print these.
 */
export const VARIABLES: Record<EnvVariable, string> = {
  APIKEY_HOME:
    "the data directory holding the store (default: $XDG_DATA_HOME/apikey, else ~/.local/share/apikey)",
  XDG_DATA_HOME: "where the default data directory lives, when APIKEY_HOME is unset",
  APIKEY_DATABASE_URL: "postgres://… : use a shared PostgreSQL store instead of the SQLite file",
  APIKEY_MASTER_KEY: "a master key (base64 of 32 bytes) that opens the store; for scripts, CI and servers",
  APIKEY_PASSPHRASE: "the passphrase of a passphrase slot, when no terminal can ask",
  APIKEY_EXPORT_PASSPHRASE: "the passphrase of an `export`/`import` bundle, when no terminal can ask",
  ANTHROPIC_API_KEY: "shown as a read-only `env` key; `apikey add NAME --from-env` stores it",
  ANTHROPIC_BASE_URL:
    "the Anthropic API address for validation and the gateway's upstream (as the SDK reads it)",
  APIKEY_VALIDATE_TIMEOUT_MS: "how long a key check may take (default 10000)",
  APIKEY_ALLOW_INSECURE_BASE_URL: "1 to accept plain http to a non-loopback ANTHROPIC_BASE_URL",
  APIKEY_UPSTREAM_TIMEOUT_MS: "the gateway: how long the upstream may stay silent (default 600000)",
  APIKEY_UPSTREAM_CONNECT_TIMEOUT_MS:
    "the gateway: how long connecting to the upstream may take (default 10000)",
  NO_COLOR: "set (to anything) to turn colour off",
};

/** Variables read outside config.ts (docs/reference.test.ts checks the source for any other). */
export const OTHER_VARIABLES: Record<string, string> = {
  APIKEY_DEBUG: "1 to print the stack of an unexpected internal error",
};

/** Every variable apikey reads and what it does, config.ts's first. */
export function environmentVariables(): Array<[string, string]> {
  return [
    ...ENV_VARIABLES.map((name): [string, string] => [name, VARIABLES[name]]),
    ...Object.entries(OTHER_VARIABLES),
  ];
}

function environment(): string {
  const all = environmentVariables();
  const width = Math.max(...all.map(([name]) => name.length));
  return [
    "Environment variables apikey reads:",
    "",
    ...all.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`),
    "",
    "apikey never hands APIKEY_MASTER_KEY or APIKEY_PASSPHRASE on to a command it runs (exec).",
  ].join("\n");
}

function exitCodes(): string {
  const codes = Object.values(ERROR_CODES);
  const width = Math.max(...codes.map((c) => c.length));
  return [
    "Exit statuses:",
    "",
    ...(Object.keys(EXIT) as Array<keyof typeof EXIT>).map(
      (name) => `  ${String(EXIT[name]).padEnd(4)}  ${EXIT_MEANING[name].replaceAll("`", "")}`,
    ),
    "  exec  otherwise the command's own status; 128+N when a signal N ended it",
    "",
    'Error codes (in `--json` errors on stderr: {"error": {"code", "message", "hint"}}) and their status:',
    "",
    ...codes.map((code) => `  ${code.padEnd(width)}  ${exitCodeFor(code)}`),
  ].join("\n");
}

function references(): string {
  return [
    `A reference names a stored key without holding it, so it can be committed: ${REFERENCE_SCHEME}PROFILE/NAME is`,
    `one key, ${REFERENCE_SCHEME}PROFILE is that profile's active key.`,
    "",
    "Where they are resolved:",
    "  apikey exec [--dotenv FILE] -- CMD   every variable (from the environment or the .env file) whose whole",
    "                                       value is a reference is replaced by the key before CMD starts",
    "  apikey inject -i TEMPLATE [-o FILE]  writes a copy of TEMPLATE with each reference replaced (0600)",
    "",
    "Example .env:",
    `  ANTHROPIC_API_KEY=${REFERENCE_SCHEME}work/ci`,
    `  REVIEW_BOT_KEY=${REFERENCE_SCHEME}prod`,
    "",
    "A reference that does not resolve stops the command and names the variable; nothing is started or written.",
  ].join("\n");
}

export const TOPICS: Record<string, { summary: string; text: () => string }> = {
  environment: { summary: "environment variables apikey reads", text: environment },
  "exit-codes": { summary: "exit statuses and error codes", text: exitCodes },
  protection: {
    summary: "how the store's master key is protected, and what each way means for apiKeyHelper and scripts",
    text: protectionTopic,
  },
  references: { summary: `${REFERENCE_SCHEME} references in .env files and templates`, text: references },
};
