import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import type { FederationInput } from "./settings.ts";

// The official SDKs' profiles (`ant auth login` writes them): `<config dir>/configs/<profile>.json`, the active one
// named by ANTHROPIC_PROFILE, else the file `active_config`, else `default`. An `oidc_federation` profile holds no
// secret and becomes a federated key. A `user_oauth` profile's plaintext credentials are not imported yet: refused
// with a coded error rather than half-imported.

type Env = Readonly<Record<string, string | undefined>>;

/** `$ANTHROPIC_CONFIG_DIR`, else `$XDG_CONFIG_HOME/anthropic`, else `~/.config/anthropic` (as the SDK resolves it). */
export function anthropicConfigDir(env: Env, home: string): string {
  if (env.ANTHROPIC_CONFIG_DIR) return env.ANTHROPIC_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(home, ".config"), "anthropic");
}

function sourceError(message: string, reason: string): ApikeyError {
  return new ApikeyError(ERROR_CODES.IMPORT_SOURCE, message, {
    hint: "Check the profile with the official CLI (ant auth status), or add the key by hand as a federated key.",
    details: { source: "anthropic-profiles", reason },
  });
}

async function activeProfile(dir: string, env: Env): Promise<string> {
  if (env.ANTHROPIC_PROFILE) return env.ANTHROPIC_PROFILE;
  const named = await readFile(join(dir, "active_config"), "utf8").catch(() => "");
  return named.trim() || "default";
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The named (or active) profile as federation settings, and its name. Never reads a credentials file. */
export async function readAnthropicProfile(
  env: Env,
  home: string,
  profile?: string,
): Promise<{ profile: string; input: FederationInput }> {
  const dir = anthropicConfigDir(env, home);
  const name = profile ?? (await activeProfile(dir, env));
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name) || name.startsWith("."))
    throw sourceError("That is not a profile name.", "profile_name");
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await readFile(join(dir, "configs", `${name}.json`), "utf8")) as Record<
      string,
      unknown
    >;
  } catch {
    throw sourceError(`No readable profile "${name}" in ${dir}.`, "missing");
  }
  const auth = (config.authentication ?? {}) as Record<string, unknown>;
  if (auth.type === "user_oauth")
    throw sourceError(
      `Profile "${name}" is a user_oauth login; only oidc_federation profiles are imported yet.`,
      "user_oauth",
    );
  if (auth.type !== "oidc_federation")
    throw sourceError(`Profile "${name}" has no known authentication type.`, "type");
  const token = (auth.identity_token ?? {}) as Record<string, unknown>;
  return {
    profile: name,
    input: {
      ruleId: str(auth.federation_rule_id),
      organizationId: str(config.organization_id),
      serviceAccountId: str(auth.service_account_id),
      workspaceId: str(config.workspace_id),
      baseUrl: str(config.base_url),
      identityTokenFile: token.source === "file" ? str(token.path) : undefined,
    },
  };
}
