// What other code (the benchmark, the demo, a team server embedding the bot) builds a bot from.
export { type Bot, type BotOptions, createBot } from "./app.ts";
export { loadPolicyFile, type Policy, parsePolicy } from "./authz/config-file.ts";
export { loadSlackConfig, type SlackConfig } from "./config.ts";
export { coreConfigFrom, openBotCore } from "./core-adapter.ts";
export { redactingLogger } from "./logger.ts";
export { type ClaimOnce, memoryClaims } from "./replay.ts";
