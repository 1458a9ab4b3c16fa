// Vendored from packages/core/src/federation/identity-renewal.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// When a child's identity token file is renewed (`apikey exec` with a command or GitHub Actions source, the sources
// only apikey can read). The SDK re-reads the file at every exchange, so the file must hold an unexpired token
// whenever the child exchanges: renew before the token's `exp`, leaving half its remaining life (at most a minute)
// as slack for a slow source. `exp` is read only to schedule — the token endpoint is what verifies the token.

/** Without an `exp` (not a JWT, or no such claim): renew this often. */
export const RENEW_FALLBACK_MS = 5 * 60_000;
/** Never run the source more often than this, whatever `exp` says (a broken clock or a token already expiring). */
export const RENEW_MIN_MS = 10_000;
/** The most slack left before `exp`. */
const MAX_SLACK_MS = 60_000;

/** Milliseconds from `nowMs` until the source should run again, for a token whose `exp` (seconds) is given. */
export function nextIdentityRenewal(expSeconds: number | null, nowMs: number): number {
  if (expSeconds === null || !Number.isFinite(expSeconds)) return RENEW_FALLBACK_MS;
  const remaining = expSeconds * 1000 - nowMs;
  const slack = Math.min(MAX_SLACK_MS, remaining / 2);
  return Math.max(RENEW_MIN_MS, Math.round(remaining - slack));
}

/** The JWT's `exp` claim (seconds), or null when it has none or is not a JWT; the signature is not checked. */
export function jwtExpiry(jwt: string): number | null {
  const payload = jwt.trim().split(".")[1];
  if (payload === undefined) return null;
  try {
    const exp = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp : null;
  } catch {
    return null;
  }
}
