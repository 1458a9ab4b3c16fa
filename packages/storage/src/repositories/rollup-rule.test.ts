import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "@apikey/core/store";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore as openSqliteStore } from "../better-sqlite3.ts";
import * as pg from "../pg/schema.ts";
import { newPgliteHub, openStore as openPgliteStore, type PgliteHub } from "../pglite.ts";
import * as sqlite from "../schema.ts";
import { type DailyRow, rebuildDailySql, rollUp } from "./usage-rollup.ts";

// Issue 21: the daily roll-up rule has one home (usage-rollup.ts: rollUp in code, rebuildDailySql in SQL for
// `store copy`). The 0002 migration's backfill is history and keeps its own text; this holds it, and the SQL of
// both dialects, to the rule the writes apply, on events that probe its edges: UTC midnight, a time before 1970,
// an unpriced request, several keys and models.

const DAY = 86_400_000;
const event = (keyId: string, model: string, at: number, n: number, costUsd: number | null) =>
  ({
    keyId,
    model,
    at: new Date(at),
    inputTokens: n,
    outputTokens: 2 * n,
    cacheCreationTokens: 3 * n,
    cacheReadTokens: 5 * n,
    costUsd,
    requestId: null,
    front: "test",
    tokenId: null,
  }) satisfies Omit<UsageEvent, "id">;

const EVENTS = [
  event("k1", "m1", 20_000 * DAY, 1, 0.5),
  event("k1", "m1", 20_000 * DAY + DAY - 1, 10, null),
  event("k1", "m1", 20_001 * DAY, 100, 0.25),
  event("k1", "m2", 20_000 * DAY + 5, 1000, 1),
  event("k2", "m1", 20_000 * DAY + 7, 7, null),
  event("k2", "m1", -1, 3, 0.125),
  event("k2", "m1", -DAY, 4, null),
  event("k2", "m1", -DAY - 1, 5, 2),
];

const byGroup = (a: DailyRow, b: DailyRow) =>
  a.day - b.day || a.keyId.localeCompare(b.keyId) || a.model.localeCompare(b.model);
const normalised = (rows: ReadonlyArray<Record<string, unknown>>) =>
  rows
    .map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "string" ? v : Number(v)])),
    )
    .map((r) => r as unknown as DailyRow)
    .sort(byGroup);

const EXPECTED = normalised(rollUp(EVENTS) as unknown as Record<string, unknown>[]);
const SELECT_DAILY =
  "SELECT day, key_id AS keyId, model, requests, input_tokens AS inputTokens, output_tokens AS outputTokens, " +
  "cache_creation_tokens AS cacheCreationTokens, cache_read_tokens AS cacheReadTokens, cost_usd AS costUsd, " +
  "unpriced_requests AS unpricedRequests FROM usage_daily";

describe("issue 21: one daily roll-up rule", () => {
  it("the fixture exercises the rule: days before 1970 floor, unpriced requests counted", () => {
    expect(EXPECTED.map((r) => r.day)).toEqual([-2, -1, 20_000, 20_000, 20_000, 20_001]);
    expect(EXPECTED.find((r) => r.day === -1 && r.keyId === "k2")?.unpricedRequests).toBe(1);
  });

  describe("SQLite", () => {
    let dir: string;
    let db: Database.Database;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "apikey-rollup-"));
      const path = join(dir, "store.db");
      await (await openSqliteStore({ path, ifMissing: "create" })).close();
      db = new Database(path);
      db.pragma("foreign_keys = OFF");
      const insert = db.prepare(
        "INSERT INTO usage_events (key_id, at, model, input_tokens, output_tokens, cache_creation_tokens, " +
          "cache_read_tokens, cost_usd, request_id, front) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      );
      for (const e of EVENTS) {
        insert.run(
          e.keyId,
          e.at.getTime(),
          e.model,
          e.inputTokens,
          e.outputTokens,
          e.cacheCreationTokens,
          e.cacheReadTokens,
          e.costUsd,
          e.requestId,
          e.front,
        );
      }
    });
    afterAll(async () => {
      db?.close();
      await rm(dir, { recursive: true, force: true });
    });
    const rebuiltWith = (text: string) => {
      db.exec("DELETE FROM usage_daily");
      db.exec(text);
      return normalised(db.prepare(SELECT_DAILY).all() as Record<string, unknown>[]);
    };

    it("store copy's rebuild (rebuildDailySql) gives what the writes' rollUp gives", () => {
      expect(rebuiltWith(rebuildDailySql(sqlite, "sqlite"))).toEqual(EXPECTED);
    });

    it("the 0002 migration's backfill gives the same", async () => {
      const migration = await readFile(
        new URL("../../drizzle/0002_usage_daily.sql", import.meta.url),
        "utf8",
      );
      const backfill = migration.slice(migration.indexOf("INSERT INTO `usage_daily`"));
      expect(backfill).toContain("FROM `usage_events` GROUP BY 1, 2, 3");
      expect(rebuiltWith(backfill)).toEqual(EXPECTED);
    });
  });

  describe("PostgreSQL (PGlite)", () => {
    let hub: PgliteHub;
    beforeAll(async () => {
      hub = await newPgliteHub();
      await (await openPgliteStore({ hub })).close();
    }, 120_000);
    afterAll(async () => {
      await hub?.pglite.close();
    });

    it("store copy's rebuild (rebuildDailySql) gives what the writes' rollUp gives", async () => {
      const p = hub.pglite;
      await p.exec("SET session_replication_role = replica");
      for (const e of EVENTS) {
        await p.query(
          "INSERT INTO usage_events (key_id, at, model, input_tokens, output_tokens, cache_creation_tokens, " +
            "cache_read_tokens, cost_usd, request_id, front) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
          [
            e.keyId,
            e.at.toISOString(),
            e.model,
            e.inputTokens,
            e.outputTokens,
            e.cacheCreationTokens,
            e.cacheReadTokens,
            e.costUsd,
            e.requestId,
            e.front,
          ],
        );
      }
      await p.exec(rebuildDailySql(pg as unknown as typeof sqlite, "postgres"));
      const { rows } = await p.query<Record<string, unknown>>(SELECT_DAILY.replace(/ AS (\w+)/g, ' AS "$1"'));
      expect(normalised(rows)).toEqual(EXPECTED);
    });
  });
});
