// Vendored from packages/core/src/tokens/policy.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import type { GatewayTokenRecord } from "./port.ts";

// Pure rules of a token's use: what its settings allow, decided from data (the gateway feeds it from memory).

const DAY_MS = 86_400_000;
const MAX_DAYS = 3650;

/** `30d`, `12h` or `90m` from `now`; or an ISO date. Throws E_USAGE for anything else or a time in the past. */
export function parseExpiry(text: string, now: Date): Date {
  const relative = /^(\d{1,5})([dhm])$/.exec(text.trim());
  let at: Date;
  if (relative) {
    const n = Number(relative[1]);
    const unit = relative[2] === "d" ? DAY_MS : relative[2] === "h" ? 3_600_000 : 60_000;
    at = new Date(now.getTime() + n * unit);
  } else {
    at = new Date(text.trim());
  }
  if (Number.isNaN(at.getTime()) || at <= now || at.getTime() - now.getTime() > MAX_DAYS * DAY_MS) {
    throw new ApikeyError(
      ERROR_CODES.USAGE,
      "An expiry is a duration like 30d, 12h or 90m, or a future date like 2027-01-31.",
      { details: { field: "expires" } },
    );
  }
  return at;
}

const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}\*?$/;

/** A model list from `a,b,claude-haiku-*`; throws E_USAGE for an empty or malformed entry. */
export function parseModels(list: readonly string[]): string[] {
  const models = list.map((m) => m.trim()).filter((m) => m !== "");
  if (models.length === 0 || models.some((m) => !MODEL.test(m))) {
    throw new ApikeyError(
      ERROR_CODES.USAGE,
      "A model list names model ids separated by commas; a trailing * matches every id that starts so.",
      { details: { field: "models" } },
    );
  }
  return [...new Set(models)];
}

export function modelAllowed(models: readonly string[] | null, model: string): boolean {
  if (models === null) return true;
  for (const m of models) {
    if (m.endsWith("*") ? model.startsWith(m.slice(0, -1)) : model === m) return true;
  }
  return false;
}

export type TokenRefusal = "revoked" | "expired";

/** Why the token may not be used at `now`, or null. Model and budget checks need the request and the spend. */
export function tokenRefusal(
  token: Pick<GatewayTokenRecord, "revokedAt" | "expiresAt">,
  now: number,
): TokenRefusal | null {
  if (token.revokedAt !== null) return "revoked";
  if (token.expiresAt !== null && token.expiresAt.getTime() <= now) return "expired";
  return null;
}
