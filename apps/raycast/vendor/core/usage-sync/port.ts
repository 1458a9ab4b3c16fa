// Vendored from packages/core/src/usage-sync/port.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Usage as Anthropic reports it (issue 24): the organization's Usage & Cost report, stored beside — never mixed
// with — the usage apikey recorded itself (usage_events). The Store port's part for it.

/** The bucket widths of the usage report, in minutes: `1m`, `1h`, `1d`. */
export type BucketMinutes = 1 | 60 | 1440;

/** One result of the report: an organization key's usage of one model in one time bucket. */
export interface ReportedUsageRow {
  /** The organization the report came from (see orgOf in ./org.ts). */
  org: string;
  /** The organization's key id (`apikey_…`); "" for usage from the Console's Workbench, which has none. */
  orgKeyId: string;
  model: string;
  bucketStart: Date;
  bucketMinutes: BucketMinutes;
  /** The stored key this organization key is, when the store holds it; null otherwise (kept all the same). */
  keyId: string | null;
  uncachedInputTokens: number;
  cacheCreation5mTokens: number;
  cacheCreation1hTokens: number;
  cacheReadTokens: number;
  outputTokens: number;
  webSearchRequests: number;
  /** From our price table; null when the model is not in it. */
  costUsd: number | null;
  syncedAt: Date;
}

/** Reported totals of one organization key over a window. */
export interface ReportedKeyTotal {
  org: string;
  orgKeyId: string;
  keyId: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  webSearchRequests: number;
  /** Sum over priced rows only. */
  costUsd: number;
  /** Rows whose model had no price: their tokens count, their cost is unknown. */
  unpricedRows: number;
}

/** Reported usage of one organization key in one bucket of the report, its models summed. */
export interface ReportedBucket {
  org: string;
  orgKeyId: string;
  keyId: string | null;
  bucketStart: Date;
  bucketMinutes: BucketMinutes;
  /** Every token counted: uncached input, cache writes and reads, output. */
  tokens: number;
  /** Sum over priced rows only. */
  costUsd: number;
}

/** A stored key's reported spend over a window (organization keys the store does not hold are absent). */
export interface ReportedKeySpend {
  keyId: string;
  costUsd: number;
}

export interface ReportedUsageRepository {
  /**
   * Replaces what the store holds for `org` in buckets starting in [from, until) by `rows`: a re-synced range
   * ends up exactly as reported, whatever widths covered it before. Call it in the page's transaction.
   */
  replaceRange(org: string, from: Date, until: Date, rows: readonly ReportedUsageRow[]): Promise<void>;
  /** Totals per organization key over buckets starting in [since, until), ordered by org, then key id. */
  totalsByKey(window: { since: Date; until?: Date }): Promise<ReportedKeyTotal[]>;
  /** Buckets with reported usage of these stored keys, starting in [since, until); ordered by key id, then start. */
  buckets(query: { since: Date; until?: Date; keyIds: readonly string[] }): Promise<ReportedBucket[]>;
  /** Reported spend per stored key over buckets starting in [since, until), ordered by key id. */
  spendByKey(query: { since: Date; until?: Date; keyId?: string }): Promise<ReportedKeySpend[]>;
}
