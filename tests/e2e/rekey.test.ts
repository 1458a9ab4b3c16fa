import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Apikey, keyFileSource, masterKeySource, passphraseSource } from "@apikey/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliResult,
  jsonError,
  jsonOut,
  makeHome,
  OTHER_MASTER_KEY,
  type RunOptions,
  runCli,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey, keyBody } from "../fixtures/keys.ts";

// `apikey rekey` walks one store through every provider that needs no OS keychain, checking after each step that
// both keys decrypt with the new master key only, and that refused re-keys change nothing.

const WORK = fakeApiKey("REKEY_WORK");
const SPARE = fakeApiKey("REKEY_SPARE");
const PASS_A = "first test passphrase, not a secret";
const PASS_B = "second test passphrase, not a secret";

let home: TestHome;
const env = (vars: Record<string, string | undefined>): RunOptions => ({
  home,
  env: { APIKEY_MASTER_KEY: undefined, APIKEY_PASSPHRASE: undefined, ...vars },
});
const masterKey = (k: string) => env({ APIKEY_MASTER_KEY: k });
const passphrase = (p: string) => env({ APIKEY_PASSPHRASE: p });

// The re-keys are what is tested and run the CLI; the checks of what they left (which keys open the store, its
// provider, the audit log) read the store in process, offering the master keys the CLI would take from `o`'s
// environment (APIKEY_MASTER_KEY, APIKEY_PASSPHRASE, the key file; no keychain here).
const inStore = <T>(o: RunOptions, steps: (app: Apikey) => Promise<T>) =>
  inProcess(o.home, steps, [
    masterKeySource(o.env?.APIKEY_MASTER_KEY),
    passphraseSource({ passphrase: o.env?.APIKEY_PASSPHRASE }),
    keyFileSource(o.home.dataDir),
  ]);

async function provider(): Promise<string | null> {
  return (await inStore(env({}), (app) => app.status())).kekProvider;
}

/** Both keys decrypt under these settings: `current` and `reveal spare` would print them. */
async function expectOpens(o: RunOptions) {
  await inStore(o, async (app) => {
    expect((await app.active()).secret).toBe(WORK);
    expect(await app.keys.reveal("spare")).toBe(SPARE);
  });
}

/** `reveal work` under these settings fails with this code. */
async function expectRefused(o: RunOptions, code: string) {
  await expect(inStore(o, (app) => app.keys.reveal("work"))).rejects.toMatchObject({ code });
}

function expectCode(r: CliResult, code: string) {
  expect(r.code, r.stderr).not.toBe(0);
  expect(jsonError(r).code).toBe(code);
}

function rekey(to: string, o: RunOptions, stdin?: string) {
  return runCli(["--json", "rekey", "--to", to], { ...o, ...(stdin !== undefined && { stdin }) });
}

beforeAll(async () => {
  home = await makeHome();
  await inStore(masterKey(TEST_MASTER_KEY), async (app) => {
    await app.keys.add({ name: "work", secret: WORK, validate: false });
    await app.keys.add({ name: "spare", secret: SPARE, validate: false });
  });
});
afterAll(async () => {
  await home?.cleanup();
});

describe("apikey rekey", () => {
  const keyFile = () => join(home.dataDir, "master.key");

  it("env → key file: opens from the file alone afterwards", async () => {
    const r = await rekey("keyfile", masterKey(TEST_MASTER_KEY));
    expect(jsonOut(r)).toMatchObject({ from: "env", to: "keyfile" });
    expect(await provider()).toBe("keyfile");
    expect(statSync(keyFile()).mode & 0o777).toBe(0o600);
    await expectOpens(env({}));
  });

  it("refuses key file → key file, and an unknown provider, changing nothing", async () => {
    expectCode(await rekey("keyfile", env({})), "E_USAGE");
    const unknown = await rekey("vault", env({}));
    expect(unknown.code).toBe(2);
    expect(await provider()).toBe("keyfile");
    await expectOpens(env({}));
  });

  it("key file → passphrase (APIKEY_PASSPHRASE): the key file is removed", async () => {
    expect(jsonOut(await rekey("passphrase", passphrase(PASS_A)))).toMatchObject({ to: "passphrase" });
    expect(existsSync(keyFile())).toBe(false);
    await expectOpens(passphrase(PASS_A));
    await expectRefused(passphrase(PASS_B), "E_WRONG_MASTER_KEY");
  });

  it("a new passphrase from stdin; a short one is refused and nothing changes", async () => {
    expectCode(await rekey("passphrase", passphrase(PASS_A), "short\n"), "E_PASSPHRASE_WEAK");
    await expectOpens(passphrase(PASS_A));
    const wrongOld = await rekey("passphrase", passphrase(PASS_B), `${PASS_A}\n`);
    expectCode(wrongOld, "E_WRONG_MASTER_KEY");

    const r = await rekey("passphrase", passphrase(PASS_A), `${PASS_B}\n`);
    expect(r.code, r.stderr).toBe(0);
    await expectOpens(passphrase(PASS_B));
    await expectRefused(passphrase(PASS_A), "E_WRONG_MASTER_KEY");
  });

  it("passphrase → env, then env → a new env key read from stdin", async () => {
    const toEnv = await rekey("env", env({ APIKEY_PASSPHRASE: PASS_B, APIKEY_MASTER_KEY: OTHER_MASTER_KEY }));
    expect(jsonOut(toEnv)).toMatchObject({ from: "passphrase", to: "env" });
    await expectOpens(masterKey(OTHER_MASTER_KEY));

    expectCode(
      await rekey("env", masterKey(OTHER_MASTER_KEY), "not base64 of 32 bytes"),
      "E_MASTER_KEY_FORMAT",
    );
    expectCode(await rekey("env", masterKey(OTHER_MASTER_KEY), OTHER_MASTER_KEY), "E_USAGE");
    const r = await rekey("env", masterKey(OTHER_MASTER_KEY), `${TEST_MASTER_KEY}\n`);
    expect(r.code, r.stderr).toBe(0);
    await expectOpens(masterKey(TEST_MASTER_KEY));
    await expectRefused(masterKey(OTHER_MASTER_KEY), "E_WRONG_MASTER_KEY");
  });

  it("replaces a stale key file left by a re-key killed after its commit, then opens from the new one", async () => {
    // The state a crash between the commit (to env) and removing the old file leaves: an env store plus a file.
    await writeFile(keyFile(), `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
    await expectOpens(masterKey(TEST_MASTER_KEY));
    const r = await rekey("keyfile", masterKey(TEST_MASTER_KEY));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning:/);
    await expectOpens(env({}));
    expect(jsonOut(await rekey("env", masterKey(TEST_MASTER_KEY)))).toMatchObject({ to: "env" });
    expect(existsSync(keyFile())).toBe(false);
  });

  it("audits every re-key with the providers only", async () => {
    const rows = await inStore(masterKey(TEST_MASTER_KEY), (app) => app.audit({ limit: 1000 }));
    const rekeys = rows.filter((a) => a.action === "store.rekey").map((a) => a.details);
    expect(rekeys.reverse()).toEqual([
      { from: "env", to: "keyfile" },
      { from: "keyfile", to: "passphrase" },
      { from: "passphrase", to: "passphrase" },
      { from: "passphrase", to: "env" },
      { from: "env", to: "env" },
      { from: "env", to: "keyfile" },
      { from: "keyfile", to: "env" },
    ]);
    const text = JSON.stringify(rows);
    for (const s of [WORK, SPARE]) expect(text).not.toContain(keyBody(s));
    for (const s of [PASS_A, PASS_B, TEST_MASTER_KEY, OTHER_MASTER_KEY]) expect(text).not.toContain(s);
  });
});
