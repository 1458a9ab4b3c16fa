import { exactShapeOf } from "./key-shapes.ts";
import { OAUTH_API_BETA } from "./oauth-bearer.ts";

// What a process apikey starts (a command under `apikey exec`, a browser for a login) may inherit. Such a child
// gets the active key when it is meant to, and never anything that unlocks the whole store: `apikey exec -- claude`
// must not hand Claude Code, and everything it spawns, the key to every secret.

/** Variables that unlock the store or a bundle of it (see config.ts). A new such variable belongs here. */
export const STORE_UNLOCKING_VARIABLES = [
  "APIKEY_MASTER_KEY",
  "APIKEY_PASSPHRASE",
  "APIKEY_EXPORT_PASSPHRASE",
] as const;

const UNLOCKING = new Set<string>(STORE_UNLOCKING_VARIABLES);

/** The variables that carry the active key to a child: set these, after dropping those (any case). */
export interface KeyVariables {
  set: Readonly<Record<string, string>>;
  drop: readonly string[];
  /**
   * A federated key whose identity token only apikey can read (a command, GitHub Actions): the SDK cannot run the
   * source, so the front hands the child a file it renews while the child runs (federation/identity-renewal.ts
   * says when) and points ANTHROPIC_IDENTITY_TOKEN_FILE at it. Never put in `set`: a variable cannot be renewed.
   */
  identityToken?: RenewableIdentityToken;
  /**
   * Headers the SDK must send with the key (a user_oauth login's `anthropic-workspace-id`). They reach the child
   * in ANTHROPIC_CUSTOM_HEADERS, which the official SDK (and Claude Code) read: with a plain token the SDK reads no
   * other variable for them (ANTHROPIC_WORKSPACE_ID only fills a profile config). Merged with the parent's own.
   */
  headers?: Readonly<Record<string, string>>;
}

const CUSTOM_HEADERS = "ANTHROPIC_CUSTOM_HEADERS";

/**
 * ANTHROPIC_CUSTOM_HEADERS (`Name: value` per line, as the SDK parses it) with `headers` over the lines of `current`
 * that name the same headers (case-insensitively); the other lines are kept. `anthropic-beta` is a list: the
 * parent's betas are kept beside ours.
 */
export function customHeadersValue(
  current: string | undefined,
  headers: Readonly<Record<string, string>>,
): string {
  const ours = new Set(Object.keys(headers).map((n) => n.toLowerCase()));
  const nameOf = (line: string) => line.slice(0, line.indexOf(":")).trim().toLowerCase();
  const lines = (current ?? "").split("\n").filter((line) => line.includes(":"));
  const parentBetas = lines
    .filter((line) => nameOf(line) === "anthropic-beta")
    .map((line) => line.slice(line.indexOf(":") + 1));
  const kept = lines.filter((line) => !ours.has(nameOf(line)));
  const set = Object.entries(headers).map(([n, v]) =>
    n.toLowerCase() === "anthropic-beta" ? `${n}: ${betaList([...parentBetas, v])}` : `${n}: ${v}`,
  );
  return [...kept, ...set].join("\n");
}

/** Comma-separated beta names, each once, in the order first given. */
function betaList(values: readonly string[]): string {
  const names = values
    .flatMap((v) => v.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  return [...new Set(names)].join(",");
}

export interface RenewableIdentityToken {
  /** The token read when the key was resolved. */
  current: string;
  /** Runs the source again (a coded E_IDENTITY_TOKEN when it fails, never the token's text). */
  renew(): Promise<string>;
}

/**
 * The variables a key travels in, as the official SDK and Claude Code read them: an API key as ANTHROPIC_API_KEY; an
 * OAuth access token (an operator OAuth key's, an imported login's) as ANTHROPIC_AUTH_TOKEN, which they send as
 * `Authorization: Bearer`, with the OAuth beta in ANTHROPIC_CUSTOM_HEADERS: the API refuses such a token as
 * x-api-key, and as a bearer without the beta (oauth-bearer.ts). A federated key travels as its SDK variables
 * (federation/child-variables.ts).
 */
export function apiKeyVariables(secret: string): KeyVariables {
  if (exactShapeOf(secret)?.kind === "oauth") {
    return {
      set: { ANTHROPIC_AUTH_TOKEN: secret },
      drop: ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"],
      headers: { "anthropic-beta": OAUTH_API_BETA },
    };
  }
  return { set: { ANTHROPIC_API_KEY: secret }, drop: ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"] };
}

/**
 * The parent's environment minus every store-unlocking variable, plus the active key's variables when given
 * (a string: ANTHROPIC_API_KEY). Names are compared case-insensitively: on Windows `apikey_master_key` is the same
 * variable.
 */
export function childEnvironment(
  parent: Readonly<Record<string, string | undefined>>,
  activeKey?: string | KeyVariables,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined || UNLOCKING.has(name.toUpperCase())) continue;
    env[name] = value;
  }
  if (activeKey !== undefined) {
    const vars = typeof activeKey === "string" ? apiKeyVariables(activeKey) : activeKey;
    // Drop any differently-cased copy first so the child sees exactly one of each.
    const drop = new Set([...vars.drop, ...Object.keys(vars.set)].map((n) => n.toUpperCase()));
    const headers = vars.headers && Object.keys(vars.headers).length > 0 ? vars.headers : null;
    let parentHeaders: string | undefined;
    for (const name of Object.keys(env)) {
      if (headers && name.toUpperCase() === CUSTOM_HEADERS) {
        parentHeaders = env[name];
        delete env[name];
      }
      if (drop.has(name.toUpperCase())) delete env[name];
    }
    Object.assign(env, vars.set);
    if (headers) env[CUSTOM_HEADERS] = customHeadersValue(parentHeaders, headers);
  }
  return env;
}
