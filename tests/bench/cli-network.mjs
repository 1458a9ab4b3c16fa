#!/usr/bin/env node
// The commands that reach the network once and exit: `validate NAME` and a validating `add`, against a stand-in
// for the API on this machine (a separate process answering GET /v1/models as the API does), beside the floors
// measured in the same rounds: a bare `node -e 0`, one request on node:http, and one request on Node's fetch (which
// compiles its WebAssembly HTTP parser at a process's first request; core's own requests do not use it, see
// packages/core/src/net/http-fetch.ts). Interleaved, the order rotating each round; medians of wall time, and the
// CPU time (user + system) of the same runs.
//
//   node tests/bench/cli-network.mjs [--runs 15] [--warmup 2] [--json] [--cli path/to/apikey.cjs]
//                                    [--before path/to/other/apikey.cjs]
//
// --before times another build too (say, main's, copied aside), in the same rounds and on the same stand-in.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { fakeApiKey, machineLine, median, tempBench, timedRunOptions, timedRunSetup } from "./common.mjs";

const { values: flags } = parseArgs({ options: { ...timedRunOptions(15, 2), before: { type: "string" } } });
const { cli: CLI, runs: RUNS, warmup: WARMUP } = timedRunSetup(flags);

// The stand-in: its own process (the runs below block this one), answering every request with one model.
const STAND_IN = `
const http = require("node:http");
const page = JSON.stringify({ data: [{ type: "model", id: "claude-FAKE-TEST", display_name: "FAKE", created_at: "2026-01-01T00:00:00Z" }], has_more: false, first_id: "claude-FAKE-TEST", last_id: "claude-FAKE-TEST" });
const server = http.createServer((req, res) => { req.resume(); res.writeHead(200, { "content-type": "application/json", "request-id": "req_FAKE_TEST" }); res.end(page); });
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.stdin.on("end", () => process.exit(0)).resume();`;

function startStandIn() {
  const child = spawn(process.execPath, ["-e", STAND_IN], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((resolvePort, reject) => {
    child.stdout.once("data", (d) =>
      resolvePort({ port: Number(String(d).trim()), stop: () => child.stdin.end() }),
    );
    child.once("error", reject);
  });
}

const standIn = await startStandIn();
const base = `http://127.0.0.1:${standIn.port}`;
const { root, env } = tempBench("apikey-bench-network-");
env.ANTHROPIC_BASE_URL = base;

/** One run: wall ms, and CPU ms of the child (user + system, as the kernel accounted the waited child). */
function timed(args, input = "") {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, cwd: root, input, encoding: "utf8" });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${args.slice(1).join(" ")} exited ${r.status}: ${r.stderr.trim()}`);
  return { wall, cpu: childCpuMs() };
}

// A waited child's CPU is added to this process's cutime and cstime (Linux: /proc/self/stat, in clock ticks of
// 10 ms; a median over the runs smooths that). Node reports no children's CPU of its own. Elsewhere: no CPU column.
const PROC_STAT = "/proc/self/stat";
const HAS_PROC = existsSync(PROC_STAT);
function childTicks() {
  if (!HAS_PROC) return 0;
  const stat = readFileSync(PROC_STAT, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Counting from state (field 3 of proc(5)), cutime and cstime (fields 16 and 17) are at 13 and 14.
  return Number(fields[13]) + Number(fields[14]);
}
let lastChildTicks = childTicks();
function childCpuMs() {
  const now = childTicks();
  const ms = ((now - lastChildTicks) * 1000) / 100;
  lastChildTicks = now;
  return HAS_PROC ? ms : Number.NaN;
}

let added = 0;
function commandsOf(cli, suffix) {
  return [
    { name: `validate${suffix}`, args: () => [cli, "validate", "seed"] },
    {
      name: `add, validating${suffix}`,
      args: () => [cli, "add", `k${++added}`],
      input: () => fakeApiKey(`NETWORK_${added + 1}`),
    },
  ];
}

const commands = [
  { name: "node -e 0", args: () => ["-e", "0"] },
  {
    name: "one request on node:http",
    args: () => ["-e", `require("node:http").get("${base}/v1/models", (r) => r.resume())`],
  },
  { name: "one request on fetch", args: () => ["-e", `fetch("${base}/v1/models").then((r) => r.text())`] },
  ...commandsOf(CLI, ""),
  ...(flags.before ? commandsOf(resolve(flags.before), " (before)") : []),
];

try {
  const seed = spawnSync(process.execPath, [CLI, "add", "seed", "--no-validate"], {
    env,
    cwd: root,
    input: fakeApiKey("NETWORK_SEED"),
    encoding: "utf8",
  });
  if (seed.status !== 0) throw new Error(`seeding the store failed: ${seed.stderr}`);
  const samples = new Map(commands.map((c) => [c.name, { wall: [], cpu: [] }]));
  const once = (c) => timed(c.args(), c.input?.() ?? "");
  for (let i = 0; i < WARMUP; i++) for (const c of commands) once(c);
  lastChildTicks = childTicks();
  for (let i = 0; i < RUNS; i++) {
    for (let j = 0; j < commands.length; j++) {
      const c = commands[(i + j) % commands.length];
      const { wall, cpu } = once(c);
      samples.get(c.name).wall.push(wall);
      samples.get(c.name).cpu.push(cpu);
    }
  }
  const floor = median(samples.get("node -e 0").wall);
  const rows = commands.map((c) => {
    const s = samples.get(c.name);
    return { command: c.name, wallMs: median(s.wall), ratio: median(s.wall) / floor, cpuMs: median(s.cpu) };
  });
  if (flags.json) console.log(JSON.stringify({ runs: RUNS, machine: machineLine(), results: rows }, null, 2));
  else {
    console.log(
      `apikey commands that reach the network — median of ${RUNS} interleaved runs, stand-in on ${base}`,
    );
    console.log(`${machineLine()}\n`);
    console.log(
      `${"command".padEnd(34)}${"wall ms".padStart(9)}${"× node".padStart(8)}${"CPU ms".padStart(9)}`,
    );
    for (const r of rows)
      console.log(
        `${r.command.padEnd(34)}${r.wallMs.toFixed(1).padStart(9)}${`${r.ratio.toFixed(2)}×`.padStart(8)}${r.cpuMs.toFixed(0).padStart(9)}`,
      );
  }
} finally {
  standIn.stop();
  rmSync(root, { recursive: true, force: true });
}
