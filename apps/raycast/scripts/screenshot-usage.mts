// Fills a throwaway store with 30 days of made-up usage, for the Store screenshot of API Key Usage (README,
// "Screenshots"). Keys come from `apikey --json list` on stdin; nothing is sent anywhere. Needs Node 22.18+ (it runs
// this TypeScript directly) and the store's path:
//   apikey --json list | node scripts/screenshot-usage.mts "$APIKEY_HOME/apikey.db"
import { recordUsageMany } from "../vendor/core/testing.ts";
import { openStore } from "../vendor/storage/node-sqlite.ts";

const path = process.argv[2];
if (!path) throw new Error("usage: apikey --json list | node scripts/screenshot-usage.mts STORE_FILE");
let input = "";
for await (const chunk of process.stdin) input += chunk;
const keys = (JSON.parse(input) as Array<{ id: string; name: string }>).slice(0, 3);
if (keys.length === 0) throw new Error("no keys on stdin: add a few fake ones first");

const DAY = 86_400_000;
const MODELS = ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"];
const now = new Date();
// A deterministic, plausible month: more on weekdays, a slow rise, each key with its own share.
const events = Array.from({ length: 30 * 12 }, (_, i) => {
  const day = Math.floor(i / 12);
  const weekday = new Date(now.getTime() - day * DAY).getUTCDay() % 6 !== 0;
  const key = keys[i % keys.length] as { id: string };
  return {
    keyId: key.id,
    at: new Date(now.getTime() - day * DAY - (i % 12) * 3_600_000),
    model: MODELS[i % 7 === 0 ? 2 : i % 3 === 0 ? 1 : 0] as string,
    inputTokens: (weekday ? 60_000 : 15_000) + ((i * 7919) % 40_000) + (30 - day) * 1_000,
    outputTokens: (weekday ? 6_000 : 1_500) + ((i * 104_729) % 4_000),
    cacheCreationTokens: 0,
    cacheReadTokens: (i % 4) * 20_000,
    requestId: `req_screenshot_${i}`,
    front: "gateway",
  };
});
const store = await openStore({ path });
await recordUsageMany(store, events, now);
await store.close();
console.log(`recorded ${events.length} made-up requests over 30 days for ${keys.map((k) => k.name).join(", ")}`);
