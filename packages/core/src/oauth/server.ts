import * as oauth from "oauth4webapi";
import type { OAuthProviderRecord } from "../domain.ts";
import { httpFetch } from "../net/http-fetch.ts";
import { OAUTH_API_BETA } from "../oauth-bearer.ts";
import { anthropicJsonTokenRequest } from "./anthropic-token-request.ts";
import { checkEndpoint, isLoopbackHttp } from "./endpoints.ts";
import { toOAuthError } from "./failures.ts";

// One provider as oauth4webapi sees it: authorization server metadata, our public client, and request options.

const REQUEST_TIMEOUT_MS = 15_000;

export interface ResolvedServer {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  /** True when the metadata came from the issuer: its `iss` response parameter can then be checked. */
  discovered: boolean;
  /** Per-request options: a timeout, and plain http allowed only towards loopback URLs. */
  options(url: string | URL): RequestOptions;
}

export interface RequestOptions {
  signal: AbortSignal;
  headers?: Record<string, string>;
  [oauth.allowInsecureRequests]?: boolean;
  [oauth.customFetch]: typeof anthropicJsonTokenRequest;
}

/**
 * Anthropic's token endpoint (a `user_oauth` profile's, federation/import-user-oauth.ts) is sent what the official
 * SDK sends it: JSON, with the OAuth beta (anthropic-token-request.ts).
 */
const ANTHROPIC_TOKEN_PATH = "/v1/oauth/token";

// oauth4webapi types the body it passes as unknown; what it sends is what fetch takes.
const transport: typeof anthropicJsonTokenRequest = (url, init) =>
  httpFetch(url, init as globalThis.RequestInit);

export function requestOptions(url: string | URL): RequestOptions {
  const parsed = new URL(url);
  return {
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    // Every request goes through core's transport (net/http-fetch.ts); Anthropic's token endpoint gets JSON on it.
    [oauth.customFetch]: transport,
    ...(parsed.pathname === ANTHROPIC_TOKEN_PATH && {
      headers: { "anthropic-beta": OAUTH_API_BETA },
      [oauth.customFetch]: anthropicJsonTokenRequest,
    }),
    ...(isLoopbackHttp(parsed) && { [oauth.allowInsecureRequests]: true }),
  };
}

/** Reads the issuer's metadata: OpenID Connect discovery first, then RFC 8414 for plain OAuth servers. */
export async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  const url = checkEndpoint(issuer, "issuer");
  try {
    let res = await oauth.discoveryRequest(url, { algorithm: "oidc", ...requestOptions(url) });
    if (res.status === 404) {
      await res.body?.cancel();
      res = await oauth.discoveryRequest(url, { algorithm: "oauth2", ...requestOptions(url) });
    }
    const as = await oauth.processDiscoveryResponse(url, res);
    if (!as.authorization_endpoint || !as.token_endpoint) {
      throw new Error("metadata lacks the authorization or token endpoint");
    }
    checkEndpoint(as.authorization_endpoint, "authorization endpoint");
    checkEndpoint(as.token_endpoint, "token endpoint");
    return as;
  } catch (err) {
    throw toOAuthError(err, "discovery");
  }
}

/**
 * The server for a stored provider. `fresh` re-reads an issuer's metadata (logins do, so an unreachable provider is
 * reported before the browser opens); refreshes use the stored endpoints and make one request only.
 */
export async function resolveServer(
  provider: OAuthProviderRecord,
  { fresh }: { fresh: boolean },
): Promise<ResolvedServer> {
  const client: oauth.Client = { client_id: provider.clientId };
  if (provider.issuer && fresh) {
    return { as: await discover(provider.issuer), client, discovered: true, options: requestOptions };
  }
  const tokenEndpoint = checkEndpoint(provider.tokenEndpoint, "token endpoint");
  checkEndpoint(provider.authorizationEndpoint, "authorization endpoint");
  return {
    as: {
      // Without discovery there is no verified issuer: the token endpoint's origin stands in, and `iss` in
      // responses is not compared (see login.ts).
      issuer: provider.issuer ?? tokenEndpoint.origin,
      authorization_endpoint: provider.authorizationEndpoint,
      token_endpoint: provider.tokenEndpoint,
    },
    client,
    discovered: false,
    options: requestOptions,
  };
}
