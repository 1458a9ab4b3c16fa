#!/usr/bin/env node
// Masking cost of `apikey exec`: a child writes N MiB of text (with the key in it now and then) to stdout; we time
//   cat      — `sh -c 'writer | cat'`, the same bytes through one plain pipe (the baseline)
//   masked   — `apikey exec -- writer` (the default: stdout through the mask)
//   inherit  — `apikey exec --no-masking -- writer` (stdio inherited, no copy)
// all with stdout to /dev/null, interleaved, in the same run.
//
//   node tests/bench/exec-mask.mjs [--mib 1024] [--runs 3]
//
// Needs the built CLI (apps/cli/dist/apikey.cjs).

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values: flags } = parseArgs({
  options: { mib: { type: "string", default: "1024" }, runs: { type: "string", default: "3" } },
});
const MIB = Number(flags.mib);
const RUNS = Number(flags.runs);
const CLI = fileURLToPath(new URL("../../apps/cli/dist/apikey.cjs", import.meta.url));

// Visibly fake, well-formed (same shape as tests/fixtures/keys.ts).
let body = "FAKE_TEST_BENCH_MASK_";
let seed = Buffer.from("bench");
while (body.length < 93) {
  seed = createHash("sha256").update(seed).digest();
  body += seed.toString("base64url");
}
const KEY = `sk-ant-api03-${body.slice(0, 93)}AA`;

const root = mkdtempSync(join(tmpdir(), "apikey-bench-mask-"));
const env = {
  PATH: process.env.PATH,
  HOME: root,
  APIKEY_HOME: join(root, "data"),
  APIKEY_MASTER_KEY: Buffer.alloc(32, 0x5a).toString("base64"),
  NO_COLOR: "1",
};
const add = spawnSync(process.execPath, [CLI, "add", "bench", "--no-validate"], { env, input: KEY });
if (add.status !== 0) throw new Error(`add failed: ${add.stderr}`);

// 64 KiB chunks of log-like text; every 16th chunk carries the key (from its environment) once.
const writer = join(root, "writer.js");
writeFileSync(
  writer,
  `const total=${MIB}*1024*1024;const line='2026-01-01T00:00:00Z INFO request served in 12ms path=/v1/messages\\n';
const plain=Buffer.from(line.repeat(Math.ceil(65536/line.length)).slice(0,65536));
const k=process.env.ANTHROPIC_API_KEY||'';const withKey=Buffer.from(('key='+k+'\\n'+plain.toString()).slice(0,65536));
let n=0,i=0;function go(){while(n<total){const c=(i++%16===0)?withKey:plain;n+=c.length;if(!process.stdout.write(c))return process.stdout.once('drain',go);}}go();`,
);

const devnull = openSync("/dev/null", "w");
const variants = {
  cat: () =>
    spawnSync("sh", ["-c", `"${process.execPath}" "${writer}" | cat`], {
      env,
      stdio: ["ignore", devnull, "inherit"],
    }),
  masked: () =>
    spawnSync(process.execPath, [CLI, "exec", "--", process.execPath, writer], {
      env,
      stdio: ["ignore", devnull, "inherit"],
    }),
  inherit: () =>
    spawnSync(process.execPath, [CLI, "exec", "--no-masking", "--", process.execPath, writer], {
      env,
      stdio: ["ignore", devnull, "inherit"],
    }),
};
const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < RUNS; r++) {
  for (const [name, run] of Object.entries(variants)) {
    const t = performance.now();
    const res = run();
    if (res.status !== 0) throw new Error(`${name} exited ${res.status}`);
    times[name].push((performance.now() - t) / 1000);
  }
}
rmSync(root, { recursive: true, force: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${MIB} MiB per run, ${RUNS} runs, median:`);
for (const [name, xs] of Object.entries(times)) {
  const s = median(xs);
  console.log(
    `  ${name.padEnd(8)} ${s.toFixed(2)} s  ${(MIB / s).toFixed(0)} MiB/s  (x${(s / median(times.cat)).toFixed(2)} of cat)`,
  );
}
