// Token counts arrive from HTTP bodies: an upstream (or anything pretending to be one) decides them. A count is
// believed only when it is a non-negative safe integer no larger than MAX_TOKEN_COUNT; one figure outside that makes
// the whole report untrustworthy, so its event is recorded with every counter at 0 and no cost (the request still
// counts, as an unpriced one) and the refusal is told to the person. An absent or null field is simply 0: the API
// leaves out the cache fields when no cache was used.

/** Far above any real request (context windows are ~10^6 tokens) and far below where a cost loses precision. */
export const MAX_TOKEN_COUNT = 1_000_000_000;

/**
 * The four usage counters, defined once: the API's field name and ours. Everything that reads, copies, zeroes,
 * checks or sums them derives from this list.
 */
export const COUNTERS = [
  { field: "input_tokens", key: "inputTokens" },
  { field: "output_tokens", key: "outputTokens" },
  { field: "cache_creation_input_tokens", key: "cacheCreationTokens" },
  { field: "cache_read_input_tokens", key: "cacheReadTokens" },
] as const;

export type CounterField = (typeof COUNTERS)[number]["field"];
export type CounterKey = (typeof COUNTERS)[number]["key"];
export const COUNTER_FIELDS: readonly CounterField[] = COUNTERS.map((c) => c.field);
export const COUNTER_KEYS: readonly CounterKey[] = COUNTERS.map((c) => c.key);

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

export type Counts = Record<CounterKey, number>;

export const ZERO_COUNTS: Counts = Object.freeze(
  Object.fromEntries(COUNTER_KEYS.map((k) => [k, 0])) as Counts,
);

/** The counters of `from`, copied (an event's figures, a usage report's). */
export function countsOf(from: Counts): Counts {
  // A loop, not Object.fromEntries: the bulk ingest copies these once per event (issue 25).
  const out = {} as Counts;
  for (const k of COUNTER_KEYS) out[k] = from[k];
  return out;
}

/** The first of the counters that is not a valid count, or null when all are. */
export function invalidCounter(counts: Counts): CounterKey | null {
  for (const key of COUNTER_KEYS) {
    if (!isTokenCount(counts[key])) return key;
  }
  return null;
}

/**
 * Takes the API's usage object into `target`: every counter is cumulative, so a present field replaces the figure
 * and an absent or null one keeps it (newer API versions repeat the input side in message_delta, older ones do
 * not). A figure out of range is not taken and marks the usage refused.
 */
export function applyApiCounts(
  target: Counts & { refused: string | null },
  usage: Record<string, unknown>,
): void {
  for (const { field, key } of COUNTERS) {
    const n = tokenCount(usage[field]);
    if (n === "absent") continue;
    if (n === "invalid") target.refused ??= refusalReason(field);
    else target[key] = n;
  }
}
