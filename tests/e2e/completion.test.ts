import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addKey,
  CLI_PATH,
  cliEnv,
  makeHome,
  type RunOptions,
  runCli,
  type TestHome,
} from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { spawnCommandInPty } from "../fixtures/pty.ts";

// `apikey completion bash|zsh|fish` scripts, driven in the real shells: commands and options from the program's
// definition, key/profile/provider names from the store without unlocking it, and no store created by completing.

let home: TestHome;
let opts: RunOptions;
/** A directory with `apikey` in it, put first on the shells' PATH. */
let bin: string;

beforeEach(async () => {
  home = await makeHome();
  opts = { home };
  bin = join(home.root, "bin");
  mkdirSync(bin);
  symlinkSync(CLI_PATH, join(bin, "apikey"));
});
afterEach(() => home.cleanup());

async function script(shell: string): Promise<string> {
  const result = await runCli(["completion", shell], opts);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  const file = join(home.root, `apikey.${shell}`);
  writeFileSync(file, result.stdout);
  return file;
}

async function seedStore(): Promise<void> {
  for (const [name, label] of [
    ["personal", "COMPLETE_PERSONAL"],
    ["spare", "COMPLETE_SPARE"],
  ] as const) {
    expect((await addKey(name, fakeApiKey(label), opts, ["--no-validate"])).code).toBe(0);
  }
  expect((await runCli(["profile", "create", "work"], opts)).code).toBe(0);
  const work = await addKey("ci-bot", fakeApiKey("COMPLETE_CI"), opts, [
    "--profile",
    "work",
    "--no-validate",
  ]);
  expect(work.code).toBe(0);
}

/** The shells' environment: the test's, without the master key (completion must not need to unlock). */
function shellEnv(): Record<string, string> {
  const env = cliEnv(opts);
  delete env.APIKEY_MASTER_KEY;
  return { ...env, PATH: `${bin}:${env.PATH}` };
}

/** Runs bash's completion function for each command line (the word under the cursor last) and returns COMPREPLY. */
function bashComplete(file: string, lines: string[][]): { registered: string; replies: string[][] } {
  const driver = [
    `source ${JSON.stringify(file)}`,
    "complete -p apikey",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansions, not a template.
    'c() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _apikey; printf "%s " "${COMPREPLY[@]}"; echo; }',
    ...lines.map((words) => `c ${words.map((w) => `'${w}'`).join(" ")}`),
  ].join("\n");
  const run = spawnSync("bash", ["--norc", "--noprofile", "-c", driver], {
    env: shellEnv(),
    encoding: "utf8",
  });
  expect(run.stderr).toBe("");
  const [registered = "", ...replies] = run.stdout.split("\n");
  return {
    registered,
    replies: replies.slice(0, lines.length).map((l) => l.split(" ").filter(Boolean).sort()),
  };
}

describe("bash completion", () => {
  it("completes commands, subcommands and options from the program, and names from the store", async () => {
    await seedStore();
    const file = await script("bash");
    const { registered, replies } = bashComplete(file, [
      ["apikey", "us"],
      ["apikey", "rev"],
      ["apikey", "use", ""],
      ["apikey", "--profile", "work", "use", ""],
      ["apikey", "-p", "work", "rm", ""],
      ["apikey", "profile", "d"],
      ["apikey", "profile", "delete", ""],
      ["apikey", "usage", "--key", ""],
      ["apikey", "list", "--a"],
      ["apikey", "rename", "personal", ""],
      ["apikey", "--profile", ""],
    ]);
    expect(registered).toBe("complete -F _apikey apikey");
    expect(replies).toEqual([
      ["usage", "use"],
      ["reveal"],
      ["personal", "spare"],
      ["ci-bot"],
      ["ci-bot"],
      ["delete"],
      ["default", "work"],
      ["personal", "spare"],
      ["--all-profiles"],
      [],
      ["default", "work"],
    ]);
  });

  it("offers no names, and creates no store, when there is none", async () => {
    const file = await script("bash");
    expect(bashComplete(file, [["apikey", "use", ""]]).replies).toEqual([[]]);
    const helper = await runCli(["__complete", "keys"], opts);
    expect(helper.code).toBe(0);
    expect(helper.stdout).toBe("");
    expect(existsSync(home.dataDir)).toBe(false);
  });

  it("completes `apikey rev<TAB>` and `apikey use <TAB><TAB>` in an interactive bash on a terminal", async () => {
    await seedStore();
    const file = await script("bash");
    const session = spawnCommandInPty(["bash", "--norc", "--noprofile", "-i"], opts, {
      ...shellEnv(),
      PS1: "$ ",
      HISTFILE: "/dev/null",
    });
    session.type(`source ${file}\n`);
    await session.waitFor("$ ");
    session.type("apikey rev\t");
    await session.waitFor("apikey reveal ");
    session.type("\x15apikey use \t\t");
    await session.waitFor(/personal\s+spare/);
    session.type("\x15exit\n");
    await session.exited;
  });
});

const hasShell = (shell: string) => spawnSync(shell, ["-c", "exit 0"]).status === 0;

describe("fish and zsh completion", () => {
  // Neither shell is needed to use apikey; these run where the shell is installed (fish is on the CI image).
  it.runIf(hasShell("fish"))("fish completes subcommands and key names", async () => {
    await seedStore();
    const file = await script("fish");
    const probe = (line: string) =>
      `complete -C${JSON.stringify(line)} | string split -f1 \\t | sort | string join ' '`;
    const run = spawnSync(
      "fish",
      [
        "--no-config",
        "-c",
        [`source ${file}`, probe("apikey us"), probe("apikey use "), probe("apikey -p work use ")].join("; "),
      ],
      { env: shellEnv(), encoding: "utf8" },
    );
    expect(run.stderr).toBe("");
    expect(run.stdout.split("\n").slice(0, 3)).toEqual(["usage use", "personal spare", "ci-bot"]);
  });

  it.runIf(hasShell("zsh"))("zsh completes subcommands and key names", async () => {
    await seedStore();
    const file = await script("zsh");
    const session = spawnCommandInPty(["zsh", "-f", "-i"], opts, { ...shellEnv(), PS1: "%% " });
    session.type(`autoload -U compinit; compinit -u; source ${file}\n`);
    session.type("apikey rev\t");
    await session.waitFor("apikey reveal");
    session.type("\x15apikey -p work use \t");
    await session.waitFor("ci-bot");
    session.type("\x15exit\n");
    await session.exited;
  });
});
