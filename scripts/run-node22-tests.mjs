// Runs the node:sqlite tests under Node 22 (node:sqlite needs >= 22.5; the workspace runs on Node 20): the Store
// contract's node:sqlite pass and the Raycast extension (vitest.node22.config.ts).
// Uses the current node when it is already 22+, else `npx -y node@22` from the npm registry (node22-binary.mjs).
// Extra arguments are passed to `vitest run`.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { node22Binary } from "./node22-binary.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vitest = join(
  dirname(createRequire(join(root, "package.json")).resolve("vitest/package.json")),
  "vitest.mjs",
);
const config = join(root, "vitest.node22.config.ts");
const args = [vitest, "run", "--config", config, ...process.argv.slice(2)];

// The binary itself, found once and remembered (node22-binary.mjs): `npx -y node@22` asks the registry every time.
const node22 = node22Binary();
if (node22 === null) {
  console.error("Could not run Node 22: set APIKEY_NODE22, or let npx fetch node@22 from the npm registry.");
  process.exit(1);
}

const env = {
  ...process.env,
  // As under `npx node@22`: a child started as plain `node` is Node 22 too.
  PATH: `${dirname(node22)}${delimiter}${process.env.PATH ?? ""}`,
  // node:sqlite prints an ExperimentalWarning in every process; it says nothing about the tests.
  NODE_NO_WARNINGS: "1",
  // Tests that spawn the built CLI (apps/raycast) run it on this Node, for which better-sqlite3 was built.
  APIKEY_CLI_NODE: process.env.APIKEY_CLI_NODE || process.execPath,
};
const result = spawnSync(node22, args, {
  cwd: root,
  stdio: "inherit",
  env,
});
if (result.error) {
  console.error(`Could not run Node 22: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
