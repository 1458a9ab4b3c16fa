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

/** The longest "last N days" window any front asks for (the CLI's `9999d`). */
export const MAX_LAST_DAYS = 9999;

/**
 * The start of "the last N days": whole UTC days back, today included (7 on a Wednesday starts on Thursday a week
 * earlier at 00:00 UTC). The one definition every front's window uses; starting on a day boundary lets the store
 * answer from its daily rollup. Throws E_USAGE for anything but a whole number from 1 to MAX_LAST_DAYS.
 */
export function lastDaysSince(days: number, now: Date): Date {
  if (!Number.isInteger(days) || days < 1 || days > MAX_LAST_DAYS) throw badSince(`${days}d`);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (days - 1) * DAY_MS);
}

/** A window as the fronts ask for one: from a date, or the last N days (lastDaysSince). */
export type ReportWindow = { since: Date; until?: Date } | { lastDays: number; until?: undefined };

/** Where a window starts: `since`, or the start of the last `lastDays` days at `now`. */
export function windowSince(window: ReportWindow, now: Date): Date {
  return "lastDays" in window ? lastDaysSince(window.lastDays, now) : window.since;
}

/**
 * `7d`, `30d` (whole UTC days back, today included: lastDaysSince) or `YYYY-MM-DD` (from that UTC day's start).
 * Bad input is a usage error, never a silent default.
 */
export function parseSince(value: string, now: Date): Date {
  const relative = /^(\d{1,4})d$/.exec(value.trim());
  if (relative) {
    const days = Number(relative[1]);
    if (days < 1) throw badSince(value);
    return lastDaysSince(days, now);
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
