import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addKey, CLI_PATH, cliEnv, makeHome, runCli, type TestHome } from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { loadedAtStart } from "../fixtures/structure/import-graph.ts";
import { ROOT, readWorkspace } from "../fixtures/structure/workspace-sources.ts";

// Issue 25, target 1: every read command (list, status, show, usage, profile list, proxy token list, audit, slot
// list) starts near a bare `node -e 0`. Module loading is the cost (DESIGN.md, "Performance notes"): the program
// loads, before it parses the command line, only what every command needs — commander, the commands' definitions,
// core's small modules. What only some commands use loads when they run: the store's driver (Drizzle, pg), the
// Anthropic SDK, the HTTP client, the OAuth library, zod (bundles, usage reports, the Admin API's answers) and the
// gateway's server. A command's own file (its definition and action) loads only when that command runs
// (apps/cli/src/command-groups.ts). tests/bench/cli-start.mjs measures the time; this test keeps the cause from
// coming back.

const LOADED_WHEN_USED = ["zod", "oauth4webapi", "@anthropic-ai/sdk", "undici", "pg", "drizzle-orm"];

describe("issue 25: the program loads at start only what every command needs", () => {
  it("issue 25: program.ts's static imports reach no schema library, SDK, HTTP client, OAuth library or driver", () => {
    const { packages } = loadedAtStart(readWorkspace(), join(ROOT, "apps/cli/src/program.ts"));
    expect(packages.filter((p) => LOADED_WHEN_USED.some((l) => p === l || p.startsWith(`${l}/`)))).toEqual(
      [],
    );
  });

  it("issue 25: program.ts's static imports reach no command file (each loads when its command runs)", () => {
    const { files } = loadedAtStart(readWorkspace(), join(ROOT, "apps/cli/src/program.ts"));
    expect(files.filter((f) => f.startsWith("apps/cli/src/commands/"))).toEqual([]);
  });

  it("issue 25: every bundle of the build runs with the code cache made for it", async () => {
    // In a fresh Node, as the entry runs them (an isolate that compiled a source once answers from its own memory).
    const dist = dirname(CLI_PATH);
    const bundles = [
      "hot.cjs",
      "program.cjs",
      ...readdirSync(join(dist, "lib"))
        .filter((f) => f.endsWith(".cjs"))
        .map((f) => `lib/${f}`),
    ];
    expect(bundles).toContain("lib/anthropic-sdk.cjs");
    const loader = await bundledLoader();
    const code = `const l=require(${JSON.stringify(loader)});const used={};
for (const b of ${JSON.stringify(bundles)}) { const f=require("node:path").join(${JSON.stringify(dist)}, b); l.loadCachedScript(f); used[b]=l.usedCodeCache(f); }
process.stdout.write(JSON.stringify(used));`;
    const r = spawnSync(process.execPath, ["-e", code], {
      encoding: "utf8",
      env: { PATH: process.env.PATH },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(Object.fromEntries(bundles.map((b) => [b, true])));
  });

  it("issue 25: a stack trace from the program names the bundle by its place in the package, not the build's folder", async () => {
    // V8 keeps the script name a cache was made under, for every run that uses the cache: the build's staging folder
    // (or any folder of the machine that built it) would reach every installed copy.
    const dist = dirname(CLI_PATH);
    const program = join(dist, "program.cjs");
    const loader = await bundledLoader();
    const code = `const l=require(${JSON.stringify(loader)});const p=l.loadCachedScript(${JSON.stringify(program)});
p.run(5).then(()=>process.exit(3),(e)=>{process.stdout.write(JSON.stringify({used:l.usedCodeCache(${JSON.stringify(program)}),stack:e.stack}))});`;
    const r = spawnSync(process.execPath, ["-e", code], {
      encoding: "utf8",
      env: { PATH: process.env.PATH },
    });
    expect(r.status, r.stderr).toBe(0);
    const { used, stack } = JSON.parse(r.stdout) as { used: boolean; stack: string };
    expect(used).toBe(true);
    expect(stack).toMatch(/\(apikey\/dist\/program\.cjs:\d+:\d+\)/);
    expect(stack).not.toContain(ROOT);
    expect(stack).not.toMatch(/dist\.\d+\.tmp/);
  });
});

// What a run really loads: the program bundle initialises each module of a command's when first imported, through
// esbuild's lazy-module helper (`__esm({"src/commands/keys.ts"() {…}})`). A copy of the bundle, run from a file of
// the test's own with the build's folder as its own, notes the name of every module it initialises.
const TRACE = `function __esmTraced(o){const name=Object.keys(o)[0];const init=__esm(o);return function(){
require("node:fs").appendFileSync(process.env.APIKEY_TEST_LOADED,name+"\\n");return init.apply(this,arguments)}}`;

function tracingRunner(dir: string): string {
  const dist = dirname(CLI_PATH);
  const program = join(dist, "program.cjs");
  const source = readFileSync(program, "latin1");
  // The bundle is one function expression (build.mjs writes it inside CommonJS's wrapper): the tracer goes inside it.
  const head = "(function (exports, require, module, __filename, __dirname) { ";
  expect(source.startsWith(head)).toBe(true);
  const traced = `${head}${TRACE}\n${source.slice(head.length).replaceAll("__esm({", "__esmTraced({")}`;
  expect(traced).toContain("__esmTraced({");
  const copy = join(dir, "program-traced.cjs");
  writeFileSync(copy, traced);
  const runner = join(dir, "run-traced.cjs");
  writeFileSync(
    runner,
    `const { Script } = require("node:vm"); const { createRequire } = require("node:module");
const text = require("node:fs").readFileSync(${JSON.stringify(copy)}, "latin1");
const fn = new Script(text, { filename: ${JSON.stringify(program)} }).runInThisContext();
const m = { exports: {} };
fn.call(m.exports, m.exports, createRequire(${JSON.stringify(program)}), m, ${JSON.stringify(program)}, ${JSON.stringify(dist)});
m.exports.run(process.argv.slice(2));`,
  );
  return runner;
}

const loaderDirs: string[] = [];
afterAll(() => {
  for (const dir of loaderDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** cached-script.ts as the entry bundles it, for a child Node to require (its folder goes after the file). */
async function bundledLoader(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "apikey-loader-"));
  loaderDirs.push(dir);
  const out = await build({
    entryPoints: [join(ROOT, "apps/cli/src/launch/cached-script.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    write: false,
    logLevel: "warning",
  });
  const file = join(dir, "loader.cjs");
  writeFileSync(file, out.outputFiles[0]?.text ?? "");
  return file;
}

const READS: string[][] = [
  ["list"],
  ["status"],
  ["show", "one"],
  ["usage"],
  ["profile", "list"],
  ["proxy", "token", "list"],
  ["audit"],
  ["slot", "list"],
];

describe("issue 25: a read command loads its own command file, and no schema library or other command", () => {
  let home: TestHome;
  beforeAll(async () => {
    home = await makeHome();
    expect((await addKey("one", fakeApiKey("READ_START"), { home }, ["--no-validate"])).code).toBe(0);
  });
  afterAll(() => home.cleanup());

  async function sourcesLoadedBy(args: string[]): Promise<string[]> {
    const log = join(home.root, `loaded-${args.join("-")}.txt`);
    writeFileSync(log, "");
    const r = spawnSync(process.execPath, [tracingRunner(home.root), ...args], {
      cwd: home.homeDir,
      env: { ...cliEnv({ home }), APIKEY_TEST_LOADED: log },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    const names = readFileSync(log, "utf8").split("\n").filter(Boolean);
    return [...new Set(names.map((n) => n.replace(/^(\.\.\/)+/, "")))];
  }

  it("issue 25: no read loads node:crypto; `current`, which decrypts, does (the probe sees it)", async () => {
    // The built CLI as a person runs it, with a preload that notes, as the process exits, whether Node loaded
    // node:crypto: the program's code reaches it only through a stand-in that loads it on first use
    // (launch/lazy-builtins.ts), and the loader checks its cache without hashing (launch/cached-script.ts).
    const probe = join(home.root, "crypto-probe.cjs");
    writeFileSync(
      probe,
      `process.on("exit", () => require("node:fs").writeFileSync(process.env.APIKEY_TEST_PROBE, String(process.moduleLoadList.includes("NativeModule crypto"))));`,
    );
    const loadedCrypto = async (args: string[]) => {
      const out = join(home.root, `crypto-${args.join("-")}.txt`);
      const r = await runCli(args, {
        home,
        env: { NODE_OPTIONS: `--require ${probe}`, APIKEY_TEST_PROBE: out },
      });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return readFileSync(out, "utf8");
    };
    for (const args of READS) expect(await loadedCrypto(args), args.join(" ")).toBe("false");
    expect(await loadedCrypto(["current"])).toBe("true");
  });

  it("issue 25: no read unwraps the data key (each answers with a wrong master key)", async () => {
    const wrong = Buffer.alloc(32, 0x3c).toString("base64");
    for (const args of READS) {
      const r = await runCli(args, { home, env: { APIKEY_MASTER_KEY: wrong } });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
  });

  it.each(READS.map((args) => [args.join(" "), args] as const))(
    "issue 25: `%s` loads no other command's file, no zod, no gateway",
    async (_command, args) => {
      const sources = await sourcesLoadedBy(args);
      const commands = sources.filter((s) => s.startsWith("src/commands/"));
      // The hook saw the program: its own command file is there.
      expect(commands.length).toBeGreaterThan(0);
      const own = {
        list: "keys",
        show: "keys",
        status: "status",
        audit: "status",
        usage: "usage",
        profile: "profiles",
        proxy: "proxy",
        slot: "slots",
      }[args[0] as string];
      expect(commands).toContain(`src/commands/${own}.ts`);
      const others = [
        "keys",
        "run",
        "inject",
        "scan",
        "profiles",
        "status",
        "rotate",
        "transfer",
        "oauth",
        "usage",
        "proxy",
        "slots",
        "store",
        "completion",
      ].filter((c) => c !== own);
      expect(commands.filter((c) => others.some((o) => c === `src/commands/${o}.ts`))).toEqual([]);
      expect(sources.filter((s) => /node_modules\/\.pnpm\/zod@/.test(s))).toEqual([]);
      if (own !== "proxy") expect(sources.filter((s) => s.startsWith("packages/gateway/"))).toEqual([]);
      // Usage journals: with none to fold, a read lists their directory and loads nothing of the fold (the
      // gateway's commands load it with the gateway).
      if (own !== "proxy")
        expect(sources.filter((s) => /usage\/journal\/(?!names|settle)/.test(s))).toEqual([]);
    },
  );
});
