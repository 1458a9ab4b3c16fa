import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { node22Binary } from "../../scripts/node22-binary.mjs";
import {
  addKey,
  CLI_PATH,
  type CliResult,
  cliEnv,
  makeHome,
  REPO_ROOT,
  type TestHome,
} from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 20 item 1: Node reads some of its own options from a script's arguments (`--env-file`, and on Node 22
// `--experimental-config-file` even after `--`), applying the file's NODE_OPTIONS to apikey's own process while it
// holds the master key. The hostile files here load evil.cjs, which leaves a marker only when it runs where
// APIKEY_MASTER_KEY is (apikey's process; exec's children never get it). No marker may appear, through the
// installed-style bin (the file's own #! line, directly and through a symlink), through `pnpm apikey`, on Node 20
// and on Node 22.

const KEY = fakeApiKey("LAUNCHER");
let home: TestHome;
let marker: string;
let binDir: string;

const NODE22 = node22Binary();
if (NODE22 === null)
  console.log("issue 20 item 1: no Node 22 found (set APIKEY_NODE22): its runs are left out");
const NODES: Array<[string, string]> = [
  [`node ${process.versions.node}`, process.execPath],
  ...(NODE22 ? ([["node 22", NODE22]] as Array<[string, string]>) : []),
];

function run(command: string, args: string[], node: string, cwd: string): Promise<CliResult> {
  const env = cliEnv({ home });
  // The launcher runs `node` from PATH, as `#!/usr/bin/env node` did.
  env.PATH = `${dirname(node)}:${env.PATH}`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        elapsedMs: performance.now() - started,
      });
    });
  });
}

beforeAll(async () => {
  home = await makeHome();
  expect((await addKey("work", KEY, { home }, ["--no-validate"])).code).toBe(0);
  marker = join(home.root, "evil-ran");
  const evil = join(home.root, "evil.cjs");
  writeFileSync(
    evil,
    `if (process.env.APIKEY_MASTER_KEY) require("fs").appendFileSync(${JSON.stringify(marker)}, process.argv.join(" ") + "\\n");\n`,
  );
  // The hostile .env (also planted under Node's default name) and Node 22's config files.
  const dotenv = `NODE_OPTIONS=--require ${evil}\nAPIKEY_HOME=${join(home.root, "elsewhere")}\n`;
  writeFileSync(join(home.homeDir, "hostile.env"), dotenv);
  writeFileSync(join(home.homeDir, ".env"), dotenv);
  const config = JSON.stringify({ nodeOptions: { require: evil } });
  writeFileSync(join(home.homeDir, "hostile.json"), config);
  writeFileSync(join(home.homeDir, "node.config.json"), config);
  // An installed bin: a symlink to the entry in a bin directory, as `npm install -g` makes.
  binDir = join(home.root, "bin");
  mkdirSync(binDir);
  symlinkSync(CLI_PATH, join(binDir, "apikey"));
}, 240_000);
afterAll(async () => {
  await home?.cleanup();
});

const envFile = (dir: string) => join(dir, "hostile.env");
const cfgFile = (dir: string) => join(dir, "hostile.json");

/** Every argument list a person might type that names a file Node would read itself. */
function spellings(dir: string): string[][] {
  const env = envFile(dir);
  const cfg = cfgFile(dir);
  return [
    ["exec", "--env-file", env, "--", "true"],
    ["exec", `--env-file=${env}`, "--", "true"],
    ["--env-file", env, "current"],
    ["exec", "--env-file-if-exists", env, "--", "true"],
    [`--env-file-if-exists=${env}`, "list"],
    ["exec", "true", "--env-file", env],
    ["exec", "--", "true", "--env-file", env],
    ["current", "--experimental-config-file", cfg],
    ["exec", "--", "true", `--experimental-config-file=${cfg}`],
    ["exec", "--", process.execPath, "--experimental-config-file", cfg, "-e", "0"],
    ["exec", "--", "true", "--experimental-default-config-file"],
    ["list", "--experimental-default-config-filex"],
  ];
}

/** No marker line (one per process evil.cjs ran in, with its argv) from a process `keep` selects. */
function expectNoEvil(label: string, keep: (argv: string) => boolean = () => true): void {
  const ran = existsSync(marker) ? readFileSync(marker, "utf8").split("\n").filter(Boolean) : [];
  rmSync(marker, { force: true });
  expect(ran.filter(keep), `${label}: a file named on the command line ran code inside apikey`).toEqual([]);
}

describe("issue 20 item 1: no argument makes Node itself read a file into apikey's process", () => {
  for (const [nodeName, node] of NODES) {
    it(`the installed bin (its #! line, directly and through a symlink), ${nodeName}`, async () => {
      for (const bin of [CLI_PATH, join(binDir, "apikey")]) {
        for (const args of spellings(home.homeDir)) {
          const r = await run(bin, args, node, home.homeDir);
          expectNoEvil(`${nodeName} ${bin} ${args.join(" ")}`);
          // apikey's own options that Node reads are refused by name, with the flag apikey has instead.
          const dashDash = args.indexOf("--");
          const own = dashDash === -1 ? args : args.slice(0, dashDash);
          if (own.some((a) => a.startsWith("--env-file") || a.startsWith("--experimental-"))) {
            expect(r.code, r.stderr).toBe(2);
            expect(r.stderr).toMatch(/apikey has no option --(env-file|experimental)/);
          }
          if (own.some((a) => a.startsWith("--env-file"))) expect(r.stderr).toContain("--dotenv");
        }
      }
    }, 120_000);

    it(`\`pnpm apikey\`, ${nodeName}`, async () => {
      const some = spellings(home.homeDir).filter((_, i) => i % 3 === 0 || i === 9);
      for (const args of some) {
        await run("pnpm", ["--silent", "apikey", ...args], node, REPO_ROOT);
        // pnpm is itself a Node program: Node reads these arguments in pnpm's own process, before pnpm starts
        // the script (docs/guides/everyday.md, "Why --dotenv"); the check here is that apikey's process never runs the file's code.
        expectNoEvil(`${nodeName} pnpm apikey ${args.join(" ")}`, (argv) => argv.includes("apikey.cjs"));
      }
    }, 120_000);
  }

  it("a .env given with --dotenv reaches only the child: apikey's own process is unchanged", async () => {
    // Through plain `node apikey.cjs` too: apikey parses the file itself, after start-up.
    for (const launch of [
      (a: string[]) => run(process.execPath, [CLI_PATH, ...a], process.execPath, home.homeDir),
      (a: string[]) => run(CLI_PATH, a, process.execPath, home.homeDir),
    ]) {
      const r = await launch([
        "exec",
        "--dotenv",
        envFile(home.homeDir),
        "--",
        process.execPath,
        "-e",
        "process.stdout.write(process.env.NODE_OPTIONS + '|' + process.env.APIKEY_HOME)",
      ]);
      expect(r.code, r.stderr).toBe(0);
      // The child got the file's NODE_OPTIONS; for APIKEY_HOME, which apikey's environment has, that wins.
      expect(r.stdout).toBe(`--require ${join(home.root, "evil.cjs")}|${home.dataDir}`);
      expectNoEvil("--dotenv");
      // apikey itself still used its own store (a changed APIKEY_HOME would have found no key).
      expect(existsSync(join(home.root, "elsewhere"))).toBe(false);
    }
  }, 60_000);

  it("run as `node apikey.cjs …` (no launcher), an argument Node may have read stops apikey before it unlocks anything", async () => {
    for (const args of [
      ["exec", "--", "true", "--experimental-config-file", "/nonexistent.json"],
      ["--env-file-if-exists=/nonexistent.env", "current"],
    ]) {
      const r = await run(process.execPath, [CLI_PATH, ...args], process.execPath, home.homeDir);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain("Node itself reads an argument named");
      expect(r.stdout).toBe("");
    }
  });

  it("the launcher passes every argument through unchanged (spaces, quotes, empty, a leading +, newlines)", async () => {
    const odd = ["a b", "", "+x", "'\"$HOME`", "x\ny", "--"];
    const script = "process.stdout.write(JSON.stringify(process.argv.slice(1)))";
    const r = await run(
      CLI_PATH,
      ["exec", "--no-masking", "--", process.execPath, "-e", script, ...odd],
      process.execPath,
      home.homeDir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(odd);
  });
});
