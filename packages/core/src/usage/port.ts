// The usage-accounting part of the Store port (issue 3).

/** One request's usage, as recorded by the gateway or an instrumented client. */
export interface UsageEvent {
  id: number;
  keyId: string;
  at: Date;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  /** null when the model is not in the price table. */
  costUsd: number | null;
  requestId: string | null;
  front: string;
}

export type UsageGroupBy = "day" | "model" | "key";

/** A time window, `since` inclusive, `until` exclusive. */
export interface UsageWindow {
  since: Date;
  until?: Date;
  keyId?: string;
}

/** One group of a report, aggregated by the database (never by loading events). */
export interface UsageSummaryRow {
  /** `day`: the UTC day as YYYY-MM-DD; `model`: the model id; `key`: the key id. */
  group: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
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
}
