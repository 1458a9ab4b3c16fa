import { loadPolicyFile } from "./authz/config-file.ts";
import { loadSlackConfig, secretsOf } from "./config.ts";
import { redactingLogger } from "./logger.ts";

// `pnpm slack-bot`. A bad setting ends start-up with one line naming it (exit 2); never a stack trace.

async function main(): Promise<void> {
  const config = loadSlackConfig(process.env);
  const policy = await loadPolicyFile(config.authzFile);
  const logger = redactingLogger({ secrets: secretsOf(config) });
  // Bolt loads only once the settings are known to be good: a bad one answers fast and plainly.
  const { createBot } = await import("./app.ts");
  const bot = createBot({ config, policy, logger });
  const { port } = await bot.start();
  logger.info(bot.mode === "socket" ? "connected in Socket Mode" : `listening on port ${port} (HTTP)`);
  const stop = () => {
    bot.stop().finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  const e = err as { name?: string; code?: unknown; message?: string };
  const known = e.name === "ConfigError" || e.name === "PolicyFileError";
  // Start-up errors from Bolt or Slack (a revoked token) keep only their code: their text can quote a request.
  const line = known
    ? e.message
    : `could not start: ${typeof e.code === "string" ? e.code : (e.name ?? "error")}`;
  process.stderr.write(`apikey slack-bot: ${line}\n`);
  process.exit(2);
});
