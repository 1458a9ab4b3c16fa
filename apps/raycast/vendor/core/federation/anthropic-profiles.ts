// Vendored from packages/core/src/federation/anthropic-profiles.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isAcceptableAccessToken, isAcceptableRefreshToken } from "../oauth/token-shape.ts";
import type { TokenSet } from "../oauth/tokens.ts";
import type { ProfileConfig } from "./profile-files.ts";
import type { FederationInput } from "./settings.ts";
import { isWorkspaceId } from "./workspace-id.ts";

// The official SDKs' profiles (`ant auth login` writes them): `<config dir>/configs/<profile>.json`, the active one
// named by ANTHROPIC_PROFILE, else the file `active_config`, else `default`. An `oidc_federation` profile holds no
// secret and becomes a federated key; a `user_oauth` profile's plaintext credentials file
// (`credentials/<profile>.json`) becomes an OAuth key, its refresh made by apikey from then on.

type Env = Readonly<Record<string, string | undefined>>;

/** The token endpoint path on the API host (the SDK's TOKEN_ENDPOINT). */
const TOKEN_PATH = "/v1/oauth/token";
const DEFAULT_API = "https://api.anthropic.com";

/** `$ANTHROPIC_CONFIG_DIR`, else `$XDG_CONFIG_HOME/anthropic`, else `~/.config/anthropic` (as the SDK resolves it). */
export function anthropicConfigDir(env: Env, home: string): string {
  if (env.ANTHROPIC_CONFIG_DIR) return env.ANTHROPIC_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(home, ".config"), "anthropic");
}

async function activeProfile(dir: string, env: Env): Promise<string> {
  if (env.ANTHROPIC_PROFILE) return env.ANTHROPIC_PROFILE;
  const named = await readFile(join(dir, "active_config"), "utf8").catch(() => "");
  return named.trim() || "default";
}

/** The SDK's profile-name rule (core/credentials.ts validateProfileName), bounded. */
export function isProfileName(name: string): boolean {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(name) && name !== "." && name !== "..";
}

export interface UserOAuthProfile {
  type: "user_oauth";
  profile: string;
  /** The plaintext file the tokens came from (offered for removal after the import). */
  credentialsPath: string;
  tokens: TokenSet;
  /** Empty in the profile: the token is static (the SDK then never refreshes it either). */
  clientId: string | null;
  tokenEndpoint: string;
  /** The profile's `organization_id` (configs/<profile>.json), kept on the key. */
  organizationId: string | null;
  /** The profile's `workspace_id`: the SDK sends it as anthropic-workspace-id with the token; so does apikey. */
  workspaceId: string | null;
}

export type AnthropicProfile =
  | { type: "oidc_federation"; profile: string; input: FederationInput }
  | UserOAuthProfile;

/** The named (or active) profile, read and checked. Reads the credentials file of a user_oauth profile only. */
export async function readAnthropicProfile(
  env: Env,
  home: string,
  profile?: string,
): Promise<AnthropicProfile> {
  // zod loads here, not with core's entry: every command's start would pay for it (issue 25).
  const { configFileSchema, profileFileError, readProfileFile } = await import("./profile-files.ts");
  const dir = anthropicConfigDir(env, home);
  const name = profile ?? (await activeProfile(dir, env));
  if (!isProfileName(name)) throw profileFileError("That is not a profile name.", "profile_name");
  const config = await readProfileFile(join(dir, "configs", `${name}.json`), configFileSchema);
  if (!config) throw profileFileError(`No profile "${name}" in ${dir}.`, "missing");
  const auth = config.authentication;
  if (auth.type === "user_oauth") return readUserOAuth(dir, name, config);
  return {
    type: "oidc_federation",
    profile: name,
    input: {
      ruleId: auth.federation_rule_id,
      organizationId: config.organization_id,
      serviceAccountId: auth.service_account_id,
      workspaceId: config.workspace_id,
      baseUrl: config.base_url,
      identityTokenFile: auth.identity_token?.path,
    },
  };
}

async function readUserOAuth(dir: string, name: string, config: ProfileConfig): Promise<UserOAuthProfile> {
  const { credentialsFileSchema, profileFileError, readProfileFile } = await import("./profile-files.ts");
  const auth = config.authentication;
  const credentialsPath =
    (auth.type === "user_oauth" && auth.credentials_path) || join(dir, "credentials", `${name}.json`);
  const creds = await readProfileFile(credentialsPath, credentialsFileSchema);
  if (!creds)
    throw profileFileError(
      `Profile "${name}" is a user_oauth login without a credentials file (${credentialsPath}); log in with ant auth login first.`,
      "missing",
    );
  // Bounded where they enter, as every OAuth token apikey stores (oauth/token-shape.ts).
  if (!isAcceptableAccessToken(creds.access_token))
    throw profileFileError(
      `${credentialsPath} holds an access token apikey cannot store.`,
      "schema",
      "access_token",
    );
  if (creds.refresh_token !== undefined && !isAcceptableRefreshToken(creds.refresh_token))
    throw profileFileError(
      `${credentialsPath} holds a refresh token apikey cannot store.`,
      "schema",
      "refresh_token",
    );
  const clientId = auth.type === "user_oauth" && auth.client_id ? auth.client_id : null;
  // It becomes a request header: refused unless it is a workspace id (never echoed: it names the field only).
  if (config.workspace_id !== undefined && !isWorkspaceId(config.workspace_id))
    throw profileFileError(
      `Profile "${name}" names a workspace_id that is not wrkspc_… or default.`,
      "schema",
      "workspace_id",
    );
  return {
    type: "user_oauth",
    profile: name,
    credentialsPath,
    tokens: {
      accessToken: creds.access_token,
      refreshToken: creds.refresh_token ?? null,
      expiresAt: typeof creds.expires_at === "number" ? new Date(creds.expires_at * 1000) : null,
      scope: creds.scope ?? null,
    },
    clientId,
    tokenEndpoint: `${(config.base_url ?? DEFAULT_API).replace(/\/+$/, "")}${TOKEN_PATH}`,
    organizationId: config.organization_id ?? null,
    workspaceId: config.workspace_id ?? null,
  };
}
