import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addKey, CLI_PATH, makeHome, runCli, type TestHome } from "../fixtures/cli.ts";
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

  it("issue 25: the built program and the chunks it imports statically are under 340 kB (914 kB, then 483 kB before)", () => {
    const dist = dirname(CLI_PATH);
    const seen = new Set<string>();
    const queue = ["program.mjs"];
    let bytes = 0;
    while (queue.length > 0) {
      const file = queue.shift() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(join(dist, file), "utf8");
      bytes += Buffer.byteLength(text);
      // Static imports only (`import … from "./x"`, `import "./x"`, `export … from "./x"`); `import("./x")` loads
      // when called.
      for (const m of text.matchAll(/^(?:import|export)\b[^;]*?(?:\bfrom\s*|^import\s*)"(\.\/[^"]+)"/gm)) {
        queue.push(join(dirname(file), m[1] as string));
      }
    }
    expect(seen.size).toBeGreaterThan(1);
    expect(bytes).toBeLessThan(340 * 1024);
  });
});

// What a run really loads: a loader hook (node:module's register) notes every ES module the CLI imports, and each
// loaded file of the build is read for the sources esbuild marks in it (`// src/commands/keys.ts`).
const LOAD_HOOKS = `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  if (process.env.APIKEY_TEST_LOADED) appendFileSync(process.env.APIKEY_TEST_LOADED, url + "\\n");
  return next(url, context);
}`;
const REGISTER = `import { register } from "node:module"; register(${JSON.stringify(
  `data:text/javascript,${encodeURIComponent(LOAD_HOOKS)}`,
)});`;

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
    const r = await runCli(args, {
      home,
      env: {
        NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(REGISTER)}`,
        APIKEY_TEST_LOADED: log,
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const dist = dirname(CLI_PATH);
    const urls = readFileSync(log, "utf8")
      .split("\n")
      .filter((u) => u.startsWith("file:"));
    const sources = new Set<string>();
    for (const url of urls) {
      const file = decodeURIComponent(new URL(url).pathname);
      if (!file.startsWith(dist)) continue;
      for (const m of readFileSync(file, "utf8").matchAll(/^\/\/ (\S+\.(?:ts|js|mjs|cjs|json))$/gm)) {
        sources.add((m[1] as string).replace(/^(\.\.\/)+/, ""));
      }
    }
    return [...sources];
  }

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
