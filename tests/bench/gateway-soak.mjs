#!/usr/bin/env node
// Gateway memory soak: `apikey proxy` (the built CLI) in front of a zero-latency local upstream, held at a fixed
// request rate, with the gateway's resident memory read from /proc every slice. A leak (a listener, a cache, a
// buffer per request) shows as RSS that keeps climbing; a healthy gateway levels off after warm-up. After every
// slice the gateway also runs two full collections (gateway/gc-probe.cjs, preloaded) and reports its memory then:
// what it keeps, without the garbage not yet collected. Flat: after warm-up, the heap after full collections grows
// by at most FLAT_HEAP_MB (a leak of 4 bytes per request is 2.4 MB in 10 minutes at 1,000/s), and the RSS after
// them by at most FLAT_RSS_MB over the second half of the run (native caches — SQLite's pages, malloc's arenas —
// fill during the first minutes and then stay; a leak keeps growing).
//
//   node tests/bench/gateway-soak.mjs [--rate 1000] [--seconds 60] [--slice 10] [--json]

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { fixedRate } from "./gateway/load.mjs";

const { values: flags } = parseArgs({
  options: {
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "60" },
    slice: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
  },
});
const FLAT_HEAP_MB = 2;
const FLAT_RSS_MB = 8;
const RATE = Number(flags.rate);
const SLICES = Math.max(1, Math.round(Number(flags.seconds) / Number(flags.slice)));
const SLICE_S = Number(flags.slice);
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const CLI = here("../../apps/cli/dist/apikey.cjs");

const root = mkdtempSync(join(tmpdir(), "apikey-gwsoak-"));
const children = [];
process.on("exit", () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

const firstJson = (child) =>
  new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c) => {
      out += c;
      try {
        resolve(JSON.parse(out));
      } catch {
        // Not all of it yet.
      }
    });
    child.on("exit", (code) => reject(new Error(`child exited ${code}`)));
  });

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);

const up = spawn(process.execPath, [here("./gateway/upstream.mjs"), "--delay", "0"], {
  stdio: ["ignore", "pipe", "inherit"],
});
children.push(up);
const upstream = await firstJson(up);
const env = {
  PATH: process.env.PATH,
  HOME: root,
  APIKEY_HOME: join(root, "data"),
  APIKEY_MASTER_KEY: Buffer.alloc(32, 0x5a).toString("base64"),
  ANTHROPIC_BASE_URL: `http://127.0.0.1:${upstream.port}`,
  NO_COLOR: "1",
};
const KEY = `sk-ant-api03-${"FAKE_TEST_SOAK_".padEnd(93, "x")}AA`;
if (spawnSync(process.execPath, [CLI, "add", "soak", "--no-validate"], { env, input: KEY }).status !== 0)
  throw new Error("apikey add failed");
const token = spawnSync(process.execPath, [CLI, "proxy", "token", "create", "soak"], { env })
  .stdout.toString()
  .trim();
// Without a token every request is a 401 and the soak measures nothing.
if (!token.startsWith("apk-gw-")) throw new Error("apikey proxy token create printed no token");
const probeFile = join(root, "gc-probe.json");
const gw = spawn(
  process.execPath,
  ["--expose-gc", "--require", here("./gateway/gc-probe.cjs"), CLI, "--json", "proxy", "--port", "0"],
  {
    env: { ...env, BENCH_GC_PROBE_FILE: probeFile },
    stdio: ["ignore", "pipe", "ignore"],
  },
);
children.push(gw);
const { port } = await firstJson(gw);

const target = {
  host: "127.0.0.1",
  port,
  headers: (body) => ({
    "content-type": "application/json",
    "anthropic-version": "2023-06-01",
    "x-api-key": token,
    "content-length": Buffer.byteLength(body),
  }),
};
const body = JSON.stringify({
  model: "claude-haiku-4-5",
  max_tokens: 16,
  messages: [{ role: "user", content: "hi" }],
});

/** The gateway's memory after two full collections, in MB. */
async function afterFullGc() {
  const before = existsSync(probeFile) ? readFileSync(probeFile, "utf8") : "";
  gw.kill("SIGUSR2");
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 25));
    const now = existsSync(probeFile) ? readFileSync(probeFile, "utf8") : "";
    if (now !== before && now.endsWith("}")) {
      const m = JSON.parse(now);
      return { rssMb: m.rss / 2 ** 20, heapMb: m.heapUsed / 2 ** 20 };
    }
  }
  throw new Error("the gateway did not answer the collection probe");
}

const samples = [{ atS: 0, rssMb: rssKb(gw.pid) / 1024, gc: await afterFullGc() }];
const slices = [];
for (let i = 1; i <= SLICES; i++) {
  const r = await fixedRate(target, { rate: RATE, seconds: SLICE_S, body });
  slices.push(r);
  samples.push({ atS: i * SLICE_S, rssMb: rssKb(gw.pid) / 1024, gc: await afterFullGc() });
  if (!flags.json)
    process.stderr.write(
      `${String(i * SLICE_S).padStart(4)} s  RSS ${(samples.at(-1).rssMb).toFixed(1)} MB  after full GC: RSS ${samples.at(-1).gc.rssMb.toFixed(1)} MB, heap ${samples.at(-1).gc.heapMb.toFixed(1)} MB  achieved ${Math.round(r.achievedRate)}/s  p50 ${(r.p50Us / 1000).toFixed(2)} ms  p99 ${(r.p99Us / 1000).toFixed(2)} ms  errors ${r.errors}  not sent ${r.skipped}\n`,
    );
}
const afterWarmup = samples.slice(2).map((s) => s.rssMb);
const warm = samples[Math.min(2, samples.length - 1)].gc;
const last = samples.at(-1).gc;
const heapGrowthMb = last.heapMb - warm.heapMb;
const gcRssGrowthMb = last.rssMb - warm.rssMb;
const half = samples[Math.max(Math.min(2, samples.length - 1), Math.floor(samples.length / 2))].gc;
const secondHalfRssMb = last.rssMb - half.rssMb;
const result = {
  rate: RATE,
  seconds: SLICES * SLICE_S,
  samples,
  slices: slices.map((s) => ({
    achievedRate: s.achievedRate,
    p50Us: s.p50Us,
    p99Us: s.p99Us,
    errors: s.errors,
    skipped: s.skipped,
  })),
  // Growth from the end of the second slice (warm-up done) to the end.
  growthAfterWarmupMb: afterWarmup.length > 1 ? afterWarmup.at(-1) - afterWarmup[0] : 0,
  // The same, read after two full collections: what the gateway keeps.
  afterFullGc: { heapGrowthMb, rssGrowthMb: gcRssGrowthMb, secondHalfRssMb, warm, half, last },
  flat: heapGrowthMb <= FLAT_HEAP_MB && secondHalfRssMb <= FLAT_RSS_MB,
  limits: { heapMb: FLAT_HEAP_MB, rssMb: FLAT_RSS_MB },
  errors: slices.reduce((n, s) => n + s.errors, 0),
};
if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else
  process.stdout.write(
    `RSS growth after warm-up: ${result.growthAfterWarmupMb.toFixed(1)} MB over ${result.seconds - 2 * SLICE_S} s; after full collections: heap ${heapGrowthMb.toFixed(2)} MB (≤ ${FLAT_HEAP_MB}), RSS ${gcRssGrowthMb.toFixed(2)} MB, ${secondHalfRssMb.toFixed(2)} MB in the second half (≤ ${FLAT_RSS_MB}) — ${result.flat ? "flat" : "NOT flat"}\n`,
  );
process.exit(0);
