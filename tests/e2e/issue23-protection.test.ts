import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Apikey, keyFileSource, masterKeySource, passphraseSource } from "@apikey/core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { jsonError, jsonOut, makeHome, type RunOptions, runCli, type TestHome } from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { type PtySession, ptyUnavailable, spawnInPty, stripAnsi } from "../fixtures/pty.ts";
import {
  missingSecretServiceTools,
  type SecretService,
  startSecretService,
} from "../fixtures/secret-service.ts";

// Issue 23 item 2: the protection of a new store is chosen before the store exists. On a terminal the person is
// asked (and told what each choice means for apiKeyHelper, scripts and servers); without one, the key file is
// taken as before and one line says so and how to change it; status states the protection as a fact.

const KEY = fakeApiKey("PROTECTION");
const PASSPHRASE = "protection-test-passphrase-not-secret";
/** Nothing in the environment decides: no APIKEY_MASTER_KEY, no APIKEY_PASSPHRASE, no session bus (no keychain). */
const undecided = { APIKEY_MASTER_KEY: undefined, APIKEY_PASSPHRASE: undefined };

let home: TestHome;
const opts = (env: Record<string, string | undefined> = {}, stdin?: string): RunOptions => ({
  home,
  env: { ...undecided, ...env },
  ...(stdin !== undefined && { stdin }),
});
const keyFile = () => join(home.dataDir, "master.key");

// What the prompts and commands under test left is read back in process, offering the master keys the CLI would take
// from `env` (no keychain: those reads stay CLI runs); a starting store that is not what a test is about is made
// in process too, with a key file as the CLI makes one when nothing decides.
const inStore = <T>(steps: (app: Apikey) => Promise<T>, env: Record<string, string> = {}) =>
  inProcess(home, steps, [
    masterKeySource(env.APIKEY_MASTER_KEY),
    passphraseSource({ passphrase: env.APIKEY_PASSPHRASE }),
    keyFileSource(home.dataDir),
  ]);
const providerOf = async (env: Record<string, string> = {}) =>
  (await inStore((app) => app.status(), env)).kekProvider;
const keyFileStore = () =>
  inProcess(home, (app) => app.keys.add({ name: "work", secret: KEY, validate: false }), [
    keyFileSource(home.dataDir),
  ]);

beforeEach(async () => {
  home = await makeHome();
});
afterEach(async () => {
  await home?.cleanup();
});

interface Status {
  kekProvider: string | null;
  warnings: string[];
}

/** `add` on a terminal up to the protection question; the key is typed first, as a person does. */
async function addUpToQuestion(env: Record<string, string> = {}): Promise<PtySession> {
  expect(ptyUnavailable(), "a pseudo-terminal is needed for these tests").toBeNull();
  const pty = spawnInPty(["add", "--no-validate", "work"], opts(env));
  await pty.waitFor('key for "work"');
  pty.type(`${KEY}\r`);
  await pty.waitFor("Protection [");
  return pty;
}

async function exitOf(pty: PtySession): Promise<{ code: number | null; screen: string }> {
  const r = await pty.exited;
  return { code: r.code, screen: stripAnsi(r.output) };
}

describe("issue 23 item 2: on a terminal, the protection is chosen before the store is made", () => {
  it("asks with the choices and what each means, before any file of the store exists", async () => {
    const pty = await addUpToQuestion();
    const screen = pty.screen();
    expect(screen).toContain("There is no store yet");
    expect(screen).toMatch(/1\) key file \(default\)/);
    expect(screen).toMatch(/2\) passphrase/);
    // No keychain answers here (no session bus), so none is offered.
    expect(screen).not.toMatch(/keychain \(default\)|\d\) OS keychain/);
    expect(screen).toMatch(/apiKeyHelper/);
    expect(screen).toMatch(/apikey slot add/);
    // Asked before a master key exists: no key file, no slot (an empty database file may already be there).
    expect(existsSync(keyFile())).toBe(false);
    pty.type("\x03");
    const { code, screen: all } = await exitOf(pty);
    expect(code, all).toBe(1);
    expect(all).toMatch(/Cancelled/);
    // Cancelled at the question: nothing was made.
    expect(existsSync(keyFile())).toBe(false);
    const { status, slots } = await inStore(async (app) => ({
      status: await app.status(),
      slots: await app.slots.list(),
    }));
    expect(status).toMatchObject({ initialised: false, kekProvider: null, keyCount: 0 });
    expect(slots).toEqual([]);
  });

  it("a passphrase: asked twice, the store opens with it, and apiKeyHelper's no-terminal run says what to do", async () => {
    const pty = await addUpToQuestion();
    pty.type("2\r");
    await pty.waitFor("New passphrase");
    pty.type(`${PASSPHRASE}\r`);
    await pty.waitFor("Repeat");
    pty.type(`${PASSPHRASE}\r`);
    const { code, screen } = await exitOf(pty);
    expect(code, screen).toBe(0);
    expect(screen).toContain("Added work");
    expect(screen).not.toContain(PASSPHRASE);
    expect(existsSync(keyFile())).toBe(false);

    const status = jsonOut<Status>(
      await runCli(["--json", "status"], opts({ APIKEY_PASSPHRASE: PASSPHRASE })),
    );
    expect(status).toMatchObject({ kekProvider: "passphrase", warnings: [] });
    expect(await inStore(async (app) => (await app.active()).secret, { APIKEY_PASSPHRASE: PASSPHRASE })).toBe(
      KEY,
    );
    // What apiKeyHelper runs: no terminal, no passphrase. The hint names the way out: a slot of its own.
    const helper = await runCli(["--json", "current"], opts());
    expect(helper.code).toBe(1);
    const err = jsonError(helper);
    expect(err.code).toBe("E_MASTER_KEY_MISSING");
    expect(err.hint).toMatch(/apiKeyHelper/);
    expect(err.hint).toMatch(/apikey slot add/);
  });

  it("Enter takes the key file, and the store says so once", async () => {
    const pty = await addUpToQuestion();
    pty.type("\r");
    const { code, screen } = await exitOf(pty);
    expect(code, screen).toBe(0);
    expect(await providerOf()).toBe("keyfile");
    expect(existsSync(keyFile())).toBe(true);
    expect(screen.match(/apikey rekey --to passphrase/g)).toHaveLength(1);
  });

  it("an answer that is no choice asks again; the answer then counts", async () => {
    const pty = await addUpToQuestion();
    pty.type("7\r");
    await pty.waitFor("Type a number from 1 to 2");
    await pty.waitFor("Protection [");
    pty.type("passphrase\r");
    await pty.waitFor("New passphrase");
    pty.type(`${PASSPHRASE}\r`);
    await pty.waitFor("Repeat");
    pty.type(`${PASSPHRASE}\r`);
    const { code, screen } = await exitOf(pty);
    expect(code, screen).toBe(0);
    expect(await providerOf({ APIKEY_PASSPHRASE: PASSPHRASE })).toBe("passphrase");
  });

  it("nobody is asked when the environment decides (APIKEY_MASTER_KEY)", async () => {
    const pty = spawnInPty(["add", "--no-validate", "work"], { home });
    await pty.waitFor('key for "work"');
    pty.type(`${KEY}\r`);
    const { code, screen } = await exitOf(pty);
    expect(code, screen).toBe(0);
    expect(screen).not.toContain("Protection [");
    expect(screen).not.toContain("There is no store yet");
  });
});

// As keychain.test.ts: a real Secret Service on a private bus; skipped (saying why) only outside CI without the tools.
const keychainMissing = missingSecretServiceTools().length > 0 && process.env.CI !== "true";
(keychainMissing ? describe.skip : describe)(
  "issue 23 item 2: a keychain that answers is offered first",
  () => {
    let ss: SecretService;
    beforeAll(async () => {
      ss = await startSecretService();
    });
    afterAll(async () => {
      await ss?.stop();
    });

    it("is the default (Enter), and asking wrote nothing to the keychain", async () => {
      const pty = await addUpToQuestion(ss.env);
      expect(pty.screen()).toMatch(/1\) OS keychain \(default\)/);
      expect(pty.screen()).toMatch(/2\) key file/);
      expect(pty.screen()).toMatch(/3\) passphrase/);
      // Finding out that a keychain answers is a read: no entry yet.
      const before = ss.search({ service: "apikey" });
      expect(before).not.toContain(home.dataDir);
      expect(before).not.toMatch(/probe/);
      pty.type("\r");
      const { code, screen } = await exitOf(pty);
      expect(code, screen).toBe(0);
      const status = jsonOut<Status>(await runCli(["--json", "status"], opts(ss.env)));
      expect(status).toMatchObject({ kekProvider: "keychain", warnings: [] });
      expect(existsSync(keyFile())).toBe(false);
      expect((await runCli(["current"], opts(ss.env))).stdout).toBe(`${KEY}\n`);
      expect(ss.search({ service: "apikey" })).not.toMatch(/probe/);
    });

    it("is not asked by `rekey --to keychain` on a terminal: only a new store asks", async () => {
      await keyFileStore();
      const pty = spawnInPty(["rekey", "--to", "keychain"], { ...opts(ss.env), timeoutMs: 15_000 });
      const { code, screen } = await exitOf(pty);
      expect(screen).not.toContain("Protection [");
      expect(code, screen).toBe(0);
      const status = jsonOut<Status>(await runCli(["--json", "status"], opts(ss.env)));
      expect(status.kekProvider).toBe("keychain");
      expect((await runCli(["current"], opts(ss.env))).stdout).toBe(`${KEY}\n`);
    });
  },
);

describe("issue 23 item 2: without a terminal, the key file as before, said once in one line", () => {
  it("prints one line naming the key file and `apikey rekey --to passphrase` at creation, and never again", async () => {
    const first = await runCli(["add", "--no-validate", "work"], opts({}, KEY));
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stderr.split("\n").filter((l) => l !== "");
    expect(lines, first.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/key file \(master\.key/);
    expect(lines[0]).toContain("apikey rekey --to passphrase");
    // The advice that came too late ("… before creating the store") is gone.
    expect(first.stderr).not.toMatch(/before creating the store/i);

    const second = await runCli(["add", "--no-validate", "other"], opts({}, fakeApiKey("PROTECTION_2")));
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toMatch(/key file|rekey/);
  });

  it("status states the protection as a fact, with a one-line hint only when it is weak", async () => {
    await keyFileStore();
    const text = await runCli(["status"], opts());
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^protection: key file ${keyFile()}`, "m"));
    const hints = text.stdout.split("\n").filter((l) => l.startsWith("warning:"));
    expect(hints, text.stdout).toHaveLength(1);
    expect(hints[0]).toContain("apikey rekey --to passphrase");
    expect(text.stdout).not.toMatch(/before creating the store/i);
    expect(text.stderr).toBe("");

    // Moved to a passphrase: the protection is stated, no hint at all.
    const rekey = await runCli(["rekey", "--to", "passphrase"], opts({ APIKEY_PASSPHRASE: PASSPHRASE }));
    expect(rekey.code, rekey.stderr).toBe(0);
    const after = await runCli(["status"], opts({ APIKEY_PASSPHRASE: PASSPHRASE }));
    expect(after.stdout).toMatch(/^protection: passphrase/m);
    expect(after.stdout).not.toMatch(/^warning:/m);
  });

  it("`rekey --to passphrase` with no passphrase says how to give one, not that it is too short", async () => {
    await keyFileStore();
    for (const args of [
      ["--json", "rekey", "--to", "passphrase"],
      ["--json", "rekey", "--to", "env"],
      ["--json", "slot", "add", "laptop", "--passphrase"],
    ]) {
      for (const stdin of ["", "\n"]) {
        const r = await runCli(args, opts({}, stdin));
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
        const err = jsonError(r);
        expect(err.code).toBe("E_USAGE");
        expect(err.message).not.toMatch(/12 characters|at least/);
        expect(err.message).toMatch(/no terminal/);
        expect(err.hint).toMatch(/terminal/);
        expect(err.hint).toMatch(/printf %s/);
        if (args[1] === "rekey") expect(err.hint).toMatch(/APIKEY_(PASSPHRASE|MASTER_KEY)/);
      }
    }
    // Nothing changed: still the key file, one slot.
    expect(await providerOf()).toBe("keyfile");
    expect(await inStore((app) => app.slots.list())).toHaveLength(1);
  });
});
