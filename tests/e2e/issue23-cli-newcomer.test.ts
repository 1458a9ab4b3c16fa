import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../packages/core/src/errors.ts";
import { jsonOut, makeHome, type RunOptions, runCli, type TestHome } from "../fixtures/cli.ts";

// Issue 23: a newcomer's first hour with the CLI. One describe per item of the issue this file covers.

let home: TestHome;
let opts: RunOptions;

beforeAll(async () => {
  home = await makeHome();
  opts = { home };
});
afterAll(async () => {
  await home?.cleanup();
});

/** The groups: commands that only hold subcommands. */
const GROUPS = [
  [],
  ["profile"],
  ["budget"],
  ["slot"],
  ["store"],
  ["oauth"],
  ["oauth", "provider"],
  ["proxy", "token"],
];

describe("issue 23 item 4: `apikey proxy token` alone shows help, as `profile` and `budget` do", () => {
  it("creates no token, prints the group's help on stdout and exits 0, in both forms", async () => {
    for (const args of [
      ["proxy", "token"],
      ["--json", "proxy", "token"],
      ["--profile", "default", "proxy", "token"],
    ]) {
      const r = await runCli(args, opts);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout).toContain("Usage: apikey proxy token");
      expect(r.stdout).toContain("create [options] <name>");
      expect(r.stdout).not.toMatch(/apk-gw-/);
    }
    const listed = jsonOut<unknown[]>(await runCli(["--json", "proxy", "token", "list"], opts));
    expect(listed).toEqual([]);
  });

  it("a word that is no subcommand is still an unknown command (exit 2), with a suggestion", async () => {
    const r = await runCli(["proxy", "token", "creat", "x"], opts);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'creat'/);
    expect(r.stderr).toMatch(/Did you mean create\?/);
  });
});

describe("issue 23 item 7: help", () => {
  it("every group given alone (bare `apikey` too) prints its help on stdout and exits 0, as gh does", async () => {
    for (const group of GROUPS) {
      const r = await runCli(group, opts);
      expect(r.code, group.join(" ") || "(bare)").toBe(0);
      expect(r.stdout).toContain(`Usage: ${["apikey", ...group].join(" ")}`);
      expect(r.stderr).toBe("");
    }
  });

  it("each command's --help ends with examples and lists the global flags", async () => {
    for (const args of [
      ["add"],
      ["exec"],
      ["profile", "create"],
      ["proxy", "token", "create"],
      ["completion"],
    ]) {
      const r = await runCli([...args, "--help"], opts);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Global Options:[\s\S]*--profile <profile>[\s\S]*--json/);
      expect(r.stdout).toMatch(new RegExp(`Examples:\\n[\\s\\S]*apikey[^\\n]* ${args.at(-1)}`));
    }
  });

  it("`completion --help` explains how to install the script instead of pointing at the README", async () => {
    const r = await runCli(["completion", "--help"], opts);
    expect(r.stdout).not.toMatch(/README/);
    expect(r.stdout).toMatch(/completions\/apikey/);
    expect(r.stdout).toMatch(/source <\(apikey completion bash\)/);
  });

  it("a missing argument points at that command's help, not apikey's", async () => {
    for (const [args, help] of [
      [["add"], "apikey add --help"],
      [["budget", "set", "work"], "apikey budget set --help"],
      [["proxy", "token", "revoke"], "apikey proxy token revoke --help"],
      [["--profile", "x", "use"], "apikey use --help"],
    ] as const) {
      const r = await runCli([...args], opts);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`(run \`${help}\` for usage)`);
    }
  });

  it("help topics: environment (from the config module), exit-codes (every error code), references", async () => {
    const env = await runCli(["help", "environment"], opts);
    expect(env.code).toBe(0);
    for (const name of [
      "APIKEY_HOME",
      "APIKEY_MASTER_KEY",
      "APIKEY_PASSPHRASE",
      "ANTHROPIC_BASE_URL",
      "APIKEY_DATABASE_URL",
    ])
      expect(env.stdout).toContain(name);
    const codes = await runCli(["help", "exit-codes"], opts);
    expect(codes.code).toBe(0);
    for (const code of Object.values(ERROR_CODES)) expect(codes.stdout).toContain(code);
    expect(codes.stdout).toMatch(/127/);
    const refs = await runCli(["help", "references"], opts);
    expect(refs.stdout).toContain("apikey://PROFILE/NAME");
    // `help COMMAND` still works, and an unknown topic is a usage error naming the topics.
    expect((await runCli(["help", "add"], opts)).stdout).toContain("Usage: apikey add");
    expect((await runCli(["help", "proxy", "token", "create"], opts)).stdout).toContain(
      "Usage: apikey proxy token create",
    );
    const unknown = await runCli(["help", "nonsense"], opts);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/environment.*exit-codes.*references/);
  });
});
