// The bench's Usage & Cost report: the tests' stand-in (tests/fixtures/fake-anthropic.ts) in a process of its own,
// so its seeded usage never counts in the measured process's memory. It seeds one usage per organization key,
// model and hour over the last `days` days (plus one per minute-bucket of the recent hours the sync reads at
// minute grain) and prints `{url, orgKeys, rows}` as one JSON line. It runs until its parent closes stdin.
//
//   tsx bench/usage-sync/stand-in.mjs --keys 50 --models 5 --days 30 --admin <admin key>

import http from "node:http";
import { syncBuiltinESMExports } from "node:module";
import { parseArgs } from "node:util";

// Node's server closes a connection idle for 5 s; the sync writes a 42,000-row page in one transaction between two
// requests, which on a loaded machine takes longer. Keep idle connections open longer, so the sync never meets a
// socket the stand-in closed under it (a second sync in one run still failed: see BENCHMARKS.md).
const createServer = http.createServer;
http.createServer = (...args) => {
  const server = createServer(...args);
  server.keepAliveTimeout = 120_000;
  return server;
};
syncBuiltinESMExports();
const { orgApiKey, startFakeAnthropic } = await import("../../fixtures/fake-anthropic.ts");
const { fakeApiKey } = await import("../../fixtures/keys.ts");

const HOUR = 3_600_000;
const { values: flags } = parseArgs({
  options: {
    keys: { type: "string" },
    models: { type: "string" },
    days: { type: "string" },
    admin: { type: "string" },
  },
});
const KEYS = Number(flags.keys);
const MODELS = [
  "claude-sonnet-4-5",
  "claude-opus-4-5",
  "claude-haiku-4-5-20251001",
  "claude-sonnet-4-6",
  "claude-opus-4-1",
]
  .concat(Array.from({ length: 20 }, (_, i) => `claude-bench-${i}`))
  .slice(0, Number(flags.models));

/** The secret of bench key `i` (the bench's own store holds the same ones, so the organization keys match). */
export const benchSecret = (i) => fakeApiKey(`USAGE_SYNC_BENCH_${i}`);

const orgKeys = Array.from({ length: KEYS }, (_, i) => orgApiKey(`bench-${i}`, benchSecret(i)));
const now = Date.now();
const first = Math.floor((now - Number(flags.days) * 24 * HOUR) / HOUR) * HOUR;
// In time order (the stand-in walks it once per page): an hour's usage at 7 minutes past, every key and model.
const seeded = [];
for (let hour = first; hour + HOUR <= now; hour += HOUR) {
  const at = new Date(hour + 7 * 60_000);
  for (const [k, key] of orgKeys.entries()) {
    for (const [m, model] of MODELS.entries()) {
      seeded.push({
        apiKeyId: key.id,
        model,
        at,
        uncachedInput: 1000 + ((k * 7 + m) % 500),
        output: 200 + (m % 100),
        cacheRead: m === 0 ? 800 : 0,
        cacheWrite5m: k % 3 === 0 ? 300 : 0,
      });
    }
  }
}
const fake = await startFakeAnthropic({
  adminKeys: [flags.admin],
  orgApiKeys: orgKeys,
  reportedUsage: seeded,
});
process.stdout.write(`${JSON.stringify({ url: fake.url, orgKeys: orgKeys.length, rows: seeded.length })}\n`);
process.stdin.resume();
process.stdin.on("end", () => fake.close().then(() => process.exit(0)));
