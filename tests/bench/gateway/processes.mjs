// Child processes for the gateway benchmarks (gateway.mjs, the admission rows of scale.mjs, the soak): start one and
// wait for what it prints when ready, find a free port, wait for HTTP, read a process's CPU time. Every child
// started here is killed when the bench exits.

import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";

export const children = [];
function cleanup() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}
process.on("exit", cleanup);
for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => process.exit(130));

/**
 * Spawns a child and resolves with what `ready(stdoutSoFar)` returns once it returns something. With `logFile`,
 * its stderr goes to that file instead of a pipe: a gateway logs a line per request, and a pipe would wake this
 * process (which also runs the load generators) for every batch of lines, taking CPU from the measurement.
 */
export function startChild(command, args, options, ready, label, logFile = null) {
  const logFd = logFile === null ? null : openSync(logFile, "a");
  const child = spawn(command, args, { stdio: ["ignore", "pipe", logFd ?? "pipe"], ...options });
  if (logFd !== null) closeSync(logFd);
  children.push(child);
  let out = "";
  let err = "";
  const errTail = () => (logFile === null ? err : readFileSync(logFile, "utf8")).slice(-500);
  return new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start: ${errTail()}`)), 30_000);
    child.stderr?.on("data", (c) => {
      if (err.length < 10_000) err += c;
    });
    child.stdout.on("data", (c) => {
      if (out.length < 10_000) out += c;
      const value = ready(out);
      if (value !== undefined) {
        clearTimeout(timer);
        resolveReady({ child, value });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited ${code}: ${errTail()}`));
    });
  });
}

export const parseJson = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

export function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

export async function waitForHttp(port) {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise((res) => {
      const req = http.get({ host: "127.0.0.1", port, path: "/" }, (r) => {
        r.resume();
        res(true);
      });
      req.on("error", () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing answered on port ${port}`);
}

// CPU time a process has used (user + system), in µs, from /proc (Linux); null elsewhere. A target's CPU per
// request is steadier than its latency on a shared machine: it does not count the time it waited for a core.
const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"]).stdout?.toString().trim()) || 100;
export function cpuUs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
  } catch {
    return null;
  }
}
