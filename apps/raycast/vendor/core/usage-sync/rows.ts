// Vendored from packages/core/src/usage-sync/rows.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { costOf, DEFAULT_PRICES, type PriceTable } from "../usage/prices.ts";
import type { BucketMinutes, ReportedUsageRow } from "./port.ts";
import type { ReportBucket } from "./report-page.ts";

// A page's buckets as the rows the store keeps (pure). Costs come from our own price table, as recorded usage's
// do, so the two columns compare like for like; cache writes are priced at the one rate the table has.

export interface RowContext {
  org: string;
  bucketMinutes: BucketMinutes;
  /** Organization key id → stored key id, for the keys the store holds. */
  keyIds: ReadonlyMap<string, string>;
  syncedAt: Date;
  prices?: PriceTable;
}

export function rowsOf(buckets: readonly ReportBucket[], ctx: RowContext): ReportedUsageRow[] {
  const rows: ReportedUsageRow[] = [];
  for (const bucket of buckets) {
    const bucketStart = new Date(bucket.starting_at);
    for (const r of bucket.results) {
      const orgKeyId = r.api_key_id ?? "";
      const model = r.model ?? "";
      const cacheCreation5mTokens = r.cache_creation.ephemeral_5m_input_tokens;
      const cacheCreation1hTokens = r.cache_creation.ephemeral_1h_input_tokens;
      rows.push({
        org: ctx.org,
        orgKeyId,
        model,
        bucketStart,
        bucketMinutes: ctx.bucketMinutes,
        keyId: ctx.keyIds.get(orgKeyId) ?? null,
        uncachedInputTokens: r.uncached_input_tokens,
        cacheCreation5mTokens,
        cacheCreation1hTokens,
        cacheReadTokens: r.cache_read_input_tokens,
        outputTokens: r.output_tokens,
        webSearchRequests: r.server_tool_use?.web_search_requests ?? 0,
        costUsd: costOf(
          {
            model,
            inputTokens: r.uncached_input_tokens,
            outputTokens: r.output_tokens,
            cacheCreationTokens: cacheCreation5mTokens + cacheCreation1hTokens,
            cacheReadTokens: r.cache_read_input_tokens,
          },
          ctx.prices ?? DEFAULT_PRICES,
        ),
        syncedAt: ctx.syncedAt,
      });
    }
  }
  return merged(rows);
}

/** The same (key, model, bucket) twice in a page — possible if the API grouped by more than we asked — summed once. */
function merged(rows: ReportedUsageRow[]): ReportedUsageRow[] {
  const byId = new Map<string, ReportedUsageRow>();
  for (const row of rows) {
    const id = `${row.bucketStart.getTime()}\u0000${row.orgKeyId}\u0000${row.model}`;
    const seen = byId.get(id);
    if (!seen) {
      byId.set(id, row);
      continue;
    }
    seen.uncachedInputTokens += row.uncachedInputTokens;
    seen.cacheCreation5mTokens += row.cacheCreation5mTokens;
    seen.cacheCreation1hTokens += row.cacheCreation1hTokens;
    seen.cacheReadTokens += row.cacheReadTokens;
    seen.outputTokens += row.outputTokens;
    seen.webSearchRequests += row.webSearchRequests;
    seen.costUsd = seen.costUsd === null || row.costUsd === null ? null : seen.costUsd + row.costUsd;
  }
  return [...byId.values()];
}
