// Usage writes on PostgreSQL: one statement per batch, both INSERTs in one command (data-modifying CTEs), with
// every column passed as one array parameter and expanded by unnest(), so a batch of any size is a single round
// trip and a fixed number of parameters (PostgreSQL caps a statement at 65535).
import type { UsageEvent } from "@apikey/core/store";
import type { UsageWrites } from "../dialect.ts";
import { rollUp } from "../repositories/usage-rollup.ts";
import type { PgSession } from "./session.ts";

const SUMMED = [
  "requests",
  "input_tokens",
  "output_tokens",
  "cache_creation_tokens",
  "cache_read_tokens",
  "cost_usd",
  "unpriced_requests",
];

// $1…$10 and $21 the events' columns, $11…$20 the rollup rows' (already summed per day, key and model, so no two
// rows of the batch hit the same conflict target). The rollup has no token column: per-token figures read events.
const RECORD_SQL = `WITH events AS (
  INSERT INTO usage_events (key_id, at, model, input_tokens, output_tokens, cache_creation_tokens,
    cache_read_tokens, cost_usd, request_id, front, token_id)
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[],
    $8::float8[], $9::text[], $10::text[], $21::text[])
  RETURNING id
), daily AS (
  INSERT INTO usage_daily (day, key_id, model, ${SUMMED.join(", ")})
  SELECT * FROM unnest($11::int[], $12::text[], $13::text[], $14::bigint[], $15::bigint[], $16::bigint[],
    $17::bigint[], $18::bigint[], $19::float8[], $20::bigint[])
  ON CONFLICT (day, key_id, model) DO UPDATE SET ${SUMMED.map((c) => `${c} = usage_daily.${c} + excluded.${c}`).join(", ")}
)
SELECT id FROM events`;

function recordParams(events: ReadonlyArray<Omit<UsageEvent, "id">>): unknown[] {
  const rows = rollUp(events);
  const column = <T>(pick: (e: Omit<UsageEvent, "id">) => T): T[] => events.map(pick);
  const daily = <T>(pick: (r: (typeof rows)[number]) => T): T[] => rows.map(pick);
  return [
    column((e) => e.keyId),
    column((e) => e.at.toISOString()),
    column((e) => e.model),
    column((e) => e.inputTokens),
    column((e) => e.outputTokens),
    column((e) => e.cacheCreationTokens),
    column((e) => e.cacheReadTokens),
    column((e) => e.costUsd),
    column((e) => e.requestId),
    column((e) => e.front),
    daily((r) => r.day),
    daily((r) => r.keyId),
    daily((r) => r.model),
    daily((r) => r.requests),
    daily((r) => r.inputTokens),
    daily((r) => r.outputTokens),
    daily((r) => r.cacheCreationTokens),
    daily((r) => r.cacheReadTokens),
    daily((r) => r.costUsd),
    daily((r) => r.unpricedRequests),
    column((e) => e.tokenId ?? null),
  ];
}

// A batch far larger than any gateway flush still goes in pieces, to bound the statement's memory.
const BATCH_ROWS = 10_000;

export function pgUsageWrites(query: PgSession["query"]): UsageWrites {
  return {
    async record(event) {
      const [row] = await query<{ id: string | number }>(RECORD_SQL, recordParams([event]));
      if (!row) throw new Error("insert returned no row");
      return Number(row.id);
    },
    async recordMany(events) {
      for (let i = 0; i < events.length; i += BATCH_ROWS) {
        await query(RECORD_SQL, recordParams(events.slice(i, i + BATCH_ROWS)));
      }
    },
  };
}
