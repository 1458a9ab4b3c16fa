// Vendored from packages/core/src/oauth/refresh.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { Buffer } from "node:buffer";
import { needsRefresh } from "../active/usable.ts";
import { DEFAULT_PROFILE, type KeyRecord } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import type { Session } from "../vault/session.ts";
import { type KeyView, toView } from "../vault/views.ts";
import { getProvider } from "./providers.ts";
import { resolveServer } from "./server.ts";
import { openRefreshToken, sealTokens } from "./stored-tokens.ts";
import { refreshTokens } from "./tokens.ts";

export interface RefreshOutcome {
  key: KeyView;
  refreshed: boolean;
  expiresAt: Date | null;
}

/**
 * Refreshes an OAuth key's tokens when they are about to expire (or always, with `force`), persisting the new pair
 * in one transaction audited "oauth.refresh". Keys of other kinds, and fresh tokens, are left alone.
 */
export async function ensureFreshToken(
  vault: Session,
  keyName: string,
  profile = DEFAULT_PROFILE,
  { force = false }: { force?: boolean } = {},
): Promise<RefreshOutcome> {
  const key = await vault.store.keys.byName(profile, keyName);
  if (!key) {
    throw new ApikeyError(ERROR_CODES.KEY_NOT_FOUND, `No key named "${keyName}" in profile "${profile}".`, {
      details: { key: keyName, profile },
    });
  }
  if (key.kind !== "oauth" || !key.oauthProvider) {
    if (force) {
      throw new ApikeyError(ERROR_CODES.USAGE, `Key "${keyName}" did not come from an OAuth login.`, {
        hint: "Only keys stored by an OAuth login have tokens to refresh.",
      });
    }
    return { key: await viewOf(vault, key), refreshed: false, expiresAt: key.expiresAt };
  }
  if (!force && !needsRefresh(key, vault.now())) {
    return { key: await viewOf(vault, key), refreshed: false, expiresAt: key.expiresAt };
  }
  return refreshKey(vault, key, force);
}

async function refreshKey(vault: Session, key: KeyRecord, force: boolean): Promise<RefreshOutcome> {
  const provider = await getProvider(vault, key.oauthProvider as string);
  const dek = await vault.unlock();
  const refreshToken = openRefreshToken(dek, key);
  if (!refreshToken) {
    throw new ApikeyError(ERROR_CODES.OAUTH_REFRESH_FAILED, `Key "${key.name}" has no refresh token.`, {
      hint: "Log in with the provider again.",
      details: { key: key.name, profile: key.profile, provider: key.oauthProvider },
    });
  }
  const server = await resolveServer(provider, { fresh: false });
  let tokens: Awaited<ReturnType<typeof refreshTokens>>;
  try {
    // Outside the transaction: a slow provider must not hold the store's write lock.
    tokens = await refreshTokens(server, refreshToken, vault.now());
  } catch (err) {
    // Another process may have refreshed first and rotated the refresh token we sent; its result is just as good.
    const now = await vault.store.keys.byId(key.id);
    if (now && changedSince(key, now)) {
      return { key: await viewOf(vault, now), refreshed: true, expiresAt: now.expiresAt };
    }
    throw err;
  }
  return vault.store.transaction(async (tx) => {
    const current = await tx.keys.byId(key.id);
    if (!current) {
      throw new ApikeyError(ERROR_CODES.KEY_NOT_FOUND, `Key "${key.name}" was deleted during the refresh.`);
    }
    const updatedAt = vault.now();
    const fields = sealTokens(dek, current, tokens, current);
    await tx.keys.update(key.id, { ...fields, updatedAt });
    await vault.auditIn(tx, "oauth.refresh", key.id, key.profile, {
      name: key.name,
      provider: key.oauthProvider,
      forced: force,
      expiresAt: tokens.expiresAt?.toISOString() ?? null,
      newRefreshToken: tokens.refreshToken !== null,
    });
    const p = await tx.profiles.get(key.profile);
    const stored = { ...current, ...fields, updatedAt };
    return { key: toView(stored, p?.activeKeyId ?? null), refreshed: true, expiresAt: tokens.expiresAt };
  });
}

function changedSince(before: KeyRecord, after: KeyRecord): boolean {
  const a = before.refreshCiphertext;
  const b = after.refreshCiphertext;
  return !!a && !!b && !Buffer.from(a).equals(Buffer.from(b));
}

async function viewOf(vault: Session, key: KeyRecord): Promise<KeyView> {
  const p = await vault.store.profiles.get(key.profile);
  return toView(key, p?.activeKeyId ?? null);
}
