// Bundles the bot for Node 20, which cannot run TypeScript itself: dist/slack-bot.mjs (the `pnpm slack-bot`
// entry), dist/demo.mjs (`pnpm slack-bot:demo`, which carries the Slack stand-in from tests/fixtures) and
// dist/bot.mjs (createBot and friends, for the benchmark). The workspace packages (TypeScript sources) are bundled
// in; Bolt and the native SQLite addon stay external and resolve from this package's node_modules.
import { rm } from "node:fs/promises";
import { build } from "esbuild";

await rm(new URL("./dist/", import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { "slack-bot": "src/main.ts", bot: "src/index.ts", demo: "src/demo.ts" },
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  outExtension: { ".js": ".mjs" },
  // ws's optional native helpers are absent on purpose; ws falls back to JavaScript.
  external: [
    "@slack/bolt",
    "better-sqlite3",
    "@napi-rs/keyring",
    "yaml",
    "zod",
    "bufferutil",
    "utf-8-validate",
  ],
  legalComments: "none",
  logLevel: "warning",
  banner: {
    js: "import { createRequire as __apikeyCreateRequire } from 'node:module';\nconst require = __apikeyCreateRequire(import.meta.url);",
  },
});
