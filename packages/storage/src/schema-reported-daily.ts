// Kept apart from schema.ts (which re-exports it) only to keep that module readable in one sitting.
import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * usage_reported summed per UTC day, organization key, stored key and model (issue 24): the side-by-side report and
 * reported budgets over whole days read this instead of every bucket. Kept in the transaction of each replaceRange,
 * which rebuilds the days it touched from usage_reported, so a re-synced range never counts twice. No primary key:
 * key_id is nullable and a day may hold one organization key under two matches; the rebuild replaces whole days.
 */
export const usageReportedDaily = sqliteTable(
  "usage_reported_daily",
  {
    day: integer("day").notNull(),
    org: text("org").notNull(),
    orgKeyId: text("org_key_id").notNull(),
    keyId: text("key_id"),
    model: text("model").notNull(),
    uncachedInputTokens: integer("uncached_input_tokens").notNull(),
    cacheCreation5mTokens: integer("cache_creation_5m_tokens").notNull(),
    cacheCreation1hTokens: integer("cache_creation_1h_tokens").notNull(),
    cacheReadTokens: integer("cache_read_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    webSearchRequests: integer("web_search_requests").notNull(),
    // Priced rows only; unpriced ones add 0 here and 1 to unpriced_rows.
    costUsd: real("cost_usd").notNull(),
    unpricedRows: integer("unpriced_rows").notNull(),
  },
  (t) => [index("usage_reported_daily_day_org_idx").on(t.day, t.org)],
);
