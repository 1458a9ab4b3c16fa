// Vendored from packages/core/src/oauth/authorize.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import * as oauth from "oauth4webapi";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { toOAuthError } from "./failures.ts";
import type { ResolvedServer } from "./server.ts";
import type { PendingAuthorization } from "./tokens.ts";

// The front half of the authorization code flow: the URL the user opens, and checking what comes back.

export interface AuthorizationRequest {
  url: string;
  pending: PendingAuthorization;
}

/** PKCE S256 with a fresh verifier, and a `state` drawn separately so neither reveals the other. */
export async function buildAuthorizationRequest(
  server: ResolvedServer,
  redirectUri: string,
  scopes: string[],
): Promise<AuthorizationRequest> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(server.as.authorization_endpoint as string);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", server.client.client_id);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("state", state);
  if (scopes.length > 0) url.searchParams.set("scope", scopes.join(" "));
  return { url: url.href, pending: { state, codeVerifier, redirectUri } };
}

/**
 * Checks an authorization response (state, issuer, error) and returns the parameters for the code exchange.
 * `origin` says where it came from: the loopback redirect (the provider's own redirect, checked in full) or a paste.
 */
export function checkAuthorizationResponse(
  server: ResolvedServer,
  received: URLSearchParams,
  pending: PendingAuthorization,
  origin: "redirect" | "paste",
): URLSearchParams {
  const params = new URLSearchParams(received);
  if (!server.discovered) {
    // No verified issuer to compare with (explicit endpoints): an `iss` parameter cannot be checked.
    params.delete("iss");
  } else if (origin === "paste" && !params.has("iss")) {
    // `code#state`, as providers display it, has no issuer; the user copied it from this provider's page.
    params.set("iss", server.as.issuer);
  }
  // A bare pasted code has no state to compare. That is acceptable because the code is bound to this login's
  // PKCE verifier: a code from any other authorization request fails the exchange (E_OAUTH_CODE).
  const expected = params.has("state") || origin === "redirect" ? pending.state : oauth.skipStateCheck;
  try {
    return oauth.validateAuthResponse(server.as, server.client, params, expected);
  } catch (err) {
    throw toOAuthError(err, "authorization");
  }
}

/**
 * What the user pasted: a full redirect URL, `code#state` (as some providers display it), a query string, or a
 * bare code.
 */
export function parsePastedResponse(input: string): URLSearchParams {
  const text = input.trim();
  if (text.length === 0 || /\s/.test(text)) {
    throw new ApikeyError(ERROR_CODES.OAUTH_CODE, "That is not an authorization code or redirect URL.", {
      hint: "Paste the code the provider showed (code#state), or the whole address of the page you were sent to.",
    });
  }
  if (/^https?:\/\//i.test(text)) {
    try {
      const url = new URL(text);
      // Some providers answer in the fragment (response_mode=fragment); the query wins when both have a code.
      const params =
        url.searchParams.has("code") || url.searchParams.has("error")
          ? url.searchParams
          : new URLSearchParams(url.hash.slice(1));
      return params;
    } catch {
      throw new ApikeyError(ERROR_CODES.OAUTH_CODE, "The pasted address is not a valid URL.", {
        hint: "Copy the whole address from the browser's address bar.",
      });
    }
  }
  if (text.includes("=")) return new URLSearchParams(text.replace(/^[?#]/, ""));
  const hash = text.indexOf("#");
  if (hash === -1) return new URLSearchParams({ code: text });
  return new URLSearchParams({ code: text.slice(0, hash), state: text.slice(hash + 1) });
}
