#!/usr/bin/env node
// Usage-accounting benchmark: bulk ingest and a 30-day report, each beside a baseline measured in the same run
// on the same file.
//
//   cd tests && pnpm exec tsx bench/usage.mjs [--events 200000] [--report-events 1000000] [--runs 15] [--json]
//
// Ingest: recordUsageMany (cost calculation, event inserts, usage_daily rollup upserts, last-used update, one
// transaction) against a raw better-sqlite3 prepared INSERT in a loop inside one transaction, and that loop plus the
// same rollup upserts (the rollup's own cost). Report: usageReport over `--since 30d` (whole UTC days, answered from
// usage_daily) against `SELECT count(*)` over the same events, and the event-level query it replaced (a window
// 1 ms off the day boundary falls back to it). Targets: >= 200k events/s and <= 50 ms. It imports the workspace's
// TypeScript, hence tsx.

import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseSince, recordUsageMany, usageReport } from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { seedEventsSqlite } from "./scale/sqlite-seed.mjs";

const INGEST_TARGET = 200_000;
const REPORT_TARGET_MS = 50;
const DAY = 86_400_000;

const { values: flags } = parseArgs({
  options: {
    events: { type: "string", default: "200000" },
    "report-events": { type: "string", default: "1000000" },
    runs: { type: "string", default: "15" },
    json: { type: "boolean", default: false },
    // The report alone (scale.mjs times it over 1M and 10M events): no ingest section.
    "report-only": { type: "boolean", default: false },
    // Seed the report's events with SQL (scale/sqlite-seed.mjs) instead of through recordUsageMany.
    "sql-seed": { type: "boolean", default: false },
  },
});
const EVENTS = Number(flags.events);
const REPORT_EVENTS = Number(flags["report-events"]);
const RUNS = Number(flags.runs);

// better-sqlite3 is the storage package's dependency; resolve it from there.
const Database = createRequire(new URL("../../packages/storage/package.json", import.meta.url))(
  "better-sqlite3",
);

const MODELS = ["claude-sonnet-4-6", "claude-haiku-4-5-20251001", "claude-opus-4-5", "not-a-priced-model"];

function fakeKeyRecord(name) {
  const now = new Date();
  return {
    id: randomUUID(),
    name,
    profile: "default",
    provider: "anthropic",
    kind: "api",
    source: "manual",
    organization: null,
    workspace: null,
    status: "active",
    ciphertext: new Uint8Array(randomBytes(48)),
    nonce: new Uint8Array(randomBytes(12)),
    hint: "sk-ant-api03-…FAKE",
    fingerprint: `bench-${name}-${randomUUID()}`,
    createdAt: now,
    updatedAt: now,
    lastUsedAt: null,
    lastValidatedAt: null,
    validation: null,
    validationMessage: null,
    rotatedFromId: null,
    rotatedToId: null,
    upstreamId: null,
    monthlyBudgetUsd: null,
    budgetMode: "warn",
    refreshCiphertext: null,
    refreshNonce: null,
    expiresAt: null,
    oauthProvider: null,
  };
}

async function freshStore(dir, name, keys = 4) {
  const path = join(dir, `${name}.db`);
  const store = await openStore({ path });
  await store.profiles.create({ name: "default", activeKeyId: null, createdAt: new Date() });
  const ids = [];
  for (let i = 0; i < keys; i++) {
    const key = fakeKeyRecord(`bench-${i}`);
    await store.keys.insert(key);
    ids.push(key.id);
  }
  return { store, path, ids };
}

/** Events spread evenly over the `days` days (fractions allowed) before `now`. */
function makeInputs(n, ids, now, days) {
  const span = days * DAY;
  return Array.from({ length: n }, (_, i) => ({
    keyId: ids[i % ids.length],
    at: new Date(now - Math.floor((i / n) * span) - 1),
    model: MODELS[i % MODELS.length],
    inputTokens: 1000 + (i % 500),
    outputTokens: 200 + (i % 100),
    cacheCreationTokens: i % 7 === 0 ? 300 : 0,
    cacheReadTokens: i % 3 === 0 ? 800 : 0,
    requestId: `req_bench_${i}`,
    front: "bench",
  }));
}

const INSERT_SQL =
  "INSERT INTO usage_events (key_id, at, model, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd, request_id, front) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

const UPSERT_DAILY_SQL = `INSERT INTO usage_daily (day, key_id, model, requests, input_tokens, output_tokens,
  cache_creation_tokens, cache_read_tokens, cost_usd, unpriced_requests) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (day, key_id, model) DO UPDATE SET requests = requests + excluded.requests,
  input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
  cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,
  cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens, cost_usd = cost_usd + excluded.cost_usd,
  unpriced_requests = unpriced_requests + excluded.unpriced_requests`;

/** The raw loop; with `rollup`, also summed per (day, key, model) in JS and upserted, as the store does. */
function rawInsert(path, inputs, { rollup = false } = {}) {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  const insert = db.prepare(INSERT_SQL);
  const upsert = db.prepare(UPSERT_DAILY_SQL);
  const started = performance.now();
  db.transaction(() => {
    // Per key, then model, then day: the store's own grouping.
    const byKey = new Map();
    const groups = [];
    for (const e of inputs) {
      if (rollup) {
        const day = Math.floor(e.at.getTime() / DAY);
        let byModel = byKey.get(e.keyId);
        if (!byModel) {
          byModel = new Map();
          byKey.set(e.keyId, byModel);
        }
        let byDay = byModel.get(e.model);
        if (!byDay) {
          byDay = new Map();
          byModel.set(e.model, byDay);
        }
        let g = byDay.get(day);
        if (!g) {
          g = [day, e.keyId, e.model, 0, 0, 0, 0, 0, 0, 0];
          byDay.set(day, g);
          groups.push(g);
        }
        g[3] += 1;
        g[4] += e.inputTokens;
        g[5] += e.outputTokens;
        g[6] += e.cacheCreationTokens;
        g[7] += e.cacheReadTokens;
        g[8] += 0.001;
      }
      insert.run(
        e.keyId,
        e.at.getTime(),
        e.model,
        e.inputTokens,
        e.outputTokens,
        e.cacheCreationTokens,
        e.cacheReadTokens,
        0.001,
        e.requestId,
        e.front,
      );
    }
    for (const g of groups) upsert.run(...g);
  })();
  const ms = performance.now() - started;
  db.close();
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Wall and CPU time (this process: user + system) of one bulk ingest. */
async function timedBulk(store, inputs) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await recordUsageMany(store, inputs);
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

// The same-run baseline for migration 0007: the token index as it was before it (over every event, not only those
// with a gateway token). The bench's events come with no token, as every event outside the gateway does.
const FULL_TOKEN_INDEX = [
  "DROP INDEX usage_events_token_at_idx",
  "CREATE INDEX usage_events_token_at_idx ON usage_events (token_id, at)",
];

async function ingestSection(now) {
  // Ingest: each path gets its own fresh file; three alternating rounds, best of each (least disturbed by
  // the other processes sharing these cores).
  const ingest = { raw: [], rawRollup: [], bulk: [], bulkCpu: [], fullIndex: [], fullIndexCpu: [] };
  results.loadAverage = { start: +loadavg()[0].toFixed(2) };
  for (let round = 0; round < 3; round++) {
    const a = await freshStore(dir, `raw-${round}`);
    const inputsA = makeInputs(EVENTS, a.ids, now, 30);
    await a.store.close();
    ingest.raw.push(rawInsert(a.path, inputsA));

    const c = await freshStore(dir, `raw-rollup-${round}`);
    await c.store.close();
    ingest.rawRollup.push(rawInsert(c.path, makeInputs(EVENTS, c.ids, now, 30), { rollup: true }));

    const f = await freshStore(dir, `full-index-${round}`);
    await f.store.close();
    const setup = new Database(f.path);
    for (const statement of FULL_TOKEN_INDEX) setup.exec(statement);
    setup.close();
    const full = await openStore({ path: f.path });
    const fullRun = await timedBulk(full, makeInputs(EVENTS, f.ids, now, 30));
    ingest.fullIndex.push(fullRun.ms);
    ingest.fullIndexCpu.push(fullRun.cpuMs);
    await full.close();

    const b = await freshStore(dir, `bulk-${round}`);
    const bulkRun = await timedBulk(b.store, makeInputs(EVENTS, b.ids, now, 30));
    ingest.bulk.push(bulkRun.ms);
    ingest.bulkCpu.push(bulkRun.cpuMs);
    await b.store.close();
  }
  results.loadAverage.end = +loadavg()[0].toFixed(2);
  const rawMs = Math.min(...ingest.raw);
  const bulkMs = Math.min(...ingest.bulk);
  const rawRollupMs = Math.min(...ingest.rawRollup);
  const perSec = (ms) => Math.round(EVENTS / (ms / 1000));
  results.ingest = {
    events: EVENTS,
    baselineRawInsertPerSec: perSec(rawMs),
    rawInsertWithRollupPerSec: perSec(rawRollupMs),
    recordUsageManyPerSec: perSec(bulkMs),
    recordUsageManyPerCpuSec: perSec(Math.min(...ingest.bulkCpu)),
    fullTokenIndexPerSec: perSec(Math.min(...ingest.fullIndex)),
    fullTokenIndexPerCpuSec: perSec(Math.min(...ingest.fullIndexCpu)),
    ratioToBaseline: +(rawMs / bulkMs).toFixed(3),
    target: INGEST_TARGET,
    met: EVENTS / (bulkMs / 1000) >= INGEST_TARGET,
  };
}

const dir = mkdtempSync(join(tmpdir(), "apikey-bench-usage-"));
const results = { machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version } };
try {
  const now = Date.now();
  if (!flags["report-only"]) await ingestSection(now);

  // Report: REPORT_EVENTS events inside `--since 30d` (every one in the window: the worst case), written through
  // recordUsageMany so the rollup is maintained as in use.
  const r = await freshStore(dir, "report");
  const since = parseSince("30d", new Date(now));
  const seedDays = (now - since.getTime()) / DAY;
  if (flags["sql-seed"]) {
    await r.store.close();
    const seed = new Database(r.path);
    seedEventsSqlite(seed, { n: REPORT_EVENTS, ids: r.ids, now, days: seedDays - 0.001 });
    seed.close();
  } else {
    for (let done = 0; done < REPORT_EVENTS; done += 100_000) {
      const n = Math.min(100_000, REPORT_EVENTS - done);
      await recordUsageMany(r.store, makeInputs(n, r.ids, now, seedDays - 0.001));
    }
    await r.store.close();
  }
  const store = await openStore({ path: r.path });
  const db = new Database(r.path, { readonly: true });
  const count = db.prepare("SELECT count(*) FROM usage_events WHERE at >= ?").pluck();
  // 1 ms past the day boundary: not whole days, so the event-level query answers (the path before the rollup).
  const offDay = new Date(since.getTime() + 1);
  const timings = { count: [], byDay: [], byModel: [], byDayOneKey: [], eventsByDay: [] };
  for (let i = 0; i < RUNS + 2; i++) {
    let t = performance.now();
    const n = count.get(since.getTime());
    const countMs = performance.now() - t;
    t = performance.now();
    const byDay = await usageReport(store, { since, by: "day" }, new Date(now));
    const dayMs = performance.now() - t;
    t = performance.now();
    await usageReport(store, { since, by: "model" }, new Date(now));
    const modelMs = performance.now() - t;
    t = performance.now();
    await usageReport(store, { since, by: "day", keyId: r.ids[0] }, new Date(now));
    const oneKeyMs = performance.now() - t;
    if (byDay.totals.requests !== n)
      throw new Error(`report counted ${byDay.totals.requests}, count(*) ${n}`);
    let eventsMs = null;
    if (i < 5) {
      // The slow path a few times only: it takes seconds on a busy machine.
      t = performance.now();
      await usageReport(store, { since: offDay, by: "day" }, new Date(now));
      eventsMs = performance.now() - t;
    }
    if (i < 2) continue; // warm-up
    timings.count.push(countMs);
    timings.byDay.push(dayMs);
    timings.byModel.push(modelMs);
    timings.byDayOneKey.push(oneKeyMs);
    if (eventsMs !== null) timings.eventsByDay.push(eventsMs);
  }
  db.close();
  await store.close();

  const summary = (xs) => ({ p50: +median(xs).toFixed(2), p90: +pct(xs, 90).toFixed(2), runs: xs.length });
  results.report = {
    events: REPORT_EVENTS,
    windowDays: 30,
    runs: RUNS,
    baselineCountMs: summary(timings.count),
    byDayMs: summary(timings.byDay),
    byModelMs: summary(timings.byModel),
    byDayOneKeyMs: summary(timings.byDayOneKey),
    eventScanByDayMs: summary(timings.eventsByDay),
    target: REPORT_TARGET_MS,
    met: median(timings.byDay) <= REPORT_TARGET_MS,
  };
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (flags.json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const i = results.ingest;
  const r = results.report;
  console.log(
    `machine: ${results.machine.cpus} cpu(s), ${results.machine.model}, node ${results.machine.node}`,
  );
  if (i) printIngest(i);
  printReport(r);
}

function printIngest(i) {
  console.log(`ingest ${i.events} events, one transaction (best of 3):`);
  console.log(
    `  baseline raw prepared INSERT loop   ${i.baselineRawInsertPerSec.toLocaleString("en-US")} events/s`,
  );
  console.log(
    `  raw loop + usage_daily upserts      ${i.rawInsertWithRollupPerSec.toLocaleString("en-US")} events/s`,
  );
  console.log(
    `  bulk path, the token index before 0007 (full)  ${i.fullTokenIndexPerSec.toLocaleString("en-US")} events/s (by CPU time ${i.fullTokenIndexPerCpuSec.toLocaleString("en-US")})`,
  );
  console.log(
    `  recordUsageMany (bulk path)         ${i.recordUsageManyPerSec.toLocaleString("en-US")} events/s (by CPU time ${i.recordUsageManyPerCpuSec.toLocaleString("en-US")})  (${i.ratioToBaseline}× baseline; target ≥ ${i.target.toLocaleString("en-US")}: ${i.met ? "met" : "MISSED"})`,
  );
  console.log(
    `  load average (1 min) at start / end ${results.loadAverage.start} / ${results.loadAverage.end}`,
  );
}

function printReport(r) {
  console.log(
    `report over ${r.events.toLocaleString("en-US")} events, all inside the 30-day window (median / p90 of ${r.runs}):`,
  );
  console.log(`  baseline SELECT count(*)            ${r.baselineCountMs.p50} / ${r.baselineCountMs.p90} ms`);
  console.log(
    `  usage --by day                      ${r.byDayMs.p50} / ${r.byDayMs.p90} ms  (target ≤ ${r.target} ms: ${r.met ? "met" : "MISSED"})`,
  );
  console.log(`  usage --by model (+ daily chart)    ${r.byModelMs.p50} / ${r.byModelMs.p90} ms`);
  console.log(`  usage --key K --by day              ${r.byDayOneKeyMs.p50} / ${r.byDayOneKeyMs.p90} ms`);
  console.log(
    `  event-level query (pre-rollup path) ${r.eventScanByDayMs.p50} / ${r.eventScanByDayMs.p90} ms  (window 1 ms off the day boundary; ${r.eventScanByDayMs.runs} runs)`,
  );
}
