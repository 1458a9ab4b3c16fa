// Vendored from packages/core/src/federation/settings.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { isAbsolute } from "node:path";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { isLoopbackHost } from "../validate/loopback-host.ts";
import { commandWords } from "./identity-sources.ts";
import { isWorkspaceId } from "./workspace-id.ts";

// What a federated key is: where to exchange which identity token under which rule. None of it is a secret — the
// identity token is read from its source at each exchange and the minted access token lives in memory only. The
// settings are still sealed in the row's ciphertext (vault/new-key.ts) like a secret: AES-GCM's associated data binds
// them to the row, so an edit of the store (a base URL pointed elsewhere to collect assertions) fails to decrypt.

/** Where the workload's identity token (its OIDC JWT) comes from at each exchange. */
export type IdentityTokenSource =
  | { source: "file"; path: string }
  | { source: "env"; name: string }
  /** Run without a shell at each exchange (identity-sources.ts). */
  | { source: "command"; argv: string[] }
  /** GitHub Actions' OIDC request, for `audience` (null: GitHub's default). */
  | { source: "github-actions"; audience: string | null };

export interface FederationSettings {
  version: 1;
  /** `fdrl_…` */
  ruleId: string;
  organizationId: string;
  /** `svac_…` */
  serviceAccountId: string | null;
  /** `wrkspc_…` or `default`: the minted token is scoped to one workspace. */
  workspaceId: string | null;
  /** The API host to exchange at and call; null: ANTHROPIC_BASE_URL, else the official host. */
  baseUrl: string | null;
  identityToken: IdentityTokenSource;
}

export interface FederationInput {
  ruleId?: string | undefined;
  organizationId?: string | undefined;
  serviceAccountId?: string | undefined;
  workspaceId?: string | undefined;
  baseUrl?: string | undefined;
  identityTokenFile?: string | undefined;
  identityTokenEnv?: string | undefined;
  identityTokenCommand?: string | undefined;
  identityTokenGithubActions?: boolean | undefined;
  audience?: string | undefined;
}

const ID_BODY = "[A-Za-z0-9_-]{1,120}";
const RULE = new RegExp(`^fdrl_${ID_BODY}$`);
const SERVICE_ACCOUNT = new RegExp(`^svac_${ID_BODY}$`);
const ORGANIZATION = /^[A-Za-z0-9_-]{1,120}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const AUDIENCE = /^[\x21-\x7e]{1,256}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

function bad(setting: string, message: string, hint: string): ApikeyError {
  // Names the setting, never echoes the value: someone may paste a token where a rule id belongs.
  return new ApikeyError(ERROR_CODES.FEDERATION_CONFIG, message, { hint, details: { setting } });
}

/** Checks what `add --federated` was given; throws E_FEDERATION_CONFIG naming the setting. Writes nothing. */
export function checkFederationInput(input: FederationInput): FederationSettings {
  const { ruleId, organizationId, serviceAccountId, workspaceId, baseUrl } = input;
  if (!ruleId || !RULE.test(ruleId))
    throw bad(
      "rule",
      "The federation rule id must look like fdrl_….",
      "Copy it from the Console's Workload identity page.",
    );
  if (!organizationId || !ORGANIZATION.test(organizationId))
    throw bad(
      "org",
      "The organization id is missing or malformed.",
      "Copy it from the Console's organization settings.",
    );
  if (serviceAccountId !== undefined && !SERVICE_ACCOUNT.test(serviceAccountId))
    throw bad(
      "service-account",
      "The service account id must look like svac_….",
      "Copy it from the Console.",
    );
  if (workspaceId !== undefined && !isWorkspaceId(workspaceId))
    throw bad("workspace", "The workspace must be wrkspc_… or default.", "Copy it from the Console.");
  return {
    version: 1,
    ruleId,
    organizationId,
    serviceAccountId: serviceAccountId ?? null,
    workspaceId: workspaceId ?? null,
    baseUrl: baseUrl === undefined ? null : checkTokenEndpoint(baseUrl),
    identityToken: checkSource(input),
  };
}

function checkSource(input: FederationInput): IdentityTokenSource {
  const { identityTokenFile: file, identityTokenEnv: env, identityTokenCommand: command } = input;
  const github = input.identityTokenGithubActions === true;
  const hint =
    "Name one source of the identity token: a file, an environment variable, a command or GitHub Actions.";
  const given = [file !== undefined, env !== undefined, command !== undefined, github].filter(Boolean);
  if (given.length !== 1) throw bad("identity-token", "Say where the identity token comes from, once.", hint);
  if (input.audience !== undefined && (!github || !AUDIENCE.test(input.audience)))
    throw bad(
      "audience",
      "An audience goes with GitHub Actions as the identity token source: 1–256 visible characters.",
      hint,
    );
  if (github) return { source: "github-actions", audience: input.audience ?? null };
  if (command !== undefined) {
    const argv = command.length <= 4096 && !CONTROL.test(command) ? commandWords(command) : null;
    if (!argv)
      throw bad(
        "identity-token-command",
        "The identity token command cannot be run without a shell.",
        "It runs without a shell: quote arguments with '…', and for a pipe say so: sh -c '…'.",
      );
    return { source: "command", argv };
  }
  if (file !== undefined) {
    if (!isAbsolute(file) || CONTROL.test(file) || file.length > 4096)
      throw bad("identity-token-file", "The identity token file must be an absolute path.", hint);
    return { source: "file", path: file };
  }
  if (!ENV_NAME.test(env as string))
    throw bad("identity-token-env", "That is not an environment variable name.", hint);
  return { source: "env", name: env as string };
}

/**
 * An exchange sends the workload's identity token: https only, plain http only to this machine (the stand-ins).
 * Throws E_FEDERATION_FAILED with reason `insecure_endpoint`, before anything is sent.
 */
export function checkTokenEndpoint(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw bad(
      "base-url",
      "The base URL is not a URL.",
      "Give the API's base URL, e.g. https://api.anthropic.com.",
    );
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname)))
    return baseUrl.replace(/\/+$/, "");
  throw new ApikeyError(
    ERROR_CODES.FEDERATION_FAILED,
    "Refusing to send an identity token to a token endpoint over plain http.",
    {
      hint: "Use the https:// URL of the API (plain http is accepted only for this machine).",
      details: { reason: "insecure_endpoint" },
    },
  );
}

/** The row's masked hint: the rule, never anything minted. */
export function federationHint(settings: FederationSettings): string {
  return `federated ${settings.ruleId}`;
}

export function encodeSettings(settings: FederationSettings): string {
  return JSON.stringify(settings);
}

/** The settings a federated row's ciphertext decrypted to; a row that does not hold them is corrupt. */
export function decodeSettings(json: string): FederationSettings {
  try {
    const v = JSON.parse(json) as FederationSettings;
    if (v.version === 1 && typeof v.ruleId === "string" && typeof v.identityToken?.source === "string")
      return v;
  } catch {
    // fall through
  }
  throw new ApikeyError(ERROR_CODES.STORE_CORRUPT, "A federated key's settings are unreadable.", {
    hint: "Delete the key and add it again as a federated key.",
  });
}
