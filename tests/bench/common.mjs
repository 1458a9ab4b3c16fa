// What several benches share: the fake keys they store and the built CLI they time. Plain JavaScript, so a bench
// needs no TypeScript step.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
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
