// `pnpm test` after the build: the main Vitest run and the Node 22 pass (scripts/run-node22-tests.mjs) at the same
// time. Most of the Node 22 pass is one test waiting on `npm ci` (the Raycast Store's install of the extension's folder
// alone), and the main run leaves part of the machine idle while its tests wait on the processes they start: run one
// after the other, the pass added its whole length to every `pnpm test`. The main run's output streams as it comes; the
// Node 22 pass's is held and printed whole after it, so the two reporters never interleave.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

// The test processes allocate glibc's large blocks in transparent huge pages (tests/fixtures/cli.ts,
// TEST_ALLOCATION: the same setting, for the CLI processes the tests start): core's tests derive keys at scrypt's
// real cost, 128 MiB each, and on a virtual machine each new 4 KiB page costs ~17 µs. Nothing a test checks changes.
const HUGE_PAGES = "glibc.malloc.hugetlb=1";
const tunables = process.env.GLIBC_TUNABLES;
const testEnv = {
  ...process.env,
  GLIBC_TUNABLES: tunables?.includes("glibc.malloc.hugetlb")
    ? tunables
    : [tunables, HUGE_PAGES].filter(Boolean).join(":"),
};

function run(args, { hold }) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ["ignore", hold ? "pipe" : "inherit", hold ? "pipe" : "inherit"],
    // The held pass's reporter writes as for a terminal when this one is: colours stay, no live progress lines
    // (Vitest draws those only on a TTY, and a pipe is none).
    env: hold && process.stdout.isTTY ? { ...testEnv, FORCE_COLOR: "1" } : testEnv,
  });
  const held = [];
  if (hold) {
    child.stdout.on("data", (chunk) => held.push(chunk));
    child.stderr.on("data", (chunk) => held.push(chunk));
  }
  return new Promise((resolve) => {
    child.on("error", (err) => {
      held.push(Buffer.from(`could not start ${args.join(" ")}: ${err.message}\n`));
      resolve({ code: 1, held });
    });
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), held }));
  });
}

const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
const [main, node22] = await Promise.all([
  run([vitest, "run"], { hold: false }),
  run([join(root, "scripts", "run-node22-tests.mjs")], { hold: true }),
]);
process.stdout.write("\n── Node 22 pass (node:sqlite, the Raycast extension, every front on one store) ──\n");
for (const chunk of node22.held) process.stdout.write(chunk);
if (main.code !== 0) console.error(`\nThe main test run failed (exit ${main.code}).`);
if (node22.code !== 0) console.error(`\nThe Node 22 pass failed (exit ${node22.code}).`);
process.exit(main.code !== 0 ? main.code : node22.code);
