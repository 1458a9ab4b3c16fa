import { loadPolicyFile } from "./authz/config-file.ts";
import { loadSlackConfig, secretsOf } from "./config.ts";
import { redactingLogger } from "./logger.ts";

// `pnpm slack-bot`. A bad setting ends start-up with one line naming it (exit 2); never a stack trace.

async function main(): Promise<void> {
  const config = loadSlackConfig(process.env);
  const policy = await loadPolicyFile(config.authzFile);
  // The store's own settings (APIKEY_HOME, APIKEY_MASTER_KEY, ANTHROPIC_BASE_URL) are read by the core's config.
  const { coreConfigFrom, openBotCore } = await import("./core-adapter.ts");
  const coreConfig = coreConfigFrom(process.env);
  const logger = redactingLogger({ secrets: [...secretsOf(config), coreConfig.masterKey ?? ""] });
  const core = await openBotCore(coreConfig);
  // Bolt loads only once the settings are known to be good: a bad one answers fast and plainly.
  const { createBot } = await import("./app.ts");
  const bot = createBot({
    config,
    policy,
    logger,
    core: core.coreFor,
    claims: core.claims,
    reminders: { core: core.system, usageSyncMinutes: config.usageSyncMinutes },
    onRefusal: async (r) => {
      await core.coreFor({ teamId: r.actor.teamId, userId: r.actor.userId }).auditRefusal({
        action: r.where,
        reason: r.reason,
      });
    },
  });
  const { port } = await bot.start();
  logger.info(bot.mode === "socket" ? "connected in Socket Mode" : `listening on port ${port} (HTTP)`);
  const stop = () => {
    bot
      .stop()
      .then(() => core.close())
      .finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  const e = err as { name?: string; code?: unknown; message?: string };
  // Our own configuration errors and the core's coded errors say what is wrong without secrets; anything else
  // (Bolt, a revoked token) keeps only its code, since its text can quote a request.
  const known = e.name === "ConfigError" || e.name === "PolicyFileError";
  const coded = e.name === "ApikeyError" && typeof e.code === "string";
  const line = known
    ? e.message
    : coded
      ? `${e.code}: ${e.message}`
      : `could not start: ${typeof e.code === "string" ? e.code : (e.name ?? "error")}`;
  process.stderr.write(`apikey slack-bot: ${line}\n`);
  process.exit(2);
});
