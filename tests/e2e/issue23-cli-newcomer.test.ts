import { existsSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../packages/core/src/errors.ts";
import {
  addKey,
  jsonError,
  makeHome,
  type RunOptions,
  runCli,
  type TestHome,
  validationOutcome,
} from "../fixtures/cli.ts";
import { startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { inProcess, listedKeys } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { passphraseStore } from "../fixtures/passphrase-store.ts";
import { spawnInPty, stripAnsi } from "../fixtures/pty.ts";

// Issue 23: a newcomer's first hour with the CLI. One describe per item of the issue this file covers.
// The runs a test is about are CLI starts; the keys and profiles a test starts from are made in process
// (`addInProcess`), and so are the key list, tokens and audit trail read back after a run (what `list --json`,
// `proxy token list --json` and `audit --json` print).

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
    // What `proxy token list --json` prints, read in process; no store at all is no token either, as the list says.
    const listed = existsSync(home.storePath) ? await inProcess(home, (app) => app.tokens.list()) : [];
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

/** A fresh store of its own, for tests that must not share keys. */
async function freshHome(): Promise<{ opts: RunOptions; cleanup: () => Promise<void> }> {
  const h = await makeHome();
  return { opts: { home: h }, cleanup: h.cleanup };
}

/** `add --no-validate NAME` in process (into `profile`, else the default one): a key a test starts from. */
function addInProcess(o: RunOptions, name: string, secret: string, profile?: string): Promise<unknown> {
  return inProcess(o.home, (app) =>
    app.keys.add({ name, secret, validate: false, ...(profile !== undefined && { profile }) }),
  );
}

/** A server on 127.0.0.1 that accepts connections and never answers. */
async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("issue 23 item 6: progress for long work, on a terminal only", () => {
  it("scan shows a progress line on a terminal (stderr) and none in a pipe; the summary always", async () => {
    const { opts: o, cleanup } = await freshHome();
    try {
      const tree = join(o.home.root, "tree");
      for (let d = 0; d < 20; d++) {
        await mkdir(join(tree, `d${d}`), { recursive: true });
        for (let f = 0; f < 25; f++) await writeFile(join(tree, `d${d}`, `f${f}.txt`), `line ${f}\n`);
      }
      const pty = spawnInPty(["scan", tree], o);
      const { code, output } = await pty.exited;
      expect(code).toBe(0);
      expect(stripAnsi(output)).toMatch(/Scanning: \d+ file\(s\), 0 key\(s\) found so far/);
      // The line is erased before the summary: the summary starts a clean line.
      expect(output).toContain("\r\x1b[K0 key(s) found in 500 file(s) searched");
      const piped = await runCli(["scan", tree], o);
      expect(piped.code).toBe(0);
      expect(piped.stderr).not.toContain("Scanning");
      expect(piped.stderr).not.toContain("\x1b");
      expect(piped.stderr).toContain("0 key(s) found in 500 file(s) searched");
    } finally {
      await cleanup();
    }
  });

  it("add against a server that never answers says what it waits for and how long, on a terminal", async () => {
    const { opts: o, cleanup } = await freshHome();
    const silent = await silentServer();
    try {
      const run = {
        ...o,
        baseUrl: silent.url,
        env: { APIKEY_VALIDATE_TIMEOUT_MS: "1500" },
        timeoutMs: 30_000,
      };
      const pty = spawnInPty(["add", "slow"], run);
      await pty.waitFor('key for "slow"');
      pty.type(`${fakeApiKey("SILENT")}\r`);
      // Before the timeout, not after it.
      await pty.waitFor(/Checking the key with Anthropic \(gives up after 2 s/, 1400);
      const { code, output } = await pty.exited;
      expect(code).toBe(0);
      expect(stripAnsi(output)).toMatch(/marked unverified; check it later with `apikey validate slow`/);
      // Not on a pipe, and never under --json. The same check against the same silent server, given up sooner:
      // the note would come before the wait, so how long the wait is proves nothing here.
      const piped = await addKey("piped", fakeApiKey("SILENT2"), {
        ...run,
        env: { APIKEY_VALIDATE_TIMEOUT_MS: "200" },
      });
      expect(piped.code, piped.stderr).toBe(0);
      expect(piped.stderr).not.toMatch(/Checking the key/);
      // It did check (and gave up): the key is stored unverified, so the note had something to announce.
      const stored = (await listedKeys(o.home)).find((k) => k.name === "piped");
      expect(stored && validationOutcome(stored)).toBe("unverified");
    } finally {
      await silent.close();
      await cleanup();
    }
  });
});

describe("issue 23 item 8: messages that stop short", () => {
  it("validate offline names the key (and its profile) in what to run later", async () => {
    const { opts: o, cleanup } = await freshHome();
    try {
      await addInProcess(o, "work", fakeApiKey("OFFLINE"));
      const r = await runCli(["validate", "work"], o);
      expect(r.code).toBe(3);
      expect(r.stdout).toContain("Try again later with `apikey validate work`.");
      expect(r.stdout).not.toContain("run `apikey validate` later");
      await inProcess(o.home, (app) => app.profiles.create("team"));
      await addInProcess(o, "ci", fakeApiKey("OFFLINE2"), "team");
      const team = await runCli(["--profile", "team", "validate", "ci"], o);
      expect(team.stdout).toContain("`apikey --profile team validate ci`");
    } finally {
      await cleanup();
    }
  });

  it("a check that cannot verify keeps the last definite verdict; the attempt is in the audit log", async () => {
    const { opts: o, cleanup } = await freshHome();
    const fake = await startFakeAnthropic();
    const secret = fakeApiKey("VERDICT");
    fake.addValidKey(secret);
    try {
      expect((await addKey("work", secret, { ...o, baseUrl: fake.url })).code).toBe(0);
      const before = (await listedKeys(o.home))[0];
      expect(before && validationOutcome(before)).toBe("valid");
      for (const baseUrl of [undefined /* nothing listens */, fake.url]) {
        if (baseUrl) fake.setBehaviour(secret, { status: 529 });
        const r = await runCli(["validate", "work"], { ...o, ...(baseUrl && { baseUrl }) });
        expect(r.code).toBe(3);
        expect(r.stdout).toMatch(/The last verdict stands: valid/);
        const after = (await listedKeys(o.home))[0];
        expect(after && validationOutcome(after)).toBe("valid");
        expect(after?.lastValidatedAt).toBe(before?.lastValidatedAt);
      }
      // What `audit --json` prints (its default 50 entries), read in process.
      const audit: Array<{ action: string; details: Record<string, unknown> }> = JSON.parse(
        JSON.stringify(await inProcess(o.home, (app) => app.audit({ limit: 50 }))),
      );
      const checks = audit.filter((e) => e.action === "key.validate");
      expect(checks).toHaveLength(2);
      for (const c of checks) expect(c.details).toMatchObject({ outcome: "unverified", kept: "valid" });
      // A definite answer still replaces it.
      fake.setBehaviour(secret, { status: 401 });
      expect((await runCli(["validate", "work"], { ...o, baseUrl: fake.url })).code).toBe(1);
      const now = (await listedKeys(o.home))[0];
      expect(now && validationOutcome(now)).toBe("invalid");
    } finally {
      await fake.close();
      await cleanup();
    }
  });

  it("exec: a command's options before `--` get a hint; not found → 127, not executable → 126", async () => {
    const { opts: o, cleanup } = await freshHome();
    try {
      await addInProcess(o, "work", fakeApiKey("EXEC"));
      for (const args of [
        ["sh", "-c", "echo hi"],
        ["ls", "-l"],
        ["node", "-e", "1"],
      ]) {
        const r = await runCli(["exec", ...args], o);
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain("only after `--`: apikey exec -- sh -c");
      }
      const missing = await runCli(["exec", "--", "no-such-command-TEST"], o);
      expect(missing.code).toBe(127);
      expect(missing.stderr).toContain("Command not found: no-such-command-TEST");
      const missingJson = await runCli(["--json", "exec", "--", "./no/such/path"], o);
      expect(missingJson.code).toBe(127);
      expect(jsonError(missingJson).code).toBe("E_COMMAND_NOT_FOUND");
      const plain = join(o.home.root, "not-executable.sh");
      await writeFile(plain, "#!/bin/sh\necho hi\n");
      await chmod(plain, 0o644);
      for (const target of [plain, o.home.root]) {
        const r = await runCli(["--json", "exec", "--", target], o);
        // root may run anything it can read: a 0644 script still fails execve (no x bit at all).
        expect(r.code, target).toBe(126);
        expect(jsonError(r).code).toBe("E_COMMAND_NOT_EXECUTABLE");
      }
      // The command's own status still comes through.
      expect((await runCli(["exec", "--", "sh", "-c", "exit 7"], o)).code).toBe(7);
    } finally {
      await cleanup();
    }
  });

  it("env --shell takes zsh, bash, other names for sh syntax, any case, and a path ($SHELL)", async () => {
    const { opts: o, cleanup } = await freshHome();
    const secret = fakeApiKey("SHELLS");
    try {
      await addInProcess(o, "work", secret);
      for (const shell of ["zsh", "bash", "ZSH", "/bin/zsh", "/usr/local/bin/bash", " sh ", "dash"]) {
        const r = await runCli(["env", "--shell", shell], o);
        expect(r.code, shell).toBe(0);
        // sh syntax: the key, then the OAuth token variable it replaces (env-stale-variables.test.ts).
        expect(r.stdout).toBe(`export ANTHROPIC_API_KEY='${secret}'\nunset ANTHROPIC_AUTH_TOKEN\n`);
      }
      expect((await runCli(["env", "--shell", "pwsh"], o)).stdout).toMatch(/^\$env:ANTHROPIC_API_KEY = /);
      for (const shell of ["tcsh", "zsh5", "", "/bin/", "z sh"]) {
        const r = await runCli(["env", "--shell", shell], o);
        expect(r.code, shell).toBe(2);
        expect(r.stdout).toBe("");
      }
    } finally {
      await cleanup();
    }
  });

  it("scan names the path that does not exist", async () => {
    for (const path of ["/nonexistent-TEST", "missing dir/with space", "a/b/c.env"]) {
      const r = await runCli(["scan", ".", path], opts);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`Nothing to scan at ${path}: it does not exist.`);
    }
  });

  it("add unlocks the store before asking for the key: a wrong passphrase wastes no paste", async () => {
    const { opts: o, cleanup } = await freshHome();
    const noKek = { APIKEY_MASTER_KEY: undefined, APIKEY_PASSPHRASE: undefined };
    try {
      // The passphrase store to start from, made in process at a cheap scrypt cost (not what this test is about).
      await passphraseStore(o.home, "issue23-right-passphrase", { work: fakeApiKey("FIRST") });
      const pty = spawnInPty(["add", "--no-validate", "second"], { ...o, env: noKek });
      await pty.waitFor("Passphrase");
      pty.type("issue23-wrong-passphrase\r");
      const { code, output } = await pty.exited;
      expect(code).toBe(1);
      expect(stripAnsi(output)).toMatch(/Check APIKEY_MASTER_KEY|wrong|does not open/i);
      expect(stripAnsi(output)).not.toContain('key for "second"');
      // Piped, with a wrong passphrase in the environment: refused the same way.
      const piped = await addKey("third", fakeApiKey("THIRD"), {
        ...o,
        env: { APIKEY_MASTER_KEY: undefined, APIKEY_PASSPHRASE: "issue23-wrong-passphrase" },
      });
      expect(jsonError(piped).code).toBe("E_WRONG_MASTER_KEY");
    } finally {
      await cleanup();
    }
  });
});

describe("issue 23 item 5: --json where it means something, and said where it does not", () => {
  it("current, env and --version give JSON with --json anywhere; without it, exactly what they printed before", async () => {
    const { opts: o, cleanup } = await freshHome();
    const secret = fakeApiKey("JSONOUT");
    try {
      await addInProcess(o, "work", secret);
      for (const args of [
        ["--json", "current"],
        ["current", "--json"],
        ["--profile", "default", "--json", "current"],
      ]) {
        const r = await runCli(args, o);
        expect(r.code, args.join(" ")).toBe(0);
        expect(JSON.parse(r.stdout)).toEqual({ profile: "default", name: "work", kind: "api", key: secret });
      }
      expect((await runCli(["current"], o)).stdout).toBe(`${secret}\n`);
      for (const args of [
        ["--json", "env"],
        ["env", "--shell", "fish", "--json"],
      ])
        expect(JSON.parse((await runCli(args, o)).stdout)).toEqual({ ANTHROPIC_API_KEY: secret });
      for (const args of [
        ["--version", "--json"],
        ["--json", "-V"],
      ]) {
        const v = JSON.parse((await runCli(args, o)).stdout);
        expect(v).toEqual({
          version: expect.stringMatching(/^\d+\.\d+\.\d+/),
          storeSchema: expect.stringMatching(/^\d{4}_/),
        });
      }
      expect((await runCli(["--version"], o)).stdout).toMatch(/^\d+\.\d+\.\d+ \(store schema \d{4}_\w+\)\n$/);
    } finally {
      await cleanup();
    }
  });

  it("exec and completion say in --help that --json changes only their errors, and their errors are JSON", async () => {
    for (const cmd of ["exec", "completion"]) {
      const help = (await runCli([cmd, "--help"], opts)).stdout.replace(/\s+/g, " ");
      expect(help).toMatch(/--json: apikey's own errors only|--json changes only errors/);
    }
    const root = (await runCli(["--help"], opts)).stdout.replace(/\s+/g, " ");
    expect(root).toContain(
      "--json JSON results on stdout and errors on stderr (exec and completion: errors only",
    );
    expect(jsonError(await runCli(["--json", "completion", "tcsh"], opts)).code).toBe("E_USAGE");
    // The child's output is its own, never wrapped.
    const { opts: o, cleanup } = await freshHome();
    try {
      await addInProcess(o, "work", fakeApiKey("JSONEXEC"));
      const r = await runCli(["--json", "exec", "--", "sh", "-c", "echo plain"], o);
      expect(r.stdout).toBe("plain\n");
    } finally {
      await cleanup();
    }
  });
});
