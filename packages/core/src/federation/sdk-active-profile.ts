import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { decryptSecret } from "../crypto/data-key.ts";
import type { KeyRecord } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { findKey, useKey } from "../vault/keys.ts";
import type { Session } from "../vault/session.ts";
import { isProfileName } from "./anthropic-profiles.ts";
import { configFileSchema, readProfileFile } from "./profile-files.ts";
import {
  federatedProfileConfig,
  replaceFile,
  type SdkProfileConfig,
  writeSdkProfileConfig,
} from "./sdk-profile-config.ts";
import { decodeSettings } from "./settings.ts";

// `apikey use NAME --sdk-profile`: the official SDKs follow the switch too — their `active_config` file is pointed at
// the SDK profile the key came from. Opt-in, because it changes a file outside apikey's store that other tools read.
// The matching profile is, for an OAuth key imported from a user_oauth profile, the one its refresh provider was
// named after (import-user-oauth.ts); for a federated key, the oidc_federation profile with the same rule,
// organization and workspace — or, when there is none, one apikey writes (sdk-profile-config.ts). Written atomically
// (a temp file renamed over it), 0600, audited.

const PROVIDER_PREFIX = "anthropic-";

function noMatch(message: string, reason: string): ApikeyError {
  return new ApikeyError(ERROR_CODES.USAGE, message, {
    hint: "Only keys imported from an official SDK profile have one to point at.",
    details: { reason },
  });
}

/**
 * The SDK profile that holds the same credential as the key — for a federated key with none, the profile to write
 * (sdk-profile-config.ts) — or a coded error saying why there is none.
 */
export async function matchingSdkProfile(
  s: Session,
  key: KeyRecord,
  configDir: string,
): Promise<{ profile: string; write?: SdkProfileConfig }> {
  if (key.kind === "oauth" && key.oauthProvider?.startsWith(PROVIDER_PREFIX)) {
    const profile = key.oauthProvider.slice(PROVIDER_PREFIX.length);
    const config = isProfileName(profile)
      ? await readProfileFile(join(configDir, "configs", `${profile}.json`), configFileSchema)
      : null;
    // The SDK would send the profile's workspace with the token; one other than the key's is not the same credential.
    if (key.workspace !== null && config && (config.workspace_id ?? null) !== key.workspace)
      throw noMatch(
        `The SDK profile "${profile}" now names another workspace than key "${key.name}" (${key.workspace}).`,
        "workspace_changed",
      );
    if (config?.authentication.type === "user_oauth") return { profile };
    throw noMatch(
      `The SDK profile "${profile}" the key came from is gone from ${configDir}.`,
      "profile_missing",
    );
  }
  if (key.kind !== "federated")
    throw noMatch(`Key "${key.name}" did not come from an SDK profile.`, "no_profile");
  const settings = decodeSettings(decryptSecret(await s.unlock(), key));
  const names = (await readdir(join(configDir, "configs")).catch(() => [] as string[]))
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .filter(isProfileName)
    .sort();
  const matches: string[] = [];
  for (const name of names) {
    const c = await readProfileFile(join(configDir, "configs", `${name}.json`), configFileSchema).catch(
      () => null,
    );
    if (
      c?.authentication.type === "oidc_federation" &&
      c.authentication.federation_rule_id === settings.ruleId &&
      c.organization_id === settings.organizationId &&
      (c.workspace_id ?? null) === settings.workspaceId
    )
      matches.push(name);
  }
  if (matches.length === 1) return { profile: matches[0] as string };
  if (matches.length === 0) {
    const write = federatedProfileConfig(key, settings, configDir);
    return { profile: write.profile, write };
  }
  throw noMatch(`Several SDK profiles have this key's rule (${matches.join(", ")}).`, "ambiguous");
}

/** Points `<configDir>/active_config` at `profile` (atomic, 0600) and audits it; answers the previous value. */
export async function setSdkActiveProfile(
  s: Session,
  key: KeyRecord,
  configDir: string,
  profile: string,
  /** The profile file apikey wrote for the key first, if any (audited with the switch). */
  configWritten: string | null = null,
): Promise<string | null> {
  const target = join(configDir, "active_config");
  const previous = (await readFile(target, "utf8").catch(() => "")).trim() || null;
  await replaceFile(target, `${profile}\n`);
  await s.store.transaction((tx) =>
    s.auditIn(tx, "sdk.active_config", key.id, key.profile, {
      name: key.name,
      sdkProfile: profile,
      previous,
      configWritten,
    }),
  );
  return previous;
}

/** `use NAME --sdk-profile`: the key becomes the profile's active key, then the SDKs' active profile follows it. */
export async function useWithSdkProfile(s: Session, name: string, profile: string, configDir: string) {
  // Matched first: a key with no SDK profile (and none apikey can write) changes nothing, in the store or outside.
  const match = await matchingSdkProfile(s, await findKey(s.store, name, profile), configDir);
  if (match.write) await writeSdkProfileConfig(match.write);
  const key = await useKey(s, name, profile);
  const record = await findKey(s.store, name, profile);
  const previous = await setSdkActiveProfile(s, record, configDir, match.profile, match.write?.path ?? null);
  return { key, sdkProfile: match.profile, previous, configWritten: match.write?.path ?? null };
}
