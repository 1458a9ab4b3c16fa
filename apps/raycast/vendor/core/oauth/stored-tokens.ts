// Vendored from packages/core/src/oauth/stored-tokens.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { randomUUID } from "node:crypto";
import { open, refreshAad, SEAL_VERSION, type SealIdentity, seal } from "../crypto/aead.ts";
import { decryptSecret, encryptSecret, fingerprintSecret } from "../crypto/data-key.ts";
import { DEFAULT_PROFILE, type KeyRecord } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { maskKey } from "../key-format.ts";
import type { Store } from "../store.ts";
import { checkName } from "../vault/names.ts";
import { newKeyRecord } from "../vault/new-key.ts";
import type { Session } from "../vault/session.ts";
import { type KeyView, toView } from "../vault/views.ts";
import { checkIssuedTokens } from "./token-shape.ts";
import type { TokenSet } from "./tokens.ts";

// OAuth tokens kept as a key of kind "oauth": the access token is the key's secret (same envelope and AAD as every
// key), the refresh token is sealed separately under its own AAD so neither ciphertext can stand in for the other.
//
// Tokens are stored without recogniseKey(): an operator's provider issues opaque tokens (oidc-provider's are 43
// random characters), not `sk-ant-oat01-…`, and refusing them would make standards OAuth useless. What keeps this
// safe is where they come from — only the token endpoint of a provider the operator registered, never user input —
// and they are not validated against the Anthropic API either (an access token for someone else's API would fail).
// The hint follows maskKey: a known public prefix, else the first three characters, then the last four.

export { REFRESH_MARGIN_MS } from "./margin.ts";

export interface SaveTokensInput {
  name: string;
  profile: string;
  provider: string;
  tokens: TokenSet;
}

/**
 * Stores a login's tokens: a new key, or — when `name` already holds an OAuth key from the same provider — new tokens
 * for it (a second login replaces them). One transaction, audited "oauth.login".
 */
export async function saveTokens(
  vault: Session,
  input: SaveTokensInput,
): Promise<{ key: KeyView; replaced: boolean }> {
  const name = checkName(input.name, "key");
  const { tokens } = input;
  // Also checked where tokens arrive (tokens.ts); again here for any caller that builds a TokenSet itself.
  checkIssuedTokens(tokens);
  const writer = await vault.prepareWrite();
  try {
    return await vault.store.transaction(async (tx) => {
      await writer.commit(tx);
      if (!(await tx.profiles.get(input.profile)) && input.profile !== DEFAULT_PROFILE) {
        throw new ApikeyError(ERROR_CODES.PROFILE_NOT_FOUND, `No profile named "${input.profile}".`, {
          details: { profile: input.profile },
        });
      }
      const existing = await tx.keys.byName(input.profile, name);
      if (existing && (existing.kind !== "oauth" || existing.oauthProvider !== input.provider)) {
        throw new ApikeyError(
          ERROR_CODES.NAME_TAKEN,
          `A key named "${name}" already exists in profile "${input.profile}".`,
          {
            hint: "Pick another name.",
          },
        );
      }
      const now = vault.now();
      const id = existing?.id ?? randomUUID();
      const fields = sealTokens(
        writer.dek,
        { id, profile: input.profile, name, kind: "oauth" },
        tokens,
        existing,
      );
      let active = false;
      if (existing) {
        await tx.keys.update(id, { ...fields, status: "active", updatedAt: now });
        active = (await tx.profiles.get(input.profile))?.activeKeyId === id;
      } else {
        await tx.keys.insert(newRecord(id, name, input, fields, now));
        active = await activateIfFirst(tx, input.profile, id, now);
      }
      await vault.auditIn(tx, "oauth.login", id, input.profile, {
        name,
        provider: input.provider,
        replaced: existing !== null,
        activated: active && !existing,
        expiresAt: tokens.expiresAt?.toISOString() ?? null,
      });
      const stored = (await tx.keys.byId(id)) as KeyRecord;
      return { key: toView(stored, active ? id : null), replaced: existing !== null };
    });
  } catch (err) {
    writer.discard();
    throw err;
  }
}

type TokenFields = Pick<
  KeyRecord,
  | "ciphertext"
  | "nonce"
  | "hint"
  | "fingerprint"
  | "refreshCiphertext"
  | "refreshNonce"
  | "expiresAt"
  | "seal"
>;

/** Seals new tokens for row `id`; a refresh response without a refresh token keeps the stored one. */
export function sealTokens(
  dek: Buffer,
  identity: SealIdentity,
  tokens: TokenSet,
  previous: KeyRecord | null,
): TokenFields {
  const access = encryptSecret(dek, identity, tokens.accessToken);
  // A kept refresh token must be re-sealed too when the previous row used an older seal version.
  const refreshToken = tokens.refreshToken ?? (previous ? openRefreshToken(dek, previous) : null);
  const refresh = refreshToken ? seal(dek, Buffer.from(refreshToken, "utf8"), refreshAad(identity)) : null;
  return {
    ciphertext: access.ciphertext,
    nonce: access.nonce,
    hint: maskKey(tokens.accessToken),
    fingerprint: fingerprintSecret(dek, tokens.accessToken),
    refreshCiphertext: refresh?.ciphertext ?? null,
    refreshNonce: refresh?.nonce ?? null,
    expiresAt: tokens.expiresAt,
    seal: SEAL_VERSION,
  };
}

export function openRefreshToken(dek: Buffer, key: KeyRecord): string | null {
  if (!key.refreshCiphertext || !key.refreshNonce) return null;
  try {
    return open(dek, key.refreshCiphertext, key.refreshNonce, refreshAad(key, key.seal)).toString("utf8");
  } catch (cause) {
    throw new ApikeyError(ERROR_CODES.STORE_CORRUPT, "A stored refresh token failed its integrity check.", {
      hint: "Log in with the provider again.",
      details: { key: key.name, profile: key.profile, provider: key.oauthProvider },
      cause,
    });
  }
}

export function openAccessToken(dek: Buffer, key: KeyRecord): string {
  return decryptSecret(dek, key);
}

function newRecord(id: string, name: string, input: SaveTokensInput, f: TokenFields, now: Date): KeyRecord {
  return newKeyRecord({
    id,
    name,
    profile: input.profile,
    kind: "oauth",
    source: "oauth",
    ...f,
    createdAt: now,
    oauthProvider: input.provider,
  });
}

/** Like `apikey add`: the first key of a profile becomes its active key. */
async function activateIfFirst(tx: Store, profile: string, id: string, now: Date): Promise<boolean> {
  const p = await tx.profiles.get(profile);
  if (!p) {
    await tx.profiles.create({ name: profile, activeKeyId: id, createdAt: now });
    return true;
  }
  if (p.activeKeyId !== null) return false;
  await tx.profiles.setActiveKey(profile, id);
  return true;
}
