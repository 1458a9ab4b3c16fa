// Vendored from packages/core/src/oauth/token-shape.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError, ERROR_CODES } from "../errors.ts";

// What an OAuth provider may hand us as tokens. They arrive from a server we do not control and end up in shell
// lines (`apikey env`), HTTP headers and hints, so they are bounded where they enter: an access token is an RFC 6750
// b64token (letters, digits, - . _ ~ + /, then any '=' padding), a refresh token printable ASCII without spaces,
// and neither longer than any real provider issues.

export const MAX_TOKEN_LENGTH = 4096;
/** Shorter tokens would be too exposed by a hint (prefix + last four), and no real provider issues them. */
export const MIN_ACCESS_TOKEN_LENGTH = 16;

const ACCESS_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const REFRESH_TOKEN = /^[\x21-\x7E]+$/;

export function isAcceptableAccessToken(token: string): boolean {
  return (
    token.length >= MIN_ACCESS_TOKEN_LENGTH && token.length <= MAX_TOKEN_LENGTH && ACCESS_TOKEN.test(token)
  );
}

export function isAcceptableRefreshToken(token: string): boolean {
  return token.length >= 1 && token.length <= MAX_TOKEN_LENGTH && REFRESH_TOKEN.test(token);
}

/** Throws E_OAUTH_CONFIG (naming the problem, never the token) unless both tokens are within bounds. */
export function checkIssuedTokens(tokens: { accessToken: string; refreshToken: string | null }): void {
  if (!isAcceptableAccessToken(tokens.accessToken)) {
    throw refused("an access token");
  }
  if (tokens.refreshToken !== null && !isAcceptableRefreshToken(tokens.refreshToken)) {
    throw refused("a refresh token");
  }
}

function refused(what: string): ApikeyError {
  return new ApikeyError(
    ERROR_CODES.OAUTH_CONFIG,
    `The provider issued ${what} apikey cannot store safely (unexpected characters or length).`,
    {
      hint: `Tokens must be 16–${MAX_TOKEN_LENGTH} characters of A–Z a–z 0–9 - . _ ~ + / (RFC 6750); check the provider's token settings.`,
    },
  );
}
