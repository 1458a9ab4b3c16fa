// Child process of slack-ack.mjs: the bot alone in its own process (as in production), so the load generator's
// CPU does not count as the bot's. With a store (sqlite, or postgres via APIKEY_DATABASE_URL) the replay claim is
// written to it before every ack, as in production, and each claim's duration is measured here. Prints its port on
// stdout; on SIGTERM prints the claim durations (JSON, one line) and stops.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const [bundle, slackApiUrl, secret, team, store = "memory"] = process.argv.slice(2);
const { createBot, parsePolicy, redactingLogger, openBotCore, coreConfigFrom } = await import(
  fileURLToPath(new URL(bundle, import.meta.url))
);

let core;
let dataDir;
const claimMs = [];
if (store !== "memory") {
  dataDir = mkdtempSync(join(tmpdir(), "apikey-slack-bench-store-"));
  // APIKEY_DATABASE_URL (set by the parent for postgres) makes openBotCore open PostgreSQL instead of SQLite.
  const config = coreConfigFrom({
    APIKEY_HOME: dataDir,
    APIKEY_MASTER_KEY: Buffer.alloc(32, 0x42).toString("base64"),
  });
  core = await openBotCore(config);
}
// The claim as the bot makes it, timed: the round trip to the store that precedes every ack.
const claims = core
  ? {
      async claimOnce(name) {
        const start = process.hrtime.bigint();
        try {
          return await core.claims.claimOnce(name);
        } finally {
          claimMs.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
      },
    }
  : undefined;

const bot = createBot({
  config: {
    botToken: "xoxb-0000-FAKE-TEST-BENCH",
    appToken: undefined,
    signingSecret: secret,
    port: 0,
    host: "127.0.0.1",
    slackApiUrl,
    authzFile: "(bench)",
  },
  policy: parsePolicy(
    `workspaces: { teams: [${team}] }\nprofiles:\n  default:\n    operate: { users: [U0BENCH] }\n`,
  ),
  logger: redactingLogger({ write: () => {} }),
  ...(core ? { core: core.coreFor, claims } : {}),
});
const { port } = await bot.start();
process.stdout.write(`${port}\n`);
process.once("SIGTERM", () => {
  bot
    .stop()
    .then(() => core?.close())
    .finally(() => {
      process.stdout.write(`${JSON.stringify({ claimMs })}\n`);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
});
