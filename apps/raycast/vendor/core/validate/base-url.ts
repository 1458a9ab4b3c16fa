// Vendored from packages/core/src/validate/base-url.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { isIPv4 } from "node:net";
import { ApikeyError, ERROR_CODES } from "../errors.ts";

// Where a key may be sent. Every request to ANTHROPIC_BASE_URL carries a real key (or an admin key), so plain
// http is only accepted to this machine (a local gateway, a test double): anywhere else the key would cross the
// network in clear. A person who really means it (a trusted network, a TLS-terminating sidecar) opts in with
// APIKEY_ALLOW_INSECURE_BASE_URL=1.

/** True for names and addresses only this machine answers: `localhost`, 127.0.0.0/8, ::1 (and ::ffff:127.x). */
export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  if (h.startsWith("::ffff:")) {
    // An IPv4-mapped address; the URL parser writes it in hex (::ffff:7f00:1 for 127.0.0.1).
    const mapped = h.slice(7);
    const hex = /^([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(mapped);
    return hex ? Number.parseInt(hex[1] as string, 16) >> 8 === 127 : isLoopbackHostname(mapped);
  }
  return isIPv4(h) && h.startsWith("127.");
}

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
  if (allowInsecure || isLoopbackHostname(parsed.hostname)) return null;
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
