// Kept apart from schema.ts (which re-exports it) only to keep that module readable in one sitting.
import { bigint, doublePrecision, index, integer, pgTable, text } from "drizzle-orm/pg-core";

/** usage_reported summed per UTC day, organization key, stored key and model; see ../schema.ts. */
export const usageReportedDaily = pgTable(
  "usage_reported_daily",
  {
    day: integer("day").notNull(),
    org: text("org").notNull(),
    orgKeyId: text("org_key_id").notNull(),
    keyId: text("key_id"),
    model: text("model").notNull(),
    uncachedInputTokens: bigint("uncached_input_tokens", { mode: "number" }).notNull(),
    cacheCreation5mTokens: bigint("cache_creation_5m_tokens", { mode: "number" }).notNull(),
    cacheCreation1hTokens: bigint("cache_creation_1h_tokens", { mode: "number" }).notNull(),
    cacheReadTokens: bigint("cache_read_tokens", { mode: "number" }).notNull(),
    outputTokens: bigint("output_tokens", { mode: "number" }).notNull(),
    webSearchRequests: bigint("web_search_requests", { mode: "number" }).notNull(),
    costUsd: doublePrecision("cost_usd").notNull(),
    unpricedRows: bigint("unpriced_rows", { mode: "number" }).notNull(),
  },
  (t) => [index("usage_reported_daily_day_org_idx").on(t.day, t.org)],
);
