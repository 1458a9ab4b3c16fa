// Child process of slack-ack.mjs: the bot alone in its own process (as in production), so the load generator's
// CPU does not count as the bot's. Prints its port on stdout; stops on SIGTERM.
import { fileURLToPath } from "node:url";

const [bundle, slackApiUrl, secret, team] = process.argv.slice(2);
const { createBot, parsePolicy, redactingLogger } = await import(
  fileURLToPath(new URL(bundle, import.meta.url))
);
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
});
// The baseline: a command that only acks, behind the same receiver and global middleware.
bot.app.command("/noop", async ({ ack }) => {
  await ack();
});
const { port } = await bot.start();
process.stdout.write(`${port}\n`);
process.once("SIGTERM", () => {
  bot
    .stop()
    .then(() => core.close())
    .finally(() => process.exit(0));
});
