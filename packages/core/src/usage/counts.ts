// Token counts arrive from HTTP bodies: an upstream (or anything pretending to be one) decides them. A count is
// believed only when it is a non-negative safe integer no larger than MAX_TOKEN_COUNT; one figure outside that makes
// the whole report untrustworthy, so its event is recorded with every counter at 0 and no cost (the request still
// counts, as an unpriced one) and the refusal is told to the person. An absent or null field is simply 0: the API
// leaves out the cache fields when no cache was used.

/** Far above any real request (context windows are ~10^6 tokens) and far below where a cost loses precision. */
export const MAX_TOKEN_COUNT = 1_000_000_000;

export const COUNTER_FIELDS = [
  "input_tokens",
  "output_tokens",
  "cache_creation_input_tokens",
  "cache_read_input_tokens",
] as const;

export type CounterField = (typeof COUNTER_FIELDS)[number];

/** The count a field holds: a number, `absent` (missing or null), or `invalid`. */
export function tokenCount(value: unknown): number | "absent" | "invalid" {
  if (value === undefined || value === null) return "absent";
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > MAX_TOKEN_COUNT)
    return "invalid";
  return value;
}

export function isTokenCount(value: unknown): value is number {
  return typeof tokenCount(value) === "number";
}

/** Why figures were refused, naming the field (never the value: it is whatever the upstream sent). */
export function refusalReason(field: string): string {
  return `${field} is not a whole number from 0 to ${MAX_TOKEN_COUNT}`;
}

export interface Counts {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
}

export const ZERO_COUNTS: Counts = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
});

/** The first of the four counters that is not a valid count, or null when all are. */
export function invalidCounter(counts: Counts): keyof Counts | null {
  for (const field of ["inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens"] as const) {
    if (!isTokenCount(counts[field])) return field;
  }
  return null;
}
