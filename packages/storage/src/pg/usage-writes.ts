// Usage writes on PostgreSQL: one statement per batch, both INSERTs in one command (data-modifying CTEs), with
// every column passed as one array parameter and expanded by unnest(), so a batch of any size is a single round
// trip and a fixed number of parameters (PostgreSQL caps a statement at 65535).
import { COUNTER_KEYS, type UsageEvent } from "@apikey/core/store";
import { getTableName } from "drizzle-orm";
import type { UsageWrites } from "../dialect.ts";
import { DAILY_FIGURES, rollUp } from "../repositories/usage-rollup.ts";
import { usageDaily as d, usageEvents as t } from "./schema.ts";
import type { PgSession } from "./session.ts";

type Event = Omit<UsageEvent, "id">;
type Row = ReturnType<typeof rollUp>[number];
/** A column of a batch: its name, its array type for unnest(), and its value for each row. */
type Param<T> = [name: string, type: string, value: (row: T) => unknown];

// The columns come from the schema, the counters from core's one list and the rollup's figures from its one rule.
const EVENT_PARAMS: ReadonlyArray<Param<Event>> = [
  [t.keyId.name, "text", (e) => e.keyId],
  [t.at.name, "timestamptz", (e) => e.at.toISOString()],
  [t.model.name, "text", (e) => e.model],
  ...COUNTER_KEYS.map((k): Param<Event> => [t[k].name, "int", (e) => e[k]]),
  [t.costUsd.name, "float8", (e) => e.costUsd],
  [t.requestId.name, "text", (e) => e.requestId],
  [t.front.name, "text", (e) => e.front],
  [t.tokenId.name, "text", (e) => e.tokenId ?? null],
];
const DAILY_PARAMS: ReadonlyArray<Param<Row>> = [
  [d.day.name, "int", (r) => r.day],
  [d.keyId.name, "text", (r) => r.keyId],
  [d.model.name, "text", (r) => r.model],
  ...DAILY_FIGURES.map(
    (f): Param<Row> => [d[f.key].name, f.key === "costUsd" ? "float8" : "bigint", (r) => r[f.key]],
  ),
];
const SUMMED = DAILY_FIGURES.map((f) => d[f.key].name);
const KEY_COLUMNS = [d.day, d.keyId, d.model].map((c) => c.name);

const unnest = <T>(params: ReadonlyArray<Param<T>>, first: number) =>
  `unnest(${params.map(([, type], i) => `$${first + i}::${type}[]`).join(", ")})`;

// Parameters: the events' columns first, then the rollup rows' (already summed per day, key and model, so no two
// rows of the batch hit the same conflict target). The rollup has no token column: per-token figures read events.
const RECORD_SQL = `WITH events AS (
  INSERT INTO ${getTableName(t)} (${EVENT_PARAMS.map(([name]) => name).join(", ")})
  SELECT * FROM ${unnest(EVENT_PARAMS, 1)}
  RETURNING id
), daily AS (
  INSERT INTO ${getTableName(d)} (${DAILY_PARAMS.map(([name]) => name).join(", ")})
  SELECT * FROM ${unnest(DAILY_PARAMS, EVENT_PARAMS.length + 1)}
  ON CONFLICT (${KEY_COLUMNS.join(", ")}) DO UPDATE SET ${SUMMED.map((c) => `${c} = ${getTableName(d)}.${c} + excluded.${c}`).join(", ")}
)
SELECT id FROM events`;

function recordParams(events: ReadonlyArray<Event>): unknown[] {
  const rows = rollUp(events);
  return [
    ...EVENT_PARAMS.map(([, , value]) => events.map(value)),
    ...DAILY_PARAMS.map(([, , value]) => rows.map(value)),
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
