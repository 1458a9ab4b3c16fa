import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addKey,
  CLI_PATH,
  type CliResult,
  cliEnv,
  makeHome,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 20 item 8: a command under `apikey exec` could read the master key from /proc/$PPID/environ, apikey's own
// environment as the kernel keeps it. Once read, apikey deletes the store-unlocking variables from its environment
// and, on Linux, overwrites them in that block too (docs/guides/security.md, "Threat model").

const KEY = fakeApiKey("ENVIRON");
const PASSPHRASE = "FAKE-TEST passphrase in the environment";
const EXPORT_PASSPHRASE = "FAKE-TEST export passphrase";
let home: TestHome;

// The child reads its parent's (apikey's) environment block and its own, and prints what unlocks the store in either.
const CHILD = `
const fs = require("fs");
const parent = fs.readFileSync("/proc/" + process.ppid + "/environ", "latin1");
const names = parent.split("\\0").filter(Boolean).map((e) => e.split("=")[0]);
process.stdout.write(JSON.stringify({
  parentNames: names.filter((n) => /^apikey_(master_key|passphrase|export_passphrase)$/i.test(n)),
  parentValues: [${JSON.stringify(TEST_MASTER_KEY)}, ${JSON.stringify(PASSPHRASE)}, ${JSON.stringify(EXPORT_PASSPHRASE)}]
    .filter((v) => parent.includes(v)).length,
  parentHasPath: names.includes("PATH"),
  own: Object.keys(process.env).filter((n) => /^apikey_(master_key|passphrase|export_passphrase)$/i.test(n)),
  key: process.env.ANTHROPIC_API_KEY === ${JSON.stringify(KEY)},
}));
`;

function run(command: string, args: string[]): Promise<CliResult> {
  const env = cliEnv({
    home,
    env: { APIKEY_PASSPHRASE: PASSPHRASE, APIKEY_EXPORT_PASSPHRASE: EXPORT_PASSPHRASE },
  });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: home.homeDir, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        elapsedMs: performance.now() - started,
      }),
    );
  });
}

beforeAll(async () => {
  home = await makeHome();
  expect((await addKey("work", KEY, { home }, ["--no-validate"])).code).toBe(0);
});
afterAll(async () => {
  await home?.cleanup();
});

describe.runIf(process.platform === "linux")(
  "issue 20 item 8: exec's command cannot read the master key from apikey's environment",
  () => {
    for (const [label, command, prefix] of [
      ["through the bin (its launcher)", CLI_PATH, []],
      ["as `node apikey.cjs`", process.execPath, [CLI_PATH]],
    ] as Array<[string, string, string[]]>) {
      for (const masking of [[], ["--no-masking"]]) {
        it(`${label}${masking.length ? ", --no-masking" : ""}: /proc/$PPID/environ holds none of them`, async () => {
          const r = await run(command, [...prefix, "exec", ...masking, "--", process.execPath, "-e", CHILD]);
          expect(r.code, r.stderr).toBe(0);
          const seen = JSON.parse(r.stdout) as Record<string, unknown>;
          expect(seen).toEqual({ parentNames: [], parentValues: 0, parentHasPath: true, own: [], key: true });
        });
      }
    }
  },
);
