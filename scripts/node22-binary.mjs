// Node 22's binary, for what runs on Raycast's runtime (node:sqlite needs >= 22.5): the Node 22 test pass
// (run-node22-tests.mjs) and the end-to-end tests that run a front or the launcher on it. `npx -y node@22` asks the
// npm registry which 22 is newest at every call (about 3 s); its answer, the path of the binary npx installed, is
// kept for the process and in node_modules/.cache for the next files and runs, and used while that binary exists.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const CACHE = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "node_modules/.cache/apikey-tests/node22-path",
);
/** @type {string | null | undefined} */
let resolved;

/** Whether this process's Node has node:sqlite (22.5 or later). */
export function isNode22() {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 5);
}

function fromNpx() {
  const r = spawnSync(
    process.platform === "win32" ? "npx.cmd" : "npx",
    ["-y", "node@22", "-p", "process.execPath"],
    {
      encoding: "utf8",
      timeout: 180_000,
      shell: process.platform === "win32",
    },
  );
  const path = r.stdout?.trim().split("\n").pop();
  return r.status === 0 && path && existsSync(path) ? path : null;
}

/** APIKEY_NODE22, else this Node when it is 22.5+, else npx's node@22 (npm registry); null when none is found. */
export function node22Binary() {
  if (process.env.APIKEY_NODE22) return process.env.APIKEY_NODE22;
  if (isNode22()) return process.execPath;
  if (resolved !== undefined) return resolved;
  const cached = existsSync(CACHE) ? readFileSync(CACHE, "utf8").trim() : "";
  resolved = cached !== "" && existsSync(cached) ? cached : fromNpx();
  if (resolved !== null && resolved !== cached) {
    mkdirSync(dirname(CACHE), { recursive: true });
    writeFileSync(CACHE, resolved);
  }
  return resolved;
}
