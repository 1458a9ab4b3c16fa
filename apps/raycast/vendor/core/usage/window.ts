// Vendored from packages/core/src/usage/window.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError, ERROR_CODES } from "../errors.ts";

const DAY_MS = 86_400_000;

/** The UTC calendar month holding `now`: budgets reset at 00:00 UTC on the 1st, like Anthropic's billing. */
export function monthWindow(now: Date): { since: Date; until: Date } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  return { since: new Date(Date.UTC(y, m, 1)), until: new Date(Date.UTC(y, m + 1, 1)) };
}

/** The UTC day as YYYY-MM-DD. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * `7d`, `30d` (whole UTC days back, today included) or `YYYY-MM-DD` (from that UTC day's start).
 * Bad input is a usage error, never a silent default.
 */
export function parseSince(value: string, now: Date): Date {
  const relative = /^(\d{1,4})d$/.exec(value.trim());
  if (relative) {
    const days = Number(relative[1]);
    if (days < 1) throw badSince(value);
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    return new Date(today - (days - 1) * DAY_MS);
  }
  const absolute = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (absolute) {
    const date = new Date(Date.UTC(Number(absolute[1]), Number(absolute[2]) - 1, Number(absolute[3])));
    if (utcDay(date) === value.trim()) return date;
  }
  throw badSince(value);
}

function badSince(value: string): ApikeyError {
  return new ApikeyError(
    ERROR_CODES.USAGE,
    `A window must start a number of days ago (7d, 30d) or at a date (YYYY-MM-DD), not "${value}".`,
    {
      hint: "For example 7d or 2026-11-01.",
    },
  );
}
