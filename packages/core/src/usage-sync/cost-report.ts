import { z } from "zod";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { type AdminHttpOptions, adminGet, type Query } from "./admin-http.ts";

// The organization's cost report (GET /v1/organizations/cost_report), fetched when asked (`sync({ cost: true })`):
// daily buckets of what Anthropic bills, amounts as decimal strings in cents. Priority-tier costs are not in it.
// Stored by ./cost-store.ts.

const DAY_MS = 86_400_000;
/** The most daily buckets a page may hold (Anthropic's documented maximum for `1d`). */
const MAX_LIMIT = 31;
/** A bound on a server that keeps saying has_more. */
const MAX_PAGES = 1_000;

/**
 * Cents as the cost report writes them ("123.45" is $1.23), as USD. Plain decimal notation only: an exponent, a sign
 * other than a leading minus, spaces, hex or a bare dot are refused, not guessed at (a credit may be negative).
 */
export function centsToUsd(amount: string): number {
  if (!/^-?(0|[1-9]\d{0,14})(\.\d{1,12})?$/.test(amount)) {
    throw new ApikeyError(
      ERROR_CODES.UPSTREAM_FAILED,
      "The cost report gave an amount that is not a plain decimal number of cents.",
      { details: { path: "/v1/organizations/cost_report", reason: "unexpected_shape" } },
    );
  }
  return Number(amount) / 100;
}

const time = z.string().datetime({ offset: true });
const CostResult = z.object({
  amount: z.string(),
  currency: z.string(),
  workspace_id: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
});
const CostPage = z.object({
  data: z.array(z.object({ starting_at: time, ending_at: time, results: z.array(CostResult) })),
  has_more: z.boolean(),
  next_page: z.string().min(1).nullable(),
});

/** The organization's billed USD per UTC day ("YYYY-MM-DD") over [from, until), whole days. */
export async function fetchDailyCost(
  http: AdminHttpOptions,
  window: { from: Date; until: Date },
): Promise<Map<string, number>> {
  const base: Query = [
    ["starting_at", window.from.toISOString()],
    ["ending_at", window.until.toISOString()],
    ["bucket_width", "1d"],
    ["limit", String(MAX_LIMIT)],
  ];
  const days = new Map<string, number>();
  let page: string | null = null;
  for (let n = 0; n < MAX_PAGES; n++) {
    const query: Query = page === null ? base : [...base, ["page", page]];
    const answer = await adminGet(http, "/v1/organizations/cost_report", query, CostPage);
    for (const bucket of answer.data) {
      const day = bucket.starting_at.slice(0, 10);
      let usd = days.get(day) ?? 0;
      for (const r of bucket.results) {
        if (r.currency !== "USD") throw unexpected(`an amount in ${r.currency.slice(0, 8)}, not USD`);
        usd += centsToUsd(r.amount);
      }
      days.set(day, usd);
    }
    if (!answer.has_more || answer.next_page === null) return days;
    page = answer.next_page;
  }
  throw unexpected("it kept announcing more pages");
}

function unexpected(why: string): ApikeyError {
  return new ApikeyError(ERROR_CODES.UPSTREAM_FAILED, `The cost report could not be followed: ${why}.`, {
    details: { path: "/v1/organizations/cost_report", reason: "unexpected_shape" },
  });
}

/** The whole UTC days a cost sync covers: from `from`'s day to the end of today (today's bucket is partial). */
export function costWindow(from: Date, now: Date): { from: Date; until: Date } {
  const floor = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
  return { from: new Date(floor(from.getTime())), until: new Date(floor(now.getTime()) + DAY_MS) };
}
