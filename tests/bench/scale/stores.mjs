// Stores for the scaling bench, built in-process (seed.mjs, through tsx: a process per `apikey add` would take an
// hour for 10,000 keys), and the built CLI timed against them: wall time from spawn to exit, and the child's peak
// resident memory from /usr/bin/time when the machine has it.

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchEnv } from "../common.mjs";

const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
const SEED = fileURLToPath(new URL("./seed.mjs", import.meta.url));
const GNU_TIME = "/usr/bin/time";

/** A store under `root/name` with `keys` keys in `profiles` profiles and `tokens` gateway tokens. */
export function seedStore(root, name, { keys, profiles = 100, tokens = 0 }) {
  const dataDir = join(root, name);
  mkdirSync(dataDir, { recursive: true });
  const masterKey = randomBytes(32).toString("base64");
  const r = spawnSync(TSX, [SEED, JSON.stringify({ dataDir, masterKey, keys, profiles, tokens })], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`seeding ${name} failed: ${r.stderr.slice(-800)}`);
  const { ms, token } = JSON.parse(r.stdout.trim().split("\n").at(-1));
  return { name, dataDir, masterKey, keys, token, seedMs: ms };
}

/** The CLI's environment for `store`: its data directory and master key, no network, no colour. */
export function cliEnv(root, store, extra = {}) {
  const home = join(root, "home");
  mkdirSync(home, { recursive: true });
  return benchEnv({ home, dataDir: store.dataDir, masterKey: store.masterKey }, extra);
}

/** Runs `node …args` to completion: { ms, peakMb (null without /usr/bin/time), stdout }; throws when it fails. */
export function timedRun(args, { env, input = "", cwd, memory = false }) {
  const withTime = memory && existsSync(GNU_TIME);
  const command = withTime ? GNU_TIME : process.execPath;
  const argv = withTime ? ["-f", "PEAK_KB %M", process.execPath, ...args] : args;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, argv, {
    env,
    cwd: cwd ?? env.HOME,
    input,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  if (r.status !== 0)
    throw new Error(`node ${args.slice(1).join(" ")} exited ${r.status}: ${r.stderr.slice(-600)}`);
  const peak = withTime ? /PEAK_KB (\d+)/.exec(r.stderr)?.[1] : undefined;
  return { ms, peakMb: peak ? Number(peak) / 1024 : null, stdout: r.stdout };
}
