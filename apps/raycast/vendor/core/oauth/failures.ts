// Vendored from packages/core/src/oauth/failures.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import * as oauth from "oauth4webapi";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { configError } from "./endpoints.ts";

// Turns what oauth4webapi and fetch throw into coded errors. Messages name the situation only: a code, a token
// or a provider's error_description (which may echo input) never reaches them.

export type OAuthStep = "discovery" | "authorization" | "exchange" | "refresh" | "minting";

export function toOAuthError(err: unknown, step: OAuthStep): ApikeyError {
  if (err instanceof ApikeyError) return err;
  if (isNetworkFailure(err)) {
    return new ApikeyError(ERROR_CODES.OAUTH_UNREACHABLE, "The OAuth provider could not be reached.", {
      hint: "Check your network and the provider's URLs, then try again.",
      cause: err,
    });
  }
  if (err instanceof oauth.AuthorizationResponseError) {
    if (err.error === "access_denied") {
      return new ApikeyError(ERROR_CODES.OAUTH_DENIED, "The login was denied at the provider.", {
        hint: "Log in again and approve the request, if you meant to.",
        cause: err,
      });
    }
    return configError(`The provider refused the login request (${safeCode(err.error)}).`, err);
  }
  if (err instanceof oauth.ResponseBodyError) {
    if (err.error === "invalid_grant") {
      if (step === "refresh") return refreshFailed(err);
      return new ApikeyError(
        ERROR_CODES.OAUTH_CODE,
        "The provider rejected the authorization code: it has expired, was already used, or does not match this login.",
        { hint: "Log in again and complete it promptly.", cause: err },
      );
    }
    if (step === "refresh") return refreshFailed(err);
    return configError(`The provider refused the request (${safeCode(err.error)}).`, err);
  }
  if (err instanceof oauth.OperationProcessingError && step === "authorization") {
    if (/"state"|"iss"/.test(err.message)) {
      return new ApikeyError(
        ERROR_CODES.OAUTH_STATE,
        "The response does not belong to this login (state or issuer mismatch).",
        {
          hint: "Log in again; use only the page or code from that same attempt.",
          cause: err,
        },
      );
    }
    return new ApikeyError(ERROR_CODES.OAUTH_CODE, "The authorization response is incomplete or malformed.", {
      hint: "Log in again.",
      cause: err,
    });
  }
  if (step === "refresh") return refreshFailed(err);
  return configError("The OAuth provider answered in a way apikey does not understand.", err);
}

function refreshFailed(cause: unknown): ApikeyError {
  return new ApikeyError(ERROR_CODES.OAUTH_REFRESH_FAILED, "The OAuth token could not be refreshed.", {
    hint: "Log in with the provider again.",
    cause,
  });
}

/** fetch's own failures (refused, DNS, reset) and our timeouts. */
function isNetworkFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === "TimeoutError" || err.name === "AbortError") return true;
  return err instanceof TypeError && err.message === "fetch failed";
}

/** OAuth error codes are a fixed ASCII vocabulary; anything else is not repeated. */
function safeCode(code: string): string {
  return /^[a-z_]{1,40}$/.test(code) ? code : "unrecognised error";
}
