#!/usr/bin/env node
// Every benchmark, one after another, then a summary: each target a bench printed, met or not, with the line the
// bench printed it on (which carries the same-run baseline) and the load average when that bench started.
// `pnpm bench` builds first and runs this; `pnpm bench:quick` (= --quick) runs CI-sized versions in minutes.
//
//   node tests/bench/all.mjs [--quick] [--only startup,read,gateway,…] [--list]
//
// Each bench stays runnable alone (the command is printed before it runs). The summary reads the benches' own
// words ("met", "NOT met", "MISSED", …) instead of their JSON, so a bench can change its figures without this file.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { machineLine } from "./common.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const TSX = here("../node_modules/.bin/tsx");

/** name, how it runs (node or tsx: the usage benches import the workspace's TypeScript), full and quick flags. */
const BENCHES = [
  {
    name: "startup",
    what: "CLI start-up (current)",
    script: "run.mjs",
    quick: ["--runs", "10", "--warmup", "2"],
  },
  { name: "read", what: "read commands", script: "cli-start.mjs", quick: ["--runs", "5", "--warmup", "1"] },
  {
    name: "network",
    what: "validate and a validating add",
    script: "cli-network.mjs",
    quick: ["--runs", "5", "--warmup", "1"],
  },
  {
    name: "gateway",
    what: "gateway vs floor, direct, Portkey",
    script: "gateway.mjs",
    quick: ["--seconds", "2", "--throughput-seconds", "2"],
  },
  {
    name: "usage",
    what: "usage ingest and report (SQLite)",
    script: "usage.mjs",
    tsx: true,
    quick: ["--events", "50000", "--report-events", "200000", "--runs", "5"],
  },
  {
    name: "pg-usage",
    what: "usage ingest and report (PostgreSQL)",
    script: "pg-usage.mjs",
    tsx: true,
    quick: ["--events", "20000", "--report-events", "100000", "--runs", "5"],
  },
  { name: "usage-sync", what: "usage sync", script: "usage-sync.mjs", tsx: true, quick: ["--quick"] },
  { name: "slack", what: "Slack ack", script: "slack-ack.mjs", quick: ["--rounds", "5"] },
  {
    name: "raycast",
    what: "Raycast list",
    script: "raycast-list.mjs",
    quick: ["--runs", "10", "--warmup", "3"],
  },
  { name: "scale", what: "how cost grows", script: "scale.mjs", quick: ["--quick"] },
];

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    list: { type: "boolean", default: false },
  },
});
if (flags.list) {
  for (const b of BENCHES) console.log(`${b.name.padEnd(11)} ${b.what}  (tests/bench/${b.script})`);
  process.exit(0);
}
const only = flags.only ? new Set(flags.only.split(",")) : null;
for (const name of only ?? [])
  if (!BENCHES.some((b) => b.name === name)) throw new Error(`--only: no bench ${name}`);

const NOT_MET = /\bNOT met\b|\bMISSED\b|\bMISSES\b|\bNOT FLAT\b|WORSE THAN LINEAR/i;
const MET = /\bmet\b|\bmeets\b|\bflat\b|linear or better/i;
// A quick run too small to back a verdict says so, and so does a gateway run whose floor could not hold its rate
// (gateway/targets.mjs); such a line is listed, and counted neither way.
const NOT_JUDGED = /\bnot judged\b/i;

/** The lines of a bench's output that state a target, each judged met or not by the bench's own words. */
function targetLines(text) {
  return text
    .split("\n")
    .filter(
      (l) =>
        /target|≤|→ (flat|linear|WORSE)|NOT FLAT|not judged/i.test(l) &&
        (NOT_MET.test(l) || MET.test(l) || NOT_JUDGED.test(l)),
    )
    .map((l) => ({ line: l.trim(), met: NOT_JUDGED.test(l) ? null : !NOT_MET.test(l) }));
}

const summary = [];
console.log(`apikey benchmarks${flags.quick ? " (quick)" : ""} — ${machineLine()}`);
for (const b of BENCHES) {
  if (only && !only.has(b.name)) continue;
  const args = [here(`./${b.script}`), ...(flags.quick ? b.quick : [])];
  const [command, argv] = b.tsx ? [TSX, args] : [process.execPath, args];
  const load = machineLine().split("load average ")[1];
  console.log(
    `\n=== ${b.what}: ${b.tsx ? "tsx" : "node"} tests/bench/${args.slice(1).length ? `${b.script} ${args.slice(1).join(" ")}` : b.script}`,
  );
  console.log(`    load average ${load}`);
  const started = performance.now();
  const r = spawnSync(command, argv, {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(r.stdout ?? "");
  const lines = r.status === 0 ? targetLines(r.stdout ?? "") : [];
  summary.push({ bench: b, status: r.status, seconds, load, lines });
}

console.log(`\n=== summary (${machineLine()})`);
let notMet = 0;
for (const s of summary) {
  const head = `${s.bench.what} (${s.bench.script}, ${s.seconds.toFixed(0)} s, load average at start ${s.load})`;
  if (s.status !== 0) {
    notMet++;
    console.log(`✗ ${head}: the bench FAILED (exit ${s.status})`);
    continue;
  }
  console.log(`${s.lines.every((l) => l.met !== false) ? "✓" : "✗"} ${head}`);
  if (s.lines.length === 0) console.log("    (no target printed)");
  for (const l of s.lines) {
    if (l.met === false) notMet++;
    console.log(`    ${l.met === null ? "—      " : l.met ? "met    " : "NOT MET"}  ${l.line}`);
  }
}
const notJudged = summary.flatMap((s) => s.lines).filter((l) => l.met === null).length;
const unjudged = notJudged
  ? ` (${notJudged} not judged: quick size, or a floor that could not hold its rate)`
  : "";
console.log(
  `\n${notMet === 0 ? `every judged target met${unjudged}` : `${notMet} target line(s) not met or bench(es) failed${unjudged}`}`,
);
process.exit(0);
