import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliEnv, makeHome, REPO_ROOT, runCli, type TestHome } from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 21: the README's "Building a front on the core" shows the one entry and the views with a small example app.
// This test takes that block out of the README as it stands — not a copy — type-checks it with the workspace's
// compiler settings, bundles it the way an app of one's own would be, and runs it on a store the CLI made. So the
// example cannot drift from the API: a renamed field or entry fails here.

const HEADING = "## Building a front on the core";
// Inside the repository, so @apikey/* and better-sqlite3 resolve from tests/node_modules as an app's own would.
const BUILD_DIR = join(REPO_ROOT, "tests/fronts/.build");
const source = join(BUILD_DIR, `readme-front-${process.pid}.ts`);
const bundle = join(BUILD_DIR, `readme-front-${process.pid}.mjs`);

/** The first ```ts block after the heading, and before the next heading. */
export function exampleFrom(readme: string): string {
  const start = readme.indexOf(`\n${HEADING}\n`);
  if (start < 0) throw new Error(`README has no "${HEADING}" section`);
  const section = readme.slice(start + HEADING.length + 2).split(/\n## /)[0] ?? "";
  const block = /```ts\n([\s\S]*?)\n```/.exec(section);
  if (!block?.[1]) throw new Error(`"${HEADING}" has no ts code block`);
  return `${block[1]}\n`;
}

function typeErrors(file: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(REPO_ROOT, "tests/tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (!parsed) throw new Error("tests/tsconfig.json did not parse");
  const program = ts.createProgram([file], { ...parsed.options, noEmit: true });
  // The example's own diagnostics and the program-wide ones (options, globals): checking only this file costs a
  // few seconds where checking every file the program reaches (all of core's sources) cost tens on a busy machine,
  // and an error in another file was never reported here.
  const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(file));
  return diagnostics
    .filter((d) => d.file?.fileName === file || d.file === undefined)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

function run(
  home: TestHome,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], { cwd: home.homeDir, env: cliEnv({ home }) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let home: TestHome;
const WORK = fakeApiKey("README_FRONT_WORK");
const SPARE = fakeApiKey("README_FRONT_SPARE");

beforeAll(async () => {
  mkdirSync(BUILD_DIR, { recursive: true });
  writeFileSync(source, exampleFrom(readFileSync(join(REPO_ROOT, "README.md"), "utf8")));
  await build({
    entryPoints: [source],
    outfile: bundle,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["better-sqlite3", "pg"],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: "error",
  });
  home = await makeHome();
  for (const [name, secret] of [
    ["work", WORK],
    ["spare", SPARE],
  ] as const) {
    const made = await runCli(["add", "--no-validate", name], { home, stdin: secret });
    expect(made.code, made.stderr).toBe(0);
  }
  expect((await runCli(["budget", "set", "spare", "10"], { home })).code).toBe(0);
}, 120_000);

afterAll(async () => {
  rmSync(source, { force: true });
  rmSync(bundle, { force: true });
  await home?.cleanup();
});

describe("issue 21: the README's example front", () => {
  it("is about 20 lines and uses the one entry", () => {
    const example = readFileSync(source, "utf8");
    expect(example.trimEnd().split("\n").length).toBeLessThanOrEqual(25);
    expect(example).toContain('from "@apikey/storage/from-env"');
    // Only public entries: the guard on imports (public-imports.test.ts) holds the fronts to the same.
    expect([...example.matchAll(/from "([^"]+)"/g)].map((m) => m[1])).toEqual([
      "@apikey/core",
      "@apikey/storage/from-env",
    ]);
  });

  it("type-checks with the workspace's compiler settings", () => {
    expect(typeErrors(source)).toEqual([]);
  }, 120_000);

  it("lists the keys with core's views, switches the active key (audited) and sums 7 days", async () => {
    const listed = await run(home, []);
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines).toContainEqual(expect.stringMatching(/^\* work +sk-ant-api03-\S+ +$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}spare +sk-ant-api03-\S+ budget ok$/));
    expect(lines[2]).toBe("last 7 days: 0 requests, $0.00");
    // Masked only: the secrets never reach the output.
    expect(listed.stdout).not.toContain(WORK.slice(14, 60));
    expect(listed.stdout).not.toContain(SPARE.slice(14, 60));

    const switched = await run(home, ["spare"]);
    expect(switched.code, switched.stderr).toBe(0);
    expect(switched.stdout).toMatch(/^\* spare /m);
    const listedByCli = JSON.parse((await runCli(["list", "--json"], { home })).stdout) as Array<{
      name: string;
      active: boolean;
    }>;
    expect(listedByCli.filter((k) => k.active).map((k) => k.name)).toEqual(["spare"]);
    const audit = await runCli(["audit", "--json"], { home });
    const rows = JSON.parse(audit.stdout) as Array<{ action: string; actor: string; front?: string }>;
    expect(rows.some((r) => r.actor === "script:tester" && /use|switch/.test(r.action))).toBe(true);
  });

  it("says what went wrong with core's stable error code, and exits 1", async () => {
    const missing = await run(home, ["no-such-key"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^E_[A-Z_]+: .*no-such-key/);
    expect(missing.stdout).toBe("");
  });
});
