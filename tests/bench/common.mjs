// What several benches share: the fake keys they store and the built CLI they time. Plain JavaScript, so a bench
// needs no TypeScript step.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** A visibly fake, well-formed API key: the same shape as tests/fixtures/keys.ts gives. */
export function fakeApiKey(label) {
  let body = `FAKE_TEST_${label}_`;
  let seed = Buffer.from(`api:${label}`);
  while (body.length < 93) {
    seed = createHash("sha256").update(seed).digest();
    body += seed.toString("base64url");
  }
  return `sk-ant-api03-${body.slice(0, 93)}AA`;
}

/** The parseArgs options of a bench that times the CLI a number of runs after some warm-up ones. */
export function timedRunOptions(runs, warmup) {
  return {
    runs: { type: "string", default: String(runs) },
    warmup: { type: "string", default: String(warmup) },
    json: { type: "boolean", default: false },
    check: { type: "boolean", default: false },
    cli: { type: "string" },
  };
}

/** The CLI to time (--cli, else this checkout's build) and the run counts; exits with a message when unusable. */
export function timedRunSetup(flags) {
  const cli = resolve(flags.cli ?? fileURLToPath(new URL("../../apps/cli/dist/apikey.cjs", import.meta.url)));
  const runs = Number(flags.runs);
  const warmup = Number(flags.warmup);
  if (!(runs > 0 && warmup >= 0)) {
    console.error("bench: --runs must be > 0 and --warmup >= 0");
    process.exit(2);
  }
  if (!existsSync(cli)) {
    console.error(`bench: CLI not built: ${cli} (run \`pnpm build\` first)`);
    process.exit(1);
  }
  return { cli, runs, warmup };
}

/** The machine line every bench prints with its figures: cores, CPU model, Node, and the load average now. */
export function machineLine() {
  const [one, five] = loadavg();
  return `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, node ${process.version}, load average ${one.toFixed(2)} / ${five.toFixed(2)} (1 / 5 min)`;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The built CLI's environment in a bench: its own home and store, no network, no colour, UTC. */
export function benchEnv({ home, dataDir, masterKey }, extra = {}) {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    APIKEY_HOME: dataDir,
    APIKEY_MASTER_KEY: masterKey,
    // Nothing listens here: the bench never reaches the network.
    ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
    NO_COLOR: "1",
    TZ: "UTC",
    ...extra,
  };
}

/** A fresh temporary home and store under a random master key, and `run(args, input)`: node with them, to the end. */
export function tempBench(prefix) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const home = join(root, "home");
  mkdirSync(home);
  const env = benchEnv({ home, dataDir: join(root, "data"), masterKey: randomBytes(32).toString("base64") });
  const run = (args, input) => {
    const r = spawnSync(process.execPath, args, { env, cwd: home, input: input ?? "", encoding: "utf8" });
    if (r.error) throw r.error;
    return r;
  };
  return { root, home, env, run };
}
