import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { isLoopbackHost } from "./loopback-host.ts";

// Where a key may be sent. Every request to ANTHROPIC_BASE_URL carries a real key (or an admin key), so plain
// http is only accepted to this machine (a local gateway, a test double): anywhere else the key would cross the
// network in clear. A person who really means it (a trusted network, a TLS-terminating sidecar) opts in with
// APIKEY_ALLOW_INSECURE_BASE_URL=1.

/** Why a key must not be sent to `url`, or null when it may. Never repeats the URL (it may hold credentials). */
export function baseUrlRefusal(url: string, allowInsecure: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "ANTHROPIC_BASE_URL is not a valid URL.";
  }
  if (parsed.protocol === "https:") return null;
  if (parsed.protocol !== "http:") return "ANTHROPIC_BASE_URL must be an https:// URL.";
  if (allowInsecure || isLoopbackHost(parsed.hostname)) return null;
  return "ANTHROPIC_BASE_URL uses plain http:// to a host that is not this machine: apikey will not send a key there in clear.";
}

/** Throws E_USAGE when a key must not be sent to `url` (undefined = the API's own https address). */
export function assertSafeBaseUrl(url: string | undefined, allowInsecure: boolean): void {
  if (url === undefined) return;
  const refusal = baseUrlRefusal(url, allowInsecure);
  if (refusal === null) return;
  throw new ApikeyError(ERROR_CODES.USAGE, refusal, {
    hint: "Use an https:// URL, or set APIKEY_ALLOW_INSECURE_BASE_URL=1 if you accept that the key travels unencrypted.",
  });
}
