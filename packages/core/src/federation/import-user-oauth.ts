import { randomUUID } from "node:crypto";
import { unlink } from "node:fs/promises";
import { DEFAULT_PROFILE, type OAuthProviderRecord } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { sealTokens } from "../oauth/stored-tokens.ts";
import type { Store } from "../store.ts";
import { refuseDuplicate } from "../vault/keys.ts";
import { checkName } from "../vault/names.ts";
import { newKeyRecord } from "../vault/new-key.ts";
import { ensureProfile } from "../vault/profiles.ts";
import type { Session } from "../vault/session.ts";
import { type KeyView, toView } from "../vault/views.ts";
import type { UserOAuthProfile } from "./anthropic-profiles.ts";

// A `user_oauth` profile (`ant auth login`) moved into the store: its access token becomes an OAuth key's secret and
// its refresh token is sealed beside it (oauth/stored-tokens.ts), so apikey's OAuth refresh renews it from then on
// — with the client id the profile names, as the official SDK itself would. The provider it refreshes against is
// registered in the same transaction, named after the SDK profile (`anthropic-<profile>`): that name is also how
// `apikey use --sdk-profile` finds the profile again. A profile without a client id or refresh token holds a static
// token (the SDK never refreshes it either) and gets no provider.

/** The OAuth provider an imported user_oauth profile refreshes against. */
export const sdkProviderName = (profile: string) => `anthropic-${profile}`;

export interface ImportUserOAuthResult {
  key: KeyView;
  activated: boolean;
  /** The provider registered for refreshes (null: a static token). */
  provider: string | null;
}

export async function importUserOAuth(
  vault: Session,
  input: { name: string; profile?: string; found: UserOAuthProfile },
): Promise<ImportUserOAuthResult> {
  const profile = input.profile ?? DEFAULT_PROFILE;
  const name = checkName(input.name, "key");
  const { found } = input;
  const provider = providerFor(found, vault.now());
  const writer = await vault.prepareWrite();
  try {
    return await vault.store.transaction(async (tx) => {
      await writer.commit(tx);
      const id = randomUUID();
      const fields = sealTokens(writer.dek, { id, profile, name, kind: "oauth" }, found.tokens, null);
      await refuseDuplicate(tx, fields.fingerprint, name, profile);
      if (await tx.keys.byName(profile, name))
        throw new ApikeyError(
          ERROR_CODES.NAME_TAKEN,
          `A key named "${name}" already exists in profile "${profile}".`,
          {
            hint: "Give the imported key another name.",
          },
        );
      if (provider) await registerProvider(vault, tx, provider);
      const p = await ensureProfile(vault, tx, profile);
      const record = newKeyRecord({
        id,
        name,
        profile,
        kind: "oauth",
        source: "import",
        ...fields,
        createdAt: vault.now(),
        oauthProvider: provider?.name ?? null,
        organization: found.organizationId,
        workspace: found.workspaceId,
      });
      await tx.keys.insert(record);
      const activated = p.activeKeyId === null;
      if (activated) await tx.profiles.setActiveKey(profile, id);
      await vault.auditIn(tx, "key.add", id, profile, {
        name,
        kind: "oauth",
        source: "import",
        from: "anthropic-profiles",
        sdkProfile: found.profile,
        refreshable: provider !== null,
        workspace: found.workspaceId,
        activated,
      });
      return { key: toView(record, activated ? id : null), activated, provider: provider?.name ?? null };
    });
  } catch (err) {
    writer.discard();
    throw err;
  }
}

function providerFor(found: UserOAuthProfile, now: Date): OAuthProviderRecord | null {
  if (!found.clientId || !found.tokens.refreshToken) return null;
  const origin = new URL(found.tokenEndpoint).origin;
  return {
    name: sdkProviderName(found.profile),
    issuer: null,
    // Never opened: apikey does not log in with another application's client (docs/guides/oauth.md); the record
    // exists for refreshes, which use the token endpoint only.
    authorizationEndpoint: `${origin}/oauth/authorize`,
    tokenEndpoint: found.tokenEndpoint,
    clientId: found.clientId,
    scopes: found.tokens.scope?.split(/\s+/).filter(Boolean) ?? [],
    keyMintingUrl: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** A second import of the same SDK profile reuses its provider; a different one under that name is refused. */
async function registerProvider(vault: Session, tx: Store, record: OAuthProviderRecord): Promise<void> {
  const existing = await tx.oauthProviders.get(record.name);
  if (existing) {
    if (existing.tokenEndpoint === record.tokenEndpoint && existing.clientId === record.clientId) return;
    throw new ApikeyError(
      ERROR_CODES.NAME_TAKEN,
      `An OAuth provider named "${record.name}" already exists.`,
      {
        hint: "Remove that provider first, or import the profile under another name.",
        details: { reason: "provider_exists", provider: record.name },
      },
    );
  }
  await tx.oauthProviders.put(record);
  await vault.auditIn(tx, "oauth.provider.add", null, null, {
    name: record.name,
    issuer: null,
    discovered: false,
    scopes: record.scopes,
    keyMinting: false,
    from: "anthropic-profiles",
  });
}

/**
 * Removes the plaintext credentials file the import made redundant — only when asked (a flag, or a yes on a
 * terminal). Audited; a file already gone is not an error.
 */
export async function removePlaintextCredentials(
  vault: Session,
  keyId: string,
  profile: string,
  path: string,
): Promise<boolean> {
  let removed = true;
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "ENOENT") throw err;
    removed = false;
  });
  await vault.store.transaction((tx) =>
    vault.auditIn(tx, "import.plaintext_removed", keyId, profile, { path, removed }),
  );
  return removed;
}
