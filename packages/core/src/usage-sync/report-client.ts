import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { type AdminHttpOptions, adminGet, type Query } from "./admin-http.ts";
import type { SyncWindow } from "./plan.ts";
import { type ReportBucket, ReportPage } from "./report-page.ts";

// The usage report as an async iterator of pages: one page in memory at a time, each with the exact range of
// buckets it settles, so the caller can replace that range and commit before asking for the next.

export const WIDTH_MS = { "1m": 60_000, "1h": 3_600_000 } as const;
/** The most buckets a page may hold, per width (Anthropic's documented maximum). */
const MAX_LIMIT = { "1m": 1440, "1h": 168 } as const;
/** A bound on a server that keeps saying has_more: a 31-day minute window is 45 pages. */
const MAX_PAGES = 10_000;

export interface SettledPage {
  /** Buckets starting in [from, until) are all here: absent ones had no usage. */
  from: Date;
  until: Date;
  buckets: ReportBucket[];
}

export async function* reportPages(http: AdminHttpOptions, window: SyncWindow): AsyncGenerator<SettledPage> {
  const step = WIDTH_MS[window.width];
  const base: Query = [
    ["starting_at", window.from.toISOString()],
    ["ending_at", window.until.toISOString()],
    ["bucket_width", window.width],
    ["limit", String(MAX_LIMIT[window.width])],
    ["group_by[]", "api_key_id"],
    ["group_by[]", "model"],
  ];
  let from = window.from.getTime();
  let page: string | null = null;
  for (let n = 0; n < MAX_PAGES; n++) {
    const query: Query = page === null ? base : [...base, ["page", page]];
    const answer = await adminGet(http, "/v1/organizations/usage_report/messages", query, ReportPage);
    const last = answer.data.at(-1);
    const more = answer.has_more && answer.next_page !== null;
    const until = more ? (last ? Date.parse(last.ending_at) : Number.NaN) : window.until.getTime();
    checkBuckets(answer.data, from, until, step);
    yield { from: new Date(from), until: new Date(until), buckets: answer.data };
    if (!more) return;
    from = until;
    page = answer.next_page;
  }
  throw unexpected("it kept announcing more pages");
}

/** Each bucket one width long, in order, inside the range the page settles; a page that says more has some. */
function checkBuckets(buckets: readonly ReportBucket[], from: number, until: number, step: number): void {
  if (!(until > from)) throw unexpected("a page announced more without moving on");
  let previous = from - step;
  for (const b of buckets) {
    const start = Date.parse(b.starting_at);
    if (
      Date.parse(b.ending_at) - start !== step ||
      start < from ||
      start + step > until ||
      start <= previous
    ) {
      throw unexpected("a bucket outside the range asked for");
    }
    previous = start;
  }
}

function unexpected(why: string): ApikeyError {
  return new ApikeyError(ERROR_CODES.UPSTREAM_FAILED, `The usage report could not be followed: ${why}.`, {
    details: { path: "/v1/organizations/usage_report/messages", reason: "unexpected_shape" },
  });
}
