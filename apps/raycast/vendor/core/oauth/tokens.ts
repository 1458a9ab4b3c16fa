// Vendored from packages/core/src/oauth/tokens.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import * as oauth from "oauth4webapi";
import { toOAuthError } from "./failures.ts";
import type { ResolvedServer } from "./server.ts";
import { checkIssuedTokens } from "./token-shape.ts";

// The token endpoint: code exchange (PKCE) and refresh, both done by oauth4webapi.

export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  /** null when the provider did not say. */
  expiresAt: Date | null;
  scope: string | null;
}

export interface PendingAuthorization {
  state: string;
  codeVerifier: string;
  redirectUri: string;
}

/** `callback` must already have passed `oauth.validateAuthResponse`. */
export async function exchangeCode(
  server: ResolvedServer,
  callback: URLSearchParams,
  pending: PendingAuthorization,
  now: Date,
): Promise<TokenSet> {
  const { as, client } = server;
  try {
    const res = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      callback,
      pending.redirectUri,
      pending.codeVerifier,
      server.options(as.token_endpoint as string),
    );
    return toTokenSet(await oauth.processAuthorizationCodeResponse(as, client, res), now);
  } catch (err) {
    throw toOAuthError(err, "exchange");
  }
}

export async function refreshTokens(
  server: ResolvedServer,
  refreshToken: string,
  now: Date,
): Promise<TokenSet> {
  const { as, client } = server;
  try {
    const res = await oauth.refreshTokenGrantRequest(
      as,
      client,
      oauth.None(),
      refreshToken,
      server.options(as.token_endpoint as string),
    );
    return toTokenSet(await oauth.processRefreshTokenResponse(as, client, res), now);
  } catch (err) {
    throw toOAuthError(err, "refresh");
  }
}

/** Throws E_OAUTH_CONFIG for tokens outside the bounds of token-shape.ts: they are refused where they enter. */
function toTokenSet(res: oauth.TokenEndpointResponse, now: Date): TokenSet {
  const tokens = {
    accessToken: res.access_token,
    refreshToken: res.refresh_token ?? null,
  };
  checkIssuedTokens(tokens);
  return {
    ...tokens,
    expiresAt: typeof res.expires_in === "number" ? new Date(now.getTime() + res.expires_in * 1000) : null,
    scope: res.scope ?? null,
  };
}
