// Writes docs/reference/cli.md from the program's own definitions (`pnpm docs:reference`). The renderer is
// TypeScript over the workspace's sources, so it is bundled with esbuild (as the CLI itself is) and run once.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const cli = fileURLToPath(new URL("..", import.meta.url));
const root = fileURLToPath(new URL("../../../", import.meta.url));
const target = join(root, "docs/reference/cli.md");
// Inside the package, so the native externals resolve from its node_modules.
await mkdir(join(cli, "node_modules/.cache"), { recursive: true });
const dir = await mkdtemp(join(cli, "node_modules/.cache/reference-"));
try {
  const outfile = join(dir, "reference.mjs");
  await build({
    entryPoints: [join(cli, "src/docs/reference.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    external: ["better-sqlite3", "@napi-rs/keyring"],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  const { renderReference } = await import(pathToFileURL(outfile).href);
  await writeFile(target, await renderReference(root));
  console.log(`wrote ${target}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
