#!/usr/bin/env node
// Gateway benchmark: the same local upstream hit (a) directly, (b) through the floor of any Node gateway
// (gateway/node-floor.mjs: node:http + undici passing requests through, nothing else), (c) through `apikey proxy`
// and (d) through Portkey's open-source gateway (@portkey-ai/gateway, pointed at the upstream with
// x-portkey-custom-host), all in one run so machine load hits each alike. Loopback only; every phase is bounded.
//
//   node tests/bench/gateway.mjs [--rate 1000] [--seconds 4] [--throughput-seconds 5] [--connections 32] [--json]
//                                [--baseline path/to/other/apikey.cjs] [--ttfb-rounds 5] [--ttfb-only]
//
// The first streamed byte is measured in --ttfb-rounds interleaved rounds of 200 sequential requests per target;
// each figure is the median over the rounds, and the added time is the median of each round's difference to
// direct, so load that comes and goes lands on every target alike. --ttfb-only measures nothing else (for A/B runs
// of that one figure; it prints no verdicts, which need the floor's fixed-rate run).
//
// --baseline adds a fifth target: `apikey proxy` from another build (e.g. main's), on a store of its own, so a
// change is measured beside what it replaces in the same run.
//
// Reports per target: p50/p99 latency at a fixed request rate (open loop, µs resolution) and the overhead added
// over direct; maximum throughput (autocannon) against a zero-latency upstream and against one answering in
// 50 ms at 64 connections; and time to first streamed byte (SSE). Then issue 25's targets, each against the floor
// measured in this run (gateway/targets.mjs), met or not, with the load average at start and end.
// Needs `pnpm build` (apps/cli/dist).

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { fakeApiKey, machineLine } from "./common.mjs";
import { fixedRate, timeToFirstByte } from "./gateway/load.mjs";
import { children, cpuUs, freePort, parseJson, startChild, waitForHttp } from "./gateway/processes.mjs";
import { judgeAgainstFloor, targetLines } from "./gateway/targets.mjs";

const { values: flags } = parseArgs({
  options: {
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "4" },
    "throughput-seconds": { type: "string", default: "5" },
    connections: { type: "string", default: "32" },
    json: { type: "boolean", default: false },
    cli: { type: "string" },
    baseline: { type: "string" },
    "ttfb-rounds": { type: "string", default: "5" },
    "ttfb-only": { type: "boolean", default: false },
  },
});
const TTFB_ROUNDS = Number(flags["ttfb-rounds"]);
const RATE = Number(flags.rate);
const SECONDS = Number(flags.seconds);
const TP_SECONDS = Number(flags["throughput-seconds"]);
const CONNECTIONS = Number(flags.connections);
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const CLI = resolve(flags.cli ?? here("../../apps/cli/dist/apikey.cjs"));
const BASELINE = flags.baseline ? resolve(flags.baseline) : null;
const PORTKEY = here("../node_modules/@portkey-ai/gateway/build/start-server.js");
for (const [what, path] of [
  ["CLI (run `pnpm build`)", CLI],
  ["@portkey-ai/gateway", PORTKEY],
  ...(BASELINE ? [["baseline CLI", BASELINE]] : []),
]) {
  if (!existsSync(path)) {
    console.error(`bench: missing ${what}: ${path}`);
    process.exit(1);
  }
}
const say = (text) => {
  if (!flags.json) process.stderr.write(`${text}\n`);
};

const KEY = fakeApiKey("GATEWAY_BENCH");

const root = mkdtempSync(join(tmpdir(), "apikey-gwbench-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
const home = join(root, "home");
mkdirSync(home);

async function main() {
  const loadAtStart = machineLine();
  say(
    `gateway bench: ${cpus().length} cores, rate ${RATE}/s × ${SECONDS}s, throughput ${CONNECTIONS} connections × ${TP_SECONDS}s`,
  );
  const upstreamScript = here("./gateway/upstream.mjs");
  const fastChild = await startChild(
    process.execPath,
    [upstreamScript, "--delay", "0"],
    {},
    parseJson,
    "upstream",
  );
  const fast = { ...fastChild.value, pid: fastChild.child.pid };
  const slow = (
    await startChild(process.execPath, [upstreamScript, "--delay", "50"], {}, parseJson, "slow upstream")
  ).value;

  const env = (baseUrl, data = "data") => ({
    PATH: process.env.PATH,
    HOME: home,
    APIKEY_HOME: join(root, data),
    APIKEY_MASTER_KEY: Buffer.alloc(32, 0x5a).toString("base64"),
    ANTHROPIC_BASE_URL: baseUrl,
    NO_COLOR: "1",
  });
  const upstreamUrl = (u) => `http://127.0.0.1:${u.port}`;
  /** A store of its own for `cli` with the bench key and a token; then its gateway in front of each upstream. */
  const startApikeys = async (cli, data) => {
    const added = spawnSync(process.execPath, [cli, "add", "bench", "--no-validate"], {
      env: env(upstreamUrl(fast), data),
      input: KEY,
    });
    if (added.status !== 0) throw new Error(`apikey add failed: ${added.stderr}`);
    const token = spawnSync(process.execPath, [cli, "proxy", "token", "create", "bench"], {
      env: env(upstreamUrl(fast), data),
    })
      .stdout.toString()
      .trim();
    if (!token.startsWith("apk-gw-")) throw new Error("apikey proxy token printed no token");
    const start = async (u) => {
      const { child, value } = await startChild(
        process.execPath,
        [cli, "--json", "proxy", "--port", "0"],
        { env: env(upstreamUrl(u), data) },
        parseJson,
        "apikey proxy",
        // The per-request log line goes to stderr as in real use, into a file as `2>>gateway.log` would.
        join(root, `${data}-${u.port}.log`),
      );
      return { port: value.port, pid: child.pid };
    };
    const f = await start(fast);
    const sl = await start(slow);
    return { token, fast: f.port, slow: sl.port, fastPid: f.pid };
  };
  // The floor: node:http + undici passing requests through and doing nothing else (see gateway/node-floor.mjs).
  const startFloor = (u) =>
    startChild(
      process.execPath,
      [here("./gateway/node-floor.mjs"), "--upstream", upstreamUrl(u)],
      {},
      parseJson,
      "node floor",
    );
  const floorFast = await startFloor(fast);
  const floor = {
    fast: floorFast.value.port,
    slow: (await startFloor(slow)).value.port,
    fastPid: floorFast.child.pid,
  };
  const apikey = await startApikeys(CLI, "data");
  const baseline = BASELINE ? await startApikeys(BASELINE, "data-baseline") : null;

  const portkeyPort = await freePort();
  const portkey = spawn(process.execPath, [PORTKEY, `--port=${portkeyPort}`, "--headless"], {
    stdio: "ignore",
    // It refuses private and loopback custom hosts unless they are trusted explicitly.
    env: { ...process.env, NODE_ENV: "production", TRUSTED_CUSTOM_HOSTS: "127.0.0.1,localhost" },
  });
  children.push(portkey);
  await waitForHttp(portkeyPort);

  const base = { "content-type": "application/json", "anthropic-version": "2023-06-01" };
  const mk = (name, port, extra, pid = null) => ({
    name,
    pid,
    host: "127.0.0.1",
    port,
    url: `http://127.0.0.1:${port}/v1/messages`,
    fixedHeaders: { ...base, ...extra },
    headers(body) {
      return { ...this.fixedHeaders, "content-length": Buffer.byteLength(body) };
    },
  });
  const portkeyHeaders = (u) => ({
    "x-api-key": KEY,
    "x-portkey-provider": "anthropic",
    "x-portkey-custom-host": `${upstreamUrl(u)}/v1`,
  });
  const targets = (u, speed) => [
    mk("direct", u.port, { "x-api-key": KEY }, u.pid),
    mk("floor", floor[speed], { "x-api-key": KEY }, floor.fastPid),
    mk("apikey", apikey[speed], { "x-api-key": apikey.token }, apikey.fastPid),
    ...(baseline ? [mk("baseline", baseline[speed], { "x-api-key": baseline.token }, baseline.fastPid)] : []),
    mk("portkey", portkeyPort, portkeyHeaders(u), portkey.pid),
  ];
  const fastTargets = targets(fast, "fast");
  const slowTargets = targets(slow, "slow");
  const names = fastTargets.map((t) => t.name);
  const body = JSON.stringify({
    model: "claude-haiku-4-5-20251001",
    max_tokens: 16,
    messages: [{ role: "user", content: "hi" }],
  });
  const streamBody = JSON.stringify({ ...JSON.parse(body), stream: true });

  // Warm-up: a second of full load on each target, so what is measured is the steady state of a process that
  // runs for days (V8 compiles a function only after many calls; a few hundred requests leave most of a gateway
  // unoptimised) and every connection pool is already open.
  say("warming up…");
  const load = (t, connections, duration) =>
    autocannon({
      url: t.url,
      method: "POST",
      // autocannon sets content-length itself; a second one would make every request a 400.
      headers: t.fixedHeaders,
      body,
      connections,
      duration,
    });
  for (const t of fastTargets) await load(t, CONNECTIONS, 1);
  for (const t of slowTargets) await load(t, 64, 1);

  const ttfb = await firstByteRounds(fastTargets, streamBody);
  if (flags["ttfb-only"]) return printFirstByte(names, ttfb, loadAtStart);
  // Fixed rate, in two interleaved rounds so a burst of load from elsewhere does not land on one target only.
  say(`fixed rate ${RATE}/s…`);
  const rounds = Object.fromEntries(fastTargets.map((t) => [t.name, []]));
  for (let round = 0; round < 2; round++) {
    for (const t of fastTargets) {
      const before = t.pid ? cpuUs(t.pid) : null;
      const r = await fixedRate(t, { rate: RATE, seconds: SECONDS / 2, body });
      const after = t.pid ? cpuUs(t.pid) : null;
      r.cpuUs = before === null || after === null ? null : after - before;
      rounds[t.name].push(r);
    }
  }
  const fixed = Object.fromEntries(
    Object.entries(rounds).map(([name, rs]) => [
      name,
      {
        // The better round for every target alike: a burst of load from elsewhere lands in one round, not both.
        p50Us: Math.min(...rs.map((r) => r.p50Us)),
        p99Us: Math.min(...rs.map((r) => r.p99Us)),
        achievedRate: rs.reduce((a, r) => a + r.achievedRate, 0) / rs.length,
        errors: rs.reduce((a, r) => a + r.errors, 0),
        skipped: rs.reduce((a, r) => a + r.skipped, 0),
        // The serving process's own CPU (direct: the upstream; apikey: the gateway alone) per request sent.
        cpuPerRequestUs: rs.some((r) => r.cpuUs === null)
          ? null
          : rs.reduce((a, r) => a + r.cpuUs, 0) / rs.reduce((a, r) => a + r.requests - r.skipped, 0),
      },
    ]),
  );

  say("maximum throughput…");
  // Each target gets a second of the same load first, discarded, so none starts cold after the others ran.
  const measured = async (t, connections) => {
    await load(t, connections, 1);
    const r = await load(t, connections, TP_SECONDS);
    return { reqPerSec: r.requests.average, non2xx: r.non2xx, errors: r.errors + r.timeouts };
  };
  const throughput = {};
  for (const t of fastTargets) throughput[t.name] = await measured(t, CONNECTIONS);
  const throughputSlow = {};
  for (const t of slowTargets) throughputSlow[t.name] = await measured(t, 64);

  const d = fixed.direct;
  const result = {
    machine: { cores: cpus().length, node: process.version },
    settings: { rate: RATE, seconds: SECONDS, throughputSeconds: TP_SECONDS, connections: CONNECTIONS },
    fixedRate: fixed,
    added: Object.fromEntries(
      names
        .filter((n) => n !== "direct")
        .map((n) => [
          n,
          {
            p50Us: fixed[n].p50Us - d.p50Us,
            p99Us: fixed[n].p99Us - d.p99Us,
            ttfbP50Us: ttfb[n].addedP50Us,
          },
        ]),
    ),
    throughput,
    throughputSlow50ms: throughputSlow,
    ttfb,
    ratios: {
      apikeyVsPortkey: throughput.apikey.reqPerSec / throughput.portkey.reqPerSec,
      apikeyVsDirect: throughput.apikey.reqPerSec / throughput.direct.reqPerSec,
      apikeyVsDirectSlow: throughputSlow.apikey.reqPerSec / throughputSlow.direct.reqPerSec,
      floorVsPortkey: throughput.floor.reqPerSec / throughput.portkey.reqPerSec,
      floorVsDirectSlow: throughputSlow.floor.reqPerSec / throughputSlow.direct.reqPerSec,
      ...(baseline && {
        baselineVsPortkey: throughput.baseline.reqPerSec / throughput.portkey.reqPerSec,
        baselineVsDirectSlow: throughputSlow.baseline.reqPerSec / throughputSlow.direct.reqPerSec,
      }),
    },
  };
  result.machine.loadAtStart = loadAtStart;
  result.machine.loadAtEnd = machineLine();
  result.targets = judgeAgainstFloor(result, "apikey");
  if (baseline) result.baselineTargets = judgeAgainstFloor(result, "baseline");

  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const us = (v) => (Number.isFinite(v) ? `${(v / 1000).toFixed(3)} ms` : "n/a");
  const rps = (v) => `${Math.round(v).toLocaleString("en")}/s`;
  const row = (cells) => cells.map((c, i) => String(c).padEnd(i === 0 ? 42 : 13)).join("");
  const each = (f) => names.map((n) => f(n));
  const lines = [
    "",
    row(["", ...names]),
    row([`p50 @ ${RATE}/s`, ...each((n) => us(fixed[n].p50Us))]),
    row([`p99 @ ${RATE}/s`, ...each((n) => us(fixed[n].p99Us))]),
    row(["  added p50 over direct", ...each((n) => (n === "direct" ? "" : us(result.added[n].p50Us)))]),
    row(["  added p99 over direct", ...each((n) => (n === "direct" ? "" : us(result.added[n].p99Us)))]),
    row(["  achieved rate", ...each((n) => rps(fixed[n].achievedRate))]),
    row([
      "  its own process's CPU per request",
      ...each((n) =>
        fixed[n].cpuPerRequestUs === null ? "n/a" : `${Math.round(fixed[n].cpuPerRequestUs)} µs`,
      ),
    ]),
    row([
      `max throughput (${CONNECTIONS} conn, 0 ms upstream)`,
      ...each((n) => rps(throughput[n].reqPerSec)),
    ]),
    row(["max throughput (64 conn, 50 ms upstream)", ...each((n) => rps(throughputSlow[n].reqPerSec))]),
    row(["SSE first byte p50", ...each((n) => us(ttfb[n].p50Us))]),
    row(["SSE first byte p99", ...each((n) => us(ttfb[n].p99Us))]),
    "",
    `apikey vs direct, 0 ms upstream: ${result.ratios.apikeyVsDirect.toFixed(2)}× (ceiling ≈ 0.5× on 2 shared cores)`,
    `machine at start: ${result.machine.loadAtStart}`,
    `machine at end:   ${result.machine.loadAtEnd}`,
    "issue 25's targets, each against the floor (node:http + undici doing nothing) measured in this run:",
    ...targetLines(result.targets, result.baselineTargets),
  ];
  const problems = [
    ...Object.entries(fixed).map(([n, r]) => [`fixed-rate ${n}`, r]),
    ...Object.entries(throughput).map(([n, r]) => [`throughput ${n}`, r]),
    ...Object.entries(throughputSlow).map(([n, r]) => [`throughput 50 ms ${n}`, r]),
  ]
    .filter(([, r]) => (r.non2xx ?? 0) + (r.errors ?? 0) + (r.skipped ?? 0) > 0)
    .map(
      ([n, r]) =>
        `${n}: ${r.non2xx ?? 0} non-2xx, ${r.errors ?? 0} errors, ${r.skipped ?? 0} not sent (in-flight cap)`,
    );
  if (problems.length) lines.push(`note: ${problems.join("; ")}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** Interleaved rounds of sequential streamed requests: medians over the rounds (see the header). */
async function firstByteRounds(targets, streamBody) {
  say(`time to first streamed byte, ${TTFB_ROUNDS} interleaved rounds…`);
  const rounds = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let r = 0; r < TTFB_ROUNDS; r++)
    for (const t of targets) rounds[t.name].push(await timeToFirstByte(t, { count: 200, body: streamBody }));
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  return Object.fromEntries(
    targets.map(({ name }) => {
      const rs = rounds[name];
      return [
        name,
        {
          p50Us: median(rs.map((r) => r.p50Us)),
          p99Us: median(rs.map((r) => r.p99Us)),
          addedP50Us: median(rs.map((r, i) => r.p50Us - rounds.direct[i].p50Us)),
          roundsP50Us: rs.map((r) => Math.round(r.p50Us)),
          errors: rs.reduce((a, r) => a + r.errors, 0),
        },
      ];
    }),
  );
}

function printFirstByte(names, ttfb, loadAtStart) {
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ttfb, loadAtStart, loadAtEnd: machineLine() }, null, 2)}\n`);
    return;
  }
  const us = (v) => `${(v / 1000).toFixed(3)} ms`;
  const row = (cells) => cells.map((c, i) => String(c).padEnd(i === 0 ? 42 : 13)).join("");
  const lines = [
    "",
    row(["", ...names]),
    row(["SSE first byte p50 (median of rounds)", ...names.map((n) => us(ttfb[n].p50Us))]),
    row(["  added over direct", ...names.map((n) => (n === "direct" ? "" : us(ttfb[n].addedP50Us)))]),
    "each round's p50 (µs), in the order run:",
    ...names.map((n) => `  ${n.padEnd(10)} ${ttfb[n].roundsP50Us.join(" ")}`),
    `machine at start: ${loadAtStart}`,
    `machine at end:   ${machineLine()}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

main()
  .then(() => process.exit(0))
  .catch((err) => {
    console.error(`bench: ${err.message}`);
    process.exit(1);
  });
