#!/usr/bin/env node
// Start-up of every read command (issue 25, target 1): `list`, `status`, `show`, `usage`, `profile list`,
// `proxy token list`, `audit`, `slot list` each ≤ 1.6× a bare `node -e 0`, and `current` (the apiKeyHelper hot path)
// ≤ 1.25×, all measured in the same run on a store of 20 keys in 2 profiles, interleaved (the order rotates each
// round) so drift in the machine's load hits every command alike. Ratios of medians are what count.
//
//   node tests/bench/cli-start.mjs [--runs 15] [--warmup 2] [--json] [--check] [--cli path/to/apikey.cjs]
//                                  [--before path/to/other/apikey.cjs]
//
// --check exits 1 when a target is not met. Needs the built CLI (apps/cli/dist/apikey.cjs). --before times another
// build too (say, main's, copied aside), interleaved in the same rounds, on the same store: a before/after table
// from one run.

import { rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { fakeApiKey, tempBench, timedRunOptions, timedRunSetup } from "./common.mjs";

const READ_TARGET = 1.6;
const CURRENT_TARGET = 1.25;

const { values: flags } = parseArgs({
  options: { ...timedRunOptions(15, 2), before: { type: "string" } },
});
const { cli: CLI, runs: RUNS, warmup: WARMUP } = timedRunSetup(flags);

const { root, run } = tempBench("apikey-bench-start-");

function must(args, input) {
  const r = run([CLI, ...args], input);
  if (r.status !== 0) throw new Error(`apikey ${args.join(" ")} exited ${r.status}: ${r.stderr.trim()}`);
  return r;
}

function setup() {
  for (let i = 0; i < 20; i++) {
    if (i === 10) must(["profile", "create", "team"]);
    const profile = i < 10 ? "default" : "team";
    must(["--profile", profile, "add", "--no-validate", `key${i}`], fakeApiKey(`START_${i}`));
  }
  must(["use", "key0"]);
}

const baseline = { name: "node -e 0", args: ["-e", "0"] };
const READS = [
  ["list"],
  ["status"],
  ["show", "key3"],
  ["usage"],
  ["profile", "list"],
  ["proxy", "token", "list"],
  ["audit"],
  ["slot", "list"],
];

function commandsOf(cli, suffix) {
  return [
    { name: `current${suffix}`, args: [cli, "current"], target: CURRENT_TARGET },
    ...READS.map((words) => ({ name: words.join(" ") + suffix, args: [cli, ...words], target: READ_TARGET })),
  ];
}

const commands = [
  baseline,
  ...commandsOf(CLI, ""),
  ...(flags.before ? commandsOf(resolve(flags.before), " (before)") : []),
];

function timeOnce(cmd) {
  const t0 = process.hrtime.bigint();
  const r = run(cmd.args);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd.name} exited ${r.status}: ${r.stderr.trim()}`);
  return ms;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function measure() {
  const samples = new Map(commands.map((c) => [c.name, []]));
  for (let i = 0; i < WARMUP; i++) for (const c of commands) timeOnce(c);
  for (let i = 0; i < RUNS; i++) {
    for (let j = 0; j < commands.length; j++) {
      const c = commands[(i + j) % commands.length];
      samples.get(c.name).push(timeOnce(c));
    }
  }
  const base = median(samples.get(baseline.name));
  return commands.map((c) => {
    const m = median(samples.get(c.name));
    const ratio = m / base;
    return {
      command: c.name,
      median: m,
      ratio,
      target: c.target ?? null,
      met: c.target ? ratio <= c.target : null,
    };
  });
}

let exitCode = 0;
try {
  setup();
  const load = loadavg()[0];
  const rows = measure();
  const meta = { runs: RUNS, node: process.version, cpus: cpus().length, load1: Number(load.toFixed(2)) };
  if (flags.json) console.log(JSON.stringify({ ...meta, results: rows }, null, 2));
  else {
    console.log(`apikey read-command start-up — median of ${RUNS} interleaved runs, 20 keys in 2 profiles`);
    console.log(`node ${meta.node}, ${meta.cpus} CPUs, load average ${meta.load1} at the start\n`);
    console.log(`${"command".padEnd(27)}${"median ms".padStart(10)}  ${"ratio".padStart(6)}  target`);
    for (const r of rows) {
      const verdict = r.target === null ? "baseline" : `≤ ${r.target}× ${r.met ? "met" : "NOT MET"}`;
      console.log(
        `${r.command.padEnd(27)}${r.median.toFixed(1).padStart(10)}  ${r.ratio.toFixed(2).padStart(5)}×  ${verdict}`,
      );
    }
  }
  if (flags.check && rows.some((r) => r.met === false && !r.command.endsWith("(before)"))) exitCode = 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
process.exit(exitCode);
