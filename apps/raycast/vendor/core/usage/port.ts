// Vendored from packages/core/src/usage/port.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// The usage-accounting part of the Store port (issue 3).
import type { Counts } from "./counts.ts";

/** One request's usage, as recorded by the gateway or an instrumented client; the counters are counts.ts's. */
export interface UsageEvent extends Counts {
  id: number;
  keyId: string;
  at: Date;
  model: string;
  /** null when the model is not in the price table. */
  costUsd: number | null;
  requestId: string | null;
  front: string;
  /** The gateway token the request came with; absent or null when it came another way. */
  tokenId?: string | null;
}

export type UsageGroupBy = "day" | "model" | "key" | "token";

/** A time window, `since` inclusive, `until` exclusive. */
export interface UsageWindow {
  since: Date;
  until?: Date;
  keyId?: string;
  tokenId?: string;
}

/** One group of a report, aggregated by the database (never by loading events). */
export interface UsageSummaryRow extends Counts {
  /** `day`: the UTC day as YYYY-MM-DD; `model`: the model id; `key`: the key id; `token`: the token id ("" for none). */
  group: string;
  requests: number;
  /** Sum over priced events only. */
  costUsd: number;
  /** Events whose model had no price: their tokens count, their cost is unknown. */
  unpricedRequests: number;
}

export interface KeySpend {
  keyId: string;
  requests: number;
  costUsd: number;
  unpricedRequests: number;
}

export interface TokenSpend {
  tokenId: string;
  requests: number;
  costUsd: number;
  unpricedRequests: number;
}

export interface UsageRepository {
  /** Returns the new event's id. */
  record(event: Omit<UsageEvent, "id">): Promise<number>;
  /** Many events in one transaction: the bulk path. */
  recordMany(events: Array<Omit<UsageEvent, "id">>): Promise<void>;
  /** Newest first. */
  list(filter?: { keyId?: string; since?: Date; limit?: number }): Promise<UsageEvent[]>;
  /** Totals per day, model or key over a window, ordered by group. */
  summarise(query: UsageWindow & { by: UsageGroupBy }): Promise<UsageSummaryRow[]>;
  /** Spend per key over a window (keys without events are absent). */
  spendByKey(query: UsageWindow): Promise<KeySpend[]>;
  /** Spend per gateway token over a window (tokens without events are absent; so are events without a token). */
  spendByToken(query: UsageWindow): Promise<TokenSpend[]>;
  /**
   * The UTC hours in [since, until) in which these keys have recorded usage, with the first and last moment
   * recorded in each, ordered by key id, then hour.
   */
  hoursWithUsage(query: { since: Date; until?: Date; keyIds: readonly string[] }): Promise<RecordedHour[]>;
}

/** An hour in which a key recorded usage: its start, and the first and last event recorded in it. */
export interface RecordedHour {
  keyId: string;
  hour: Date;
  first: Date;
  last: Date;
}
