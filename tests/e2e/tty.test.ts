import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addKey, listKeys, makeHome, type RunOptions, runCli, type TestHome } from "../fixtures/cli.ts";
import { fakeApiKey, keyBody } from "../fixtures/keys.ts";
import { passphraseStore } from "../fixtures/passphrase-store.ts";
import { type PtySession, ptyUnavailable, spawnInPty, stripAnsi } from "../fixtures/pty.ts";

// The interactive paths on a real pseudo-terminal: the hidden key prompt, delete's confirmation, the passphrase
// prompt. The terminal keeps its echo on, as a real one does, so anything the CLI fails to hide shows up.

const TYPED = fakeApiKey("TTY_TYPED");
const SEEDED = fakeApiKey("TTY_SEEDED");
const PASSPHRASE = "tty-test-passphrase-not-secret";

let home: TestHome;
const opts = (extra: Partial<RunOptions> = {}): RunOptions => ({ home, ...extra });

beforeEach(async () => {
  expect(ptyUnavailable(), "a pseudo-terminal is needed for these tests").toBeNull();
  home = await makeHome();
});
afterEach(async () => {
  await home?.cleanup();
});

/** Fails with the transcript when the session did not exit as expected. */
async function expectExit(pty: PtySession, code: number): Promise<string> {
  const r = await pty.exited;
  expect(r.code, `terminal showed:\n${stripAnsi(r.output).slice(-1500)}`).toBe(code);
  return r.output;
}

/** Neither the whole secret nor any recognisable part of it was on screen (with or without escapes). */
function expectNotShown(output: string, secret: string) {
  const body = keyBody(secret);
  for (const text of [output, stripAnsi(output), stripAnsi(output).replace(/\n/g, "")]) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain("FAKE_TEST_");
    for (let i = 0; i + 16 <= body.length; i += 16) expect(text).not.toContain(body.slice(i, i + 16));
  }
}

describe("add on a terminal", () => {
  it("reads the key from a hidden prompt that masks it with *", async () => {
    const pty = spawnInPty(["add", "--no-validate", "work"], opts());
    await pty.waitFor('key for "work"');
    pty.type(`${TYPED}\r`);
    const output = await expectExit(pty, 0);

    expectNotShown(output, TYPED);
    // One * per typed character, wrapped over lines by the 80-column terminal.
    expect(stripAnsi(output)).toMatch(/\*{40}/);
    const rows = await listKeys(opts());
    expect(rows.map((r) => [r.name, r.active])).toEqual([["work", true]]);
    expect(rows[0]?.masked).toBe(`sk-ant-api03-…${TYPED.slice(-4)}`);
    // What was stored is exactly what was typed.
    expect((await runCli(["current"], opts())).stdout).toBe(`${TYPED}\n`);
  });

  it("Ctrl+C at the prompt cancels and stores nothing", async () => {
    const pty = spawnInPty(["--json", "add", "--no-validate", "work"], opts());
    await pty.waitFor('key for "work"');
    pty.type(TYPED.slice(0, 30));
    await pty.waitFor("*".repeat(30));
    pty.type("\x03");
    const output = await expectExit(pty, 1);
    expect(stripAnsi(output)).toContain('"code":"E_CANCELLED"');
    expectNotShown(output, TYPED);
    expect(await listKeys(opts())).toEqual([]);
  });
});

describe("delete on a terminal asks first", () => {
  beforeEach(async () => {
    const r = await addKey("work", SEEDED, opts(), ["--no-validate"]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('"n" keeps the key', async () => {
    const pty = spawnInPty(["delete", "work"], opts());
    await pty.waitFor(/Delete work .*\?/);
    pty.type("n\r");
    await expectExit(pty, 0);
    expect((await listKeys(opts())).map((r) => r.name)).toEqual(["work"]);
    expect((await runCli(["current"], opts())).stdout).toBe(`${SEEDED}\n`);
  });

  it("Enter alone takes the default, which is no", async () => {
    const pty = spawnInPty(["delete", "work"], opts());
    await pty.waitFor(/Delete work .*\?/);
    pty.type("\r");
    await expectExit(pty, 0);
    expect((await listKeys(opts())).map((r) => r.name)).toEqual(["work"]);
  });

  it('"y" deletes it', async () => {
    const pty = spawnInPty(["delete", "work"], opts());
    await pty.waitFor(/Delete work .*\?/);
    pty.type("y\r");
    const output = await expectExit(pty, 0);
    expectNotShown(output, SEEDED);
    expect(await listKeys(opts())).toEqual([]);
  });
});

describe("a passphrase store on a terminal without APIKEY_PASSPHRASE", () => {
  const noEnvKek = { APIKEY_MASTER_KEY: undefined, APIKEY_PASSPHRASE: undefined };

  // Made in process at the lowest scrypt cost a store may record: these tests are about the prompt, and each
  // unlock at the shipped cost takes seconds on a loaded machine.
  beforeEach(async () => {
    await passphraseStore(home, PASSPHRASE, { work: SEEDED });
  });

  it("current asks for the passphrase (hidden) and prints the key", async () => {
    const pty = spawnInPty(["current"], opts({ env: noEnvKek }));
    await pty.waitFor("Passphrase");
    pty.type(`${PASSPHRASE}\r`);
    const output = await expectExit(pty, 0);
    expect(stripAnsi(output)).toContain(SEEDED);
    expect(output).not.toContain(PASSPHRASE);
    expect(stripAnsi(output)).not.toContain(PASSPHRASE);
  });

  it("a wrong passphrase at the prompt → E_WRONG_MASTER_KEY, no key shown", async () => {
    const pty = spawnInPty(["--json", "current"], opts({ env: noEnvKek }));
    await pty.waitFor("Passphrase");
    pty.type("not-the-passphrase\r");
    const output = await expectExit(pty, 1);
    expect(stripAnsi(output)).toContain('"code":"E_WRONG_MASTER_KEY"');
    expectNotShown(output, SEEDED);
    expect(output).not.toContain("not-the-passphrase");
  });

  it("add asks for the passphrase, then for the key, and stores it", async () => {
    const pty = spawnInPty(["add", "--no-validate", "second"], opts({ env: noEnvKek }));
    // The store is unlocked before the key is asked for (issue 23 item 8): a wrong passphrase wastes no paste.
    await pty.waitFor("Passphrase");
    pty.type(`${PASSPHRASE}\r`);
    await pty.waitFor('key for "second"');
    pty.type(`${TYPED}\r`);
    const output = await expectExit(pty, 0);
    expectNotShown(output, TYPED);
    expect(output).not.toContain(PASSPHRASE);
    const rows = await listKeys(opts({ env: { APIKEY_MASTER_KEY: undefined } }));
    expect(rows.map((r) => r.name).sort()).toEqual(["second", "work"]);
  });
});
