#!/usr/bin/env node
// How each cost grows (issue 25, item 5): every row at 1×, 10× and 100× of its work, with the ratio between steps
// and a verdict — flat or linear is fine, a 10× step costing more than 12× is a defect (scale/growth.mjs).
//
//   node tests/bench/scale.mjs [--quick] [--only keys,transfer,rekey,gateway,usage,soak] [--runs N] [--rate 300]
//                              [--json]
//
// Rows (full / --quick):
//   keys      `current` and `list` on 10, 1,000, 10,000 keys in 100 profiles    (quick: 10, 100, 1,000)
//   transfer  `export` then `import` of 100, 1,000, 10,000 keys: time, peak RSS  (quick: 10, 100, 1,000)
//   rekey     `rekey --to env` of the same stores: time, peak RSS
//   gateway   admission with 10, 1,000, 10,000 gateway tokens: added p50, req/s  (quick: 10, 100, 1,000)
//   usage     the 30-day report over 1M and 10M events, SQLite and PostgreSQL     (quick: 100k, 1M)
//   soak      the gateway's memory after full collections, 10 minutes at 1,000/s (quick: 30 s)
// Stores are built in-process through core/storage; the timed commands run the built CLI (`pnpm build` first).
// Only ratios within one run count on a shared machine: the load average is printed with every section.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { findPostgresBin, HOW_TO_ENABLE } from "../../scripts/private-postgres.mjs";
import { machineLine, timedRunSetup } from "./common.mjs";
import { keyRows, rekeyRows, transferRows } from "./scale/cli-rows.mjs";
import { gatewayRows } from "./scale/gateway-rows.mjs";
import { printRows, row } from "./scale/growth.mjs";
import { seedStore } from "./scale/stores.mjs";

const SECTIONS = ["keys", "transfer", "rekey", "gateway", "usage", "soak"];
const REPORT_TARGET_MS = 50;

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string", default: SECTIONS.join(",") },
    runs: { type: "string" },
    // The admission rows' fixed rate: well under what the machine can serve, so latency is not queueing.
    rate: { type: "string", default: "300" },
    json: { type: "boolean", default: false },
    cli: { type: "string" },
  },
});
const Q = flags.quick;
const SIZES = {
  keys: Q ? [10, 100, 1000] : [10, 1000, 10_000],
  transfer: Q ? [10, 100, 1000] : [100, 1000, 10_000],
  tokens: Q ? [10, 100, 1000] : [10, 1000, 10_000],
  events: Q ? [100_000, 1_000_000] : [1_000_000, 10_000_000],
};
const only = new Set(flags.only.split(",").map((s) => s.trim()));
for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`--only: unknown section ${s}`);
const { cli: CLI } = timedRunSetup({ runs: "1", warmup: "0", cli: flags.cli });
const RUNS = Number(flags.runs ?? (Q ? 5 : 9));
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const TSX = here("../node_modules/.bin/tsx");

const say = (text) => process.stderr.write(`${text}\n`);
const out = flags.json ? () => {} : (text) => console.log(text);
const root = mkdtempSync(join(tmpdir(), "apikey-bench-scale-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

const stores = new Map();
/** One store per size, shared by the keys, transfer and rekey rows (rekey works on a copy). */
function storesOf(sizes) {
  return sizes.map((n) => {
    if (!stores.has(n)) {
      say(`  seeding ${n.toLocaleString("en-US")} keys in 100 profiles…`);
      stores.set(n, seedStore(root, `keys-${n}`, { keys: n, profiles: 100 }));
    }
    return stores.get(n);
  });
}

/** Runs a usage bench (usage.mjs or pg-usage.mjs) over `events` events and returns its report section. */
function usageReport(script, events, extra = []) {
  const args = [
    here(script),
    "--report-only",
    "--report-events",
    String(events),
    "--runs",
    String(RUNS),
    "--json",
  ];
  const r = spawnSync(TSX, [...args, ...extra], { encoding: "utf8", maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr.slice(-800)}`);
  return JSON.parse(r.stdout).report;
}

function usageRows() {
  const rows = [];
  const targets = [];
  const stores = [["SQLite", "./usage.mjs", []]];
  const pgBin = findPostgresBin();
  if (pgBin) stores.push(["PostgreSQL", "./pg-usage.mjs", ["--sql-seed"]]);
  else out(`  PostgreSQL skipped: no server binaries (${HOW_TO_ENABLE})`);
  for (const [name, script, extra] of stores) {
    const reports = SIZES.events.map((n) => {
      say(`  ${name}: seeding ${n.toLocaleString("en-US")} events and timing the report…`);
      return usageReport(script, n, extra);
    });
    const at = reports.map((r) => r.byDayMs.p50);
    const count = reports.map((r) => r.baselineCountMs.p50.toFixed(1)).join(" / ");
    const note = `baseline SELECT count(*) over the window: ${count} ms (same runs)`;
    rows.push(row(`30-day report, ${name} (--by day)`, SIZES.events, at, "ms", { note }));
    rows.push(
      row(
        `30-day report, ${name} (--by model)`,
        SIZES.events,
        reports.map((r) => r.byModelMs.p50),
        "ms",
      ),
    );
    const biggest = SIZES.events.at(-1);
    targets.push({
      target: `${name} 30-day report over ${biggest.toLocaleString("en-US")} events ≤ ${REPORT_TARGET_MS} ms`,
      value: `${at.at(-1).toFixed(2)} ms`,
      baseline: `count(*) ${reports.at(-1).baselineCountMs.p50} ms`,
      met: at.at(-1) <= REPORT_TARGET_MS,
    });
  }
  return { rows, targets };
}

function soakSection() {
  const seconds = Q ? 30 : 600;
  const slice = Q ? 5 : 60;
  say(`  ${seconds} s at 1,000 req/s…`);
  const r = spawnSync(
    process.execPath,
    [here("./gateway-soak.mjs"), "--seconds", String(seconds), "--slice", String(slice), "--json"],
    { encoding: "utf8", maxBuffer: 16 << 20 },
  );
  if (r.status !== 0) throw new Error(`gateway-soak.mjs failed: ${r.stderr.slice(-800)}`);
  const s = JSON.parse(r.stdout);
  const g = s.afterFullGc;
  const text = `heap after full GC ${g.warm.heapMb.toFixed(1)} → ${g.last.heapMb.toFixed(1)} MB, RSS after full GC ${g.warm.rssMb.toFixed(1)} → ${g.half.rssMb.toFixed(1)} → ${g.last.rssMb.toFixed(1)} MB from the end of warm-up to half-way to ${seconds} s (${s.errors} errors)`;
  out(`\ngateway memory, ${seconds} s at ${s.rate} req/s\n  ${text} → ${s.flat ? "flat" : "NOT FLAT"}`);
  return {
    soak: s,
    targets: [
      {
        target: `gateway memory flat after full collections (${seconds} s at ${s.rate}/s)`,
        value: `heap +${g.heapGrowthMb.toFixed(2)} MB, RSS +${g.rssGrowthMb.toFixed(2)} MB (second half +${g.secondHalfRssMb.toFixed(2)} MB)`,
        baseline: `warm-up: heap ${g.warm.heapMb.toFixed(1)} MB, RSS ${g.warm.rssMb.toFixed(1)} MB`,
        met: s.flat,
      },
    ],
  };
}

const result = { quick: Q, machine: machineLine(), sections: {}, rows: [], targets: [] };
out(`How cost grows${Q ? " (quick)" : ""} — ${result.machine}`);
const section = async (name, title, fn) => {
  if (!only.has(name)) return;
  say(`${name}… (${machineLine()})`);
  const started = performance.now();
  const got = await fn();
  const rows = Array.isArray(got) ? got : (got.rows ?? []);
  if (rows.length)
    printRows(`${title} — load average at the end: ${machineLine().split("load average ")[1]}`, rows, out);
  result.rows.push(...rows);
  result.targets.push(...(got.targets ?? []));
  if (got.soak) result.soak = got.soak;
  result.sections[name] = { seconds: +((performance.now() - started) / 1000).toFixed(1) };
};

await section("keys", `list / current, median of ${RUNS} interleaved runs`, () =>
  keyRows({ cli: CLI, root, stores: storesOf(SIZES.keys), runs: RUNS }),
);
await section("transfer", "export / import (one run each)", () =>
  transferRows({ cli: CLI, root, stores: storesOf(SIZES.transfer) }),
);
await section("rekey", "rekey (one run each, on a copy)", () =>
  rekeyRows({ cli: CLI, root, stores: storesOf(SIZES.transfer) }),
);
await section("gateway", "gateway admission by number of tokens", () =>
  gatewayRows({
    cli: CLI,
    root,
    sizes: SIZES.tokens,
    rate: Number(flags.rate),
    seconds: Q ? 4 : 8,
    throughputSeconds: Q ? 3 : 5,
    say,
  }),
);
await section("usage", "usage report by number of events", usageRows);
await section("soak", "gateway memory", soakSection);

const defects = result.rows.filter((r) => r.defect);
for (const r of result.rows)
  result.targets.push({
    target: `${r.name}: no 10× step worse than linear`,
    value: r.ratios.map((x) => `${x.toFixed(2)}×`).join(", "),
    baseline: r.steps.join(" → "),
    met: !r.defect,
  });
if (flags.json) console.log(JSON.stringify(result, null, 2));
else {
  for (const t of result.targets.filter((t) => !t.target.includes("no 10× step")))
    out(`target: ${t.target}: ${t.value} (baseline ${t.baseline}) — ${t.met ? "met" : "NOT met"}`);
  const missed = result.targets.filter((t) => !t.met).length;
  out(
    `\n${defects.length ? `WORSE THAN LINEAR: ${defects.map((r) => r.name).join("; ")}` : "every row flat or linear"}${missed ? `; ${missed} target(s) missed` : ""}`,
  );
}
process.exit(0);
