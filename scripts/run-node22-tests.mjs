// Runs the node:sqlite tests under Node 22 (node:sqlite needs >= 22.5; the workspace runs on Node 20): the Store
// contract's node:sqlite pass and the Raycast extension (vitest.node22.config.ts).
// Uses the current node when it is already 22+, else `npx -y node@22` from the npm registry.
// Extra arguments are passed to `vitest run`.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vitest = join(
  dirname(createRequire(join(root, "package.json")).resolve("vitest/package.json")),
  "vitest.mjs",
);
const config = join(root, "vitest.node22.config.ts");
const args = [vitest, "run", "--config", config, ...process.argv.slice(2)];

const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
const current = major > 22 || (major === 22 && minor >= 5);
const [command, commandArgs] = current
  ? [process.execPath, args]
  : [process.platform === "win32" ? "npx.cmd" : "npx", ["-y", "node@22", ...args]];

const env = {
  ...process.env,
  // node:sqlite prints an ExperimentalWarning in every process; it says nothing about the tests.
  NODE_NO_WARNINGS: "1",
  // Tests that spawn the built CLI (apps/raycast) run it on this Node, for which better-sqlite3 was built.
  APIKEY_CLI_NODE: process.env.APIKEY_CLI_NODE || process.execPath,
};
// npx is a .cmd on Windows, which spawnSync only runs through a shell.
const result = spawnSync(command, commandArgs, {
  cwd: root,
  stdio: "inherit",
  env,
  shell: process.platform === "win32",
});
if (result.error) {
  console.error(`Could not run Node 22: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
