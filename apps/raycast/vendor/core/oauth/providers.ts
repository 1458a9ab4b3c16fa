// Vendored from packages/core/src/oauth/providers.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { OAuthProviderRecord } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { startsLikeKey } from "../scan/loose-keys.ts";
import { checkName } from "../vault/names.ts";
import type { Session } from "../vault/session.ts";
import { checkEndpoint, configError } from "./endpoints.ts";

// Providers are registered by the operator with a client id of their own: apikey ships none, and impersonates no
// other application (see docs/guides/oauth.md).

export interface ProviderInput {
  name: string;
  /** Either an issuer (its metadata is read now) … */
  issuer?: string;
  /** … or both endpoints. */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  clientId: string;
  scopes?: string[];
  keyMintingUrl?: string;
}

export async function addProvider(vault: Session, input: ProviderInput): Promise<OAuthProviderRecord> {
  // Provider names share the rules of key names (they appear in commands and audit rows).
  const name = checkName(input.name, "key");
  const clientId = input.clientId.trim();
  if (!/^[\x21-\x7e]{1,256}$/.test(clientId))
    throw configError("The client id must be 1–256 visible ASCII characters.");
  const scopes = (input.scopes ?? []).flatMap((s) => s.split(/\s+/)).filter(Boolean);
  if (scopes.some((s) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)))
    throw configError("A scope contains characters OAuth does not allow.");
  const keyMintingUrl = input.keyMintingUrl
    ? checkEndpoint(input.keyMintingUrl, "key-minting URL").href
    : null;

  let endpoints: { issuer: string | null; authorizationEndpoint: string; tokenEndpoint: string };
  if (input.issuer && !input.authorizationEndpoint && !input.tokenEndpoint) {
    // The OAuth library loads here, not on import: listing providers is on every start of a front (issue 25).
    const { discover } = await import("./server.ts");
    const as = await discover(input.issuer);
    endpoints = {
      issuer: as.issuer,
      authorizationEndpoint: as.authorization_endpoint as string,
      tokenEndpoint: as.token_endpoint as string,
    };
  } else if (!input.issuer && input.authorizationEndpoint && input.tokenEndpoint) {
    endpoints = {
      issuer: null,
      authorizationEndpoint: checkEndpoint(input.authorizationEndpoint, "authorization endpoint").href,
      tokenEndpoint: checkEndpoint(input.tokenEndpoint, "token endpoint").href,
    };
  } else {
    throw new ApikeyError(
      ERROR_CODES.USAGE,
      "Give either an issuer, or both an authorization endpoint and a token endpoint.",
    );
  }

  return vault.store.transaction(async (tx) => {
    if (await tx.oauthProviders.get(name)) {
      throw new ApikeyError(ERROR_CODES.NAME_TAKEN, `An OAuth provider named "${name}" already exists.`, {
        hint: "Remove it first.",
        details: { reason: "provider_exists", provider: name },
      });
    }
    const now = vault.now();
    const record: OAuthProviderRecord = {
      name,
      ...endpoints,
      clientId,
      scopes,
      keyMintingUrl,
      createdAt: now,
      updatedAt: now,
    };
    await tx.oauthProviders.put(record);
    await vault.auditIn(tx, "oauth.provider.add", null, null, {
      name,
      issuer: record.issuer,
      discovered: record.issuer !== null,
      scopes,
      keyMinting: keyMintingUrl !== null,
    });
    return record;
  });
}

export function listProviders(vault: Session): Promise<OAuthProviderRecord[]> {
  return vault.store.oauthProviders.list();
}

export async function getProvider(vault: Session, name: string): Promise<OAuthProviderRecord> {
  const found = await vault.store.oauthProviders.get(name);
  if (found) return found;
  throw providerNotFound(name);
}

/** Keys that came from the provider stay; refreshing them will report the provider missing. */
export async function removeProvider(vault: Session, name: string): Promise<OAuthProviderRecord> {
  return vault.store.transaction(async (tx) => {
    const found = await tx.oauthProviders.get(name);
    if (!found) throw providerNotFound(name);
    await tx.oauthProviders.delete(name);
    await vault.auditIn(tx, "oauth.provider.remove", null, null, { name });
    return found;
  });
}

function providerNotFound(name: string): ApikeyError {
  // The name is echoed only when it is a plain name (it could be a mistyped secret otherwise).
  const shown =
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name) && !startsLikeKey(name) ? `"${name}"` : "with that name";
  return new ApikeyError(ERROR_CODES.OAUTH_PROVIDER_NOT_FOUND, `No OAuth provider ${shown}.`, {
    details: { provider: name },
  });
}
