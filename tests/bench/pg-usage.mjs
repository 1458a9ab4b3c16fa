#!/usr/bin/env node
// PostgreSQL store benchmark (issue 11), each figure beside its baseline from the same run:
//   ingest: usage from 4 gateway-like processes into one PostgreSQL store, against the same events from one process
//     into one SQLite file. Every process records through the core's bulk path (recordUsageMany: events, the
//     usage_daily rollup and last-used, one transaction), in batches as a busy gateway's group commit forms them;
//     `--batch 1` gives one transaction per response, as an idle gateway commits.
//   report: `usage --since 30d` over 1M events on PostgreSQL (target ≤ 50 ms), beside SELECT count(*) over them.
//
//   cd tests && pnpm exec tsx bench/pg-usage.mjs [--events 200000] [--batch 100] [--report-events 1000000]
//     [--runs 15] [--json]
//
// The server is a private one (scripts/private-postgres.mjs) with default settings except synchronous_commit=off,
// which matches the SQLite store's synchronous=NORMAL in WAL mode: a commit survives the process dying, not a power
// cut. `--durable` keeps synchronous_commit=on (an fsync per commit) instead.
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parseSince, recordUsageMany, usageReport } from "@apikey/core/testing";
import { openStore as openSqlite } from "@apikey/storage";
import { openStore as openPg } from "@apikey/storage/postgres";
import pg from "pg";
import { startPostgres } from "../../scripts/private-postgres.mjs";
import { seedEventsSql } from "./scale/pg-seed.mjs";

const DAY = 86_400_000;
const REPORT_TARGET_MS = 50;
const PROCESSES = 4;
const MODELS = ["claude-sonnet-4-6", "claude-haiku-4-5-20251001", "claude-opus-4-5", "not-a-priced-model"];

const { values: flags } = parseArgs({
  options: {
    events: { type: "string", default: "200000" },
    batch: { type: "string", default: "100" },
    "report-events": { type: "string", default: "1000000" },
    runs: { type: "string", default: "15" },
    durable: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    // The report alone (scale.mjs times it over 1M and 10M events): no ingest section.
    "report-only": { type: "boolean", default: false },
    // Seed the report's events with SQL on the server (scale/pg-seed.mjs) instead of through recordUsageMany.
    "sql-seed": { type: "boolean", default: false },
    // Internal: run as one ingesting child.
    child: { type: "string" },
  },
});
const EVENTS = Number(flags.events);
const BATCH = Number(flags.batch);

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
    seal: 2,
  };
}

function makeInputs(n, ids, now, days, tag) {
  const span = days * DAY;
  return Array.from({ length: n }, (_, i) => ({
    keyId: ids[i % ids.length],
    at: new Date(now - Math.floor((i / n) * span) - 1),
    model: MODELS[i % MODELS.length],
    inputTokens: 1000 + (i % 500),
    outputTokens: 200 + (i % 100),
    cacheCreationTokens: i % 7 === 0 ? 300 : 0,
    cacheReadTokens: i % 3 === 0 ? 800 : 0,
    requestId: `req_bench_${tag}_${i}`,
    front: "bench",
  }));
}

async function seedKeys(store, n = 4) {
  await store.profiles.create({ name: "default", activeKeyId: null, createdAt: new Date() });
  const ids = [];
  for (let i = 0; i < n; i++) {
    const key = fakeKeyRecord(`bench-${i}`);
    await store.keys.insert(key);
    ids.push(key.id);
  }
  return ids;
}

/** Records `inputs` in batches of BATCH, each its own transaction, as a gateway's group commit does. */
async function ingest(store, inputs) {
  for (let i = 0; i < inputs.length; i += BATCH) await recordUsageMany(store, inputs.slice(i, i + BATCH));
}

// ---- child: one gateway-like process ----
if (flags.child) {
  const { url, ids, n, tag } = JSON.parse(flags.child);
  const store = await openPg({ url });
  const inputs = makeInputs(n, ids, Date.now(), 30, tag);
  process.stdout.write("ready\n");
  await new Promise((resolve) => process.stdin.once("data", resolve));
  await ingest(store, inputs);
  await store.close();
  process.stdout.write("done\n");
  process.exit(0);
}

const here = dirname(fileURLToPath(import.meta.url));
const tsx = join(here, "../node_modules/.bin/tsx");

function startChild(args) {
  const child = spawn(
    tsx,
    [fileURLToPath(import.meta.url), "--batch", String(BATCH), "--child", JSON.stringify(args)],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  let out = "";
  const ready = new Promise((resolve, reject) => {
    child.stdout.on("data", (c) => {
      out += c;
      if (out.includes("ready")) resolve();
    });
    child.once("exit", (code) =>
      out.includes("done") ? undefined : reject(new Error(`child exited ${code}`)),
    );
  });
  const done = new Promise((resolve, reject) =>
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`child exited ${code}`)))),
  );
  return { child, ready, done };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const summary = (xs) => ({ p50: +median(xs).toFixed(2), p90: +pct(xs, 90).toFixed(2), runs: xs.length });

async function ingestSection(dir) {
  // ---- ingest ----
  // Baseline: one process, one SQLite file, the same events and batches.
  const sqlite = await openSqlite({ path: join(dir, "ingest.db") });
  const sqliteIds = await seedKeys(sqlite);
  const sqliteInputs = makeInputs(EVENTS, sqliteIds, Date.now(), 30, "sqlite");
  let t = performance.now();
  await ingest(sqlite, sqliteInputs);
  const sqliteMs = performance.now() - t;
  await sqlite.close();

  const url = `${server.url}?schema=ingest`;
  const setup = await openPg({ url });
  const ids = await seedKeys(setup);
  await setup.close();
  const per = Math.ceil(EVENTS / PROCESSES);
  const children = Array.from({ length: PROCESSES }, (_, p) =>
    startChild({ url, ids, n: per, tag: `p${p}` }),
  );
  await Promise.all(children.map((c) => c.ready));
  t = performance.now();
  for (const c of children) c.child.stdin.write("go\n");
  await Promise.all(children.map((c) => c.done));
  const pgMs = performance.now() - t;
  const check = await openPg({ url });
  const [spend] = await check.usage
    .spendByKey({ since: new Date(Date.now() - 40 * DAY) })
    .then((rows) => [rows.reduce((n, r) => n + r.requests, 0)]);
  await check.close();
  if (spend !== per * PROCESSES)
    throw new Error(`PostgreSQL holds ${spend} events, expected ${per * PROCESSES}`);
  return {
    events: per * PROCESSES,
    batch: BATCH,
    sqliteOneProcessPerSec: Math.round(EVENTS / (sqliteMs / 1000)),
    postgresFourProcessesPerSec: Math.round((per * PROCESSES) / (pgMs / 1000)),
  };
}

const server = await startPostgres({ settings: flags.durable ? {} : { synchronous_commit: "off" } });
const dir = mkdtempSync(join(tmpdir(), "apikey-bench-pg-"));
const results = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  postgres: flags.durable
    ? "synchronous_commit=on"
    : "synchronous_commit=off (as SQLite's synchronous=NORMAL)",
};
try {
  if (!flags["report-only"]) results.ingest = await ingestSection(dir);

  // ---- 30-day report over 1M events ----
  const REPORT_EVENTS = Number(flags["report-events"]);
  const reportUrl = `${server.url}?schema=report`;
  const store = await openPg({ url: reportUrl });
  const reportIds = await seedKeys(store);
  const now = Date.now();
  const since = parseSince("30d", new Date(now));
  const seedDays = (now - since.getTime()) / DAY;
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  await client.query('SET search_path TO "report"');
  let t = performance.now();
  if (flags["sql-seed"])
    await seedEventsSql(client, { n: REPORT_EVENTS, ids: reportIds, now, days: seedDays - 0.001 });
  else
    for (let done = 0; done < REPORT_EVENTS; done += 100_000) {
      const n = Math.min(100_000, REPORT_EVENTS - done);
      await recordUsageMany(store, makeInputs(n, reportIds, now, seedDays - 0.001, `r${done}`));
    }
  const seedMs = performance.now() - t;
  await client.query("VACUUM ANALYZE usage_events");
  await client.query("VACUUM ANALYZE usage_daily");
  const timings = { count: [], byDay: [], byModel: [], byDayOneKey: [] };
  for (let i = 0; i < Number(flags.runs) + 2; i++) {
    t = performance.now();
    const n = Number(
      (await client.query("SELECT count(*) AS n FROM usage_events WHERE at >= $1", [since])).rows[0].n,
    );
    const countMs = performance.now() - t;
    t = performance.now();
    const byDay = await usageReport(store, { since, by: "day" }, new Date(now));
    const dayMs = performance.now() - t;
    t = performance.now();
    await usageReport(store, { since, by: "model" }, new Date(now));
    const modelMs = performance.now() - t;
    t = performance.now();
    await usageReport(store, { since, by: "day", keyId: reportIds[0] }, new Date(now));
    const oneKeyMs = performance.now() - t;
    if (byDay.totals.requests !== n)
      throw new Error(`report counted ${byDay.totals.requests}, count(*) ${n}`);
    if (i < 2) continue;
    timings.count.push(countMs);
    timings.byDay.push(dayMs);
    timings.byModel.push(modelMs);
    timings.byDayOneKey.push(oneKeyMs);
  }
  await client.end();
  await store.close();
  results.report = {
    events: REPORT_EVENTS,
    seedSeconds: +(seedMs / 1000).toFixed(1),
    baselineCountMs: summary(timings.count),
    byDayMs: summary(timings.byDay),
    byModelMs: summary(timings.byModel),
    byDayOneKeyMs: summary(timings.byDayOneKey),
    target: REPORT_TARGET_MS,
    met: median(timings.byDay) <= REPORT_TARGET_MS,
  };
} finally {
  await server.stop();
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
  console.log(`postgres: ${results.postgres}`);
  if (i) printIngest(i);
  printReport(r);
}

function printIngest(i) {
  console.log(`ingest ${i.events.toLocaleString("en-US")} events in transactions of ${i.batch}:`);
  console.log(
    `  baseline: 1 process into SQLite       ${i.sqliteOneProcessPerSec.toLocaleString("en-US")} events/s`,
  );
  console.log(
    `  4 processes into PostgreSQL           ${i.postgresFourProcessesPerSec.toLocaleString("en-US")} events/s`,
  );
}

function printReport(r) {
  console.log(
    `report over ${r.events.toLocaleString("en-US")} events in the 30-day window (median / p90 of ${r.byDayMs.runs}):`,
  );
  console.log(
    `  baseline SELECT count(*)              ${r.baselineCountMs.p50} / ${r.baselineCountMs.p90} ms`,
  );
  console.log(
    `  usage --by day                        ${r.byDayMs.p50} / ${r.byDayMs.p90} ms  (target ≤ ${r.target} ms: ${r.met ? "met" : "MISSED"})`,
  );
  console.log(`  usage --by model                      ${r.byModelMs.p50} / ${r.byModelMs.p90} ms`);
  console.log(`  usage --key K --by day                ${r.byDayOneKeyMs.p50} / ${r.byDayOneKeyMs.p90} ms`);
}
