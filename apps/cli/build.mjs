// Bundles the CLI into dist/ so `apikey current` loads one small chunk instead of hundreds of modules.
// Native addons stay external and resolve from this package's node_modules.
import { chmod, rm } from "node:fs/promises";
import { build } from "esbuild";

await rm(new URL("./dist", import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { apikey: "src/main.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["better-sqlite3", "@napi-rs/keyring"],
  // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __apikeyCreateRequire } from 'node:module';\nconst require = __apikeyCreateRequire(import.meta.url);",
  },
  chunkNames: "chunks/[name]-[hash]",
  legalComments: "none",
  logLevel: "warning",
});
await chmod(new URL("./dist/apikey.mjs", import.meta.url), 0o755);
