import { randomBytes } from "node:crypto";
import { link, mkdir, open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { KeyRecord } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { isProfileName } from "./anthropic-profiles.ts";
import type { FederationSettings } from "./settings.ts";

// `apikey use NAME --sdk-profile` on a federated key that came from no SDK profile (`apikey add --federated`): the
// SDK reads only a profile that exists, so apikey writes one — `configs/<key name>.json`, an `oidc_federation`
// profile with the key's rule, organization, workspace and identity token file. It holds no secret (the SDK mints
// from the file). Only a file source can be written: the SDK reads no command, no GitHub Actions request and no
// variable but its own, so those keys are refused with what to do instead.

export interface SdkProfileConfig {
  profile: string;
  path: string;
  body: Record<string, unknown>;
}

function refused(message: string, hint: string, reason: string): ApikeyError {
  return new ApikeyError(ERROR_CODES.USAGE, message, { hint, details: { reason } });
}

/** The profile to write for the key, or a coded error saying why the SDK could not use one. */
export function federatedProfileConfig(
  key: Pick<KeyRecord, "name">,
  settings: FederationSettings,
  configDir: string,
): SdkProfileConfig {
  const source = settings.identityToken;
  if (source.source !== "file")
    throw new ApikeyError(
      ERROR_CODES.FEDERATED_KEY,
      `The official SDKs cannot read key "${key.name}"'s identity token (${source.source === "env" ? "a variable of apikey's" : source.source}) from a profile.`,
      {
        hint: "Have apikey start the program, which renews the identity token for the SDK (the CLI's exec), or use the gateway.",
        details: { key: key.name, reason: "source_unsupported" },
      },
    );
  if (!isProfileName(key.name))
    throw refused(
      `"${key.name}" cannot name an SDK profile.`,
      "Rename the key (letters, digits, . _ -).",
      "profile_name",
    );
  const body = {
    version: "1.0",
    ...(settings.baseUrl && { base_url: settings.baseUrl }),
    organization_id: settings.organizationId,
    ...(settings.workspaceId && { workspace_id: settings.workspaceId }),
    authentication: {
      type: "oidc_federation",
      federation_rule_id: settings.ruleId,
      ...(settings.serviceAccountId && { service_account_id: settings.serviceAccountId }),
      identity_token: { source: "file", path: source.path },
    },
  };
  return { profile: key.name, path: join(configDir, "configs", `${key.name}.json`), body };
}

/** Writes `text` to `path` through a temporary file renamed over it (0600); `exclusive`: never over a file. */
export async function replaceFile(path: string, text: string, exclusive = false): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
    await handle.close();
    if (exclusive) {
      // link() fails when the name exists: a profile someone wrote meanwhile is never replaced.
      await link(temp, path);
      await unlink(temp);
    } else await rename(temp, path);
  } catch (err) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw err;
  }
}

/** Writes the profile (never over an existing file: the caller checked there was no matching one). */
export async function writeSdkProfileConfig(config: SdkProfileConfig): Promise<void> {
  await mkdir(join(config.path, ".."), { recursive: true, mode: 0o700 });
  try {
    await replaceFile(config.path, `${JSON.stringify(config.body, null, 2)}\n`, true);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    throw refused(
      `An SDK profile named "${config.profile}" already exists for another credential (${config.path}).`,
      "Import that profile, or rename the key.",
      "profile_exists",
    );
  }
}
