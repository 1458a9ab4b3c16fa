#!/usr/bin/env node
// Startup benchmark: `apikey current` (the apiKeyHelper hot path), `list` and `status`, each against a bare
// `node -e 0` measured in the same run, interleaved so drift in machine load hits every command alike.
//
//   node tests/bench/run.mjs [--runs 40] [--warmup 5] [--json] [--check] [--cli path/to/apikey.cjs]
//
// --check exits 1 when `current` is slower than the target ratio. Needs the built CLI (apps/cli/dist/apikey.cjs).

import { rmSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { fakeApiKey, tempBench, timedRunOptions, timedRunSetup } from "./common.mjs";

// Issue 25 restated issue 6's 1.3× as 1.25× (held under load); cli-start.mjs checks the same figure.
const TARGET_RATIO = 1.25;

const { values: flags } = parseArgs({ options: timedRunOptions(40, 5) });
const { cli: CLI, runs: RUNS, warmup: WARMUP } = timedRunSetup(flags);

class BenchError extends Error {}

function fail(message) {
  throw new BenchError(message);
}

const { root, run } = tempBench("apikey-bench-");

function setup() {
  const key = fakeApiKey("BENCH");
  const add = run([CLI, "add", "--no-validate", "bench"], key);
  if (add.status !== 0) fail(`add failed (exit ${add.status}): ${add.stderr.trim()}`);
  const use = run([CLI, "use", "bench"]);
  if (use.status !== 0) fail(`use failed (exit ${use.status}): ${use.stderr.trim()}`);
  const cur = run([CLI, "current"]);
  if (cur.stdout !== `${key}\n`)
    fail(`current did not print the key (exit ${cur.status}): ${cur.stderr.trim()}`);
}

const commands = [
  { name: "node -e 0", args: ["-e", "0"] },
  { name: "apikey current", args: [CLI, "current"] },
  { name: "apikey list", args: [CLI, "list"] },
  { name: "apikey status", args: [CLI, "status"] },
];

function timeOnce(cmd) {
  const t0 = process.hrtime.bigint();
  const r = run(cmd.args);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) fail(`${cmd.name} exited ${r.status}: ${r.stderr.trim()}`);
  return ms;
}

function quantile(sorted, q) {
  // Linear interpolation between closest ranks.
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function measure() {
  const samples = new Map(commands.map((c) => [c.name, []]));
  for (let i = 0; i < WARMUP; i++) for (const c of commands) timeOnce(c);
  for (let i = 0; i < RUNS; i++) {
    // Rotate the order each round so no command always runs right after the same neighbour.
    for (let j = 0; j < commands.length; j++) {
      const c = commands[(i + j) % commands.length];
      samples.get(c.name).push(timeOnce(c));
    }
  }
  const baseline = summarise(samples.get("node -e 0"));
  return commands.map((c) => {
    const s = summarise(samples.get(c.name));
    return { command: c.name, ...s, ratio: s.median / baseline.median };
  });
}

function summarise(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  return {
    runs: xs.length,
    median: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    min: sorted[0],
    max: sorted.at(-1),
  };
}

function printTable(rows, meta) {
  const fmt = (n) => n.toFixed(1).padStart(8);
  console.log(`apikey startup benchmark — ${meta.runs} runs each after ${meta.warmup} warm-up, interleaved`);
  console.log(`node ${meta.node} on ${meta.platform}, ${meta.cpus} CPUs\n`);
  console.log(
    `${"command".padEnd(16)}${"median ms".padStart(10)}${"p90 ms".padStart(10)}${"min ms".padStart(10)}  ratio`,
  );
  for (const r of rows) {
    console.log(
      `${r.command.padEnd(16)}${fmt(r.median).padStart(10)}${fmt(r.p90).padStart(10)}${fmt(r.min).padStart(10)}  ${r.ratio.toFixed(2)}×`,
    );
  }
  const cur = rows.find((r) => r.command === "apikey current");
  const verdict = cur.ratio <= TARGET_RATIO ? "meets" : "MISSES";
  console.log(
    `\ntarget: apikey current ≤ ${TARGET_RATIO}× node -e 0 (median) — ${verdict} (${cur.ratio.toFixed(2)}×)`,
  );
}

let exitCode = 0;
try {
  setup();
  const rows = measure();
  const meta = {
    runs: RUNS,
    warmup: WARMUP,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    target: TARGET_RATIO,
  };
  const current = rows.find((r) => r.command === "apikey current");
  const meetsTarget = current.ratio <= TARGET_RATIO;
  if (flags.json) console.log(JSON.stringify({ ...meta, meetsTarget, results: rows }, null, 2));
  else printTable(rows, meta);
  if (flags.check && !meetsTarget) exitCode = 1;
} catch (err) {
  if (!(err instanceof BenchError)) throw err;
  console.error(`bench: ${err.message}`);
  exitCode = 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
process.exit(exitCode);
