#!/usr/bin/env node
// `apikey scan` speed on a large tree, beside `grep -rE` for the same key prefix in the same run (interleaved).
// The tree: N source-like files of ~4 KiB in nested directories, a few holding a (fake) key.
//
//   node tests/bench/scan.mjs [--files 20000] [--runs 3]
//
// Needs the built CLI (apps/cli/dist/apikey.cjs).

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values: flags } = parseArgs({
  options: { files: { type: "string", default: "20000" }, runs: { type: "string", default: "3" } },
});
const FILES = Number(flags.files);
const RUNS = Number(flags.runs);
const CLI = fileURLToPath(new URL("../../apps/cli/dist/apikey.cjs", import.meta.url));

const root = mkdtempSync(join(tmpdir(), "apikey-bench-scan-"));
const tree = join(root, "tree");
const KEY = `sk-ant-api03-${"FAKE_TEST_BENCH_SCAN_".padEnd(93, "x")}AA`;
const text =
  "export function handler(req, res) {\n  return res.json({ ok: true, path: req.path });\n}\n".repeat(50);
for (let i = 0; i < FILES; i++) {
  const dir = join(tree, `d${i % 50}`, `e${i % 7}`);
  if (i < 350) mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `f${i}.js`), i % 1000 === 0 ? `${text}const k = "${KEY}";\n` : text);
}
const env = { PATH: process.env.PATH, HOME: root, APIKEY_HOME: join(root, "data"), NO_COLOR: "1" };
const variants = {
  "grep -rE": () => spawnSync("grep", ["-rEl", "sk-ant-(api03|admin01|oat01)-", tree], { env }),
  "apikey scan": () => spawnSync(process.execPath, [CLI, "scan", tree], { env }),
};
const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < RUNS; r++) {
  for (const [name, run] of Object.entries(variants)) {
    const t = performance.now();
    const res = run();
    // Both exit 1 here: grep for "found", scan for "keys found". Anything else is a failure.
    if (res.status !== 0 && res.status !== 1) throw new Error(`${name} exited ${res.status}: ${res.stderr}`);
    times[name].push((performance.now() - t) / 1000);
  }
}
rmSync(root, { recursive: true, force: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${FILES} files (~4 KiB each), ${RUNS} runs, median:`);
for (const [name, xs] of Object.entries(times)) {
  const s = median(xs);
  console.log(`  ${name.padEnd(12)} ${s.toFixed(2)} s  ${Math.round(FILES / s)} files/s`);
}
