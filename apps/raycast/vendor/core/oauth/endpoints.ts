// Vendored from packages/core/src/oauth/endpoints.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { isLoopbackHost } from "../validate/loopback-host.ts";

// Where apikey will send codes and tokens. https everywhere, except plain http to this machine's loopback
// (RFC 8252 §8.3 treats it as safe, and tests run a real server there); anything else is refused before any
// request is made.

export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === "http:" && isLoopbackHost(url.hostname);
}

/** Parses and checks an endpoint URL; throws E_OAUTH_CONFIG naming the setting, never the value. */
export function checkEndpoint(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(`The ${what} is not a valid URL.`);
  }
  if (url.username || url.password) throw configError(`The ${what} must not carry credentials.`);
  if (url.protocol === "https:" || isLoopbackHttp(url)) return url;
  throw configError(
    `The ${what} must use https (plain http is allowed only to this machine: localhost, 127.x.x.x or [::1]).`,
  );
}

export function configError(message: string, cause?: unknown): ApikeyError {
  return new ApikeyError(ERROR_CODES.OAUTH_CONFIG, message, {
    hint: "Check the provider's registration; fix it by removing and adding it again.",
    cause,
  });
}
