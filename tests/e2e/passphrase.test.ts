import { createHash } from "node:crypto";
import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { keyFileSource, passphraseSource } from "@apikey/core";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addKey,
  type CliResult,
  jsonError,
  jsonOut,
  listKeys,
  makeHome,
  type RunOptions,
  runCli,
  type TestHome,
  walk,
} from "../fixtures/cli.ts";
import { inProcess, listedKeys } from "../fixtures/in-process.ts";
import { fakeApiKey, keyBody } from "../fixtures/keys.ts";
import { passphraseStore } from "../fixtures/passphrase-store.ts";

// The two master keys that need no operator-supplied key: a passphrase (scrypt) and, last resort, a key file.
// The CLI runs what is tested (opening, refusing, creating, warning); what a run left in the store (keys, audit trail,
// protection, the active secret once it is known to open) is read back in process.

const WORK = fakeApiKey("PASS_WORK");
const OTHER = fakeApiKey("PASS_OTHER");
const FILE_KEY = fakeApiKey("KEYFILE_WORK");
const PASSPHRASE = "test passphrase, not a secret";
const WRONG = "wrong passphrase, also not a secret";

interface Status {
  initialised: boolean;
  kekProvider: string | null;
  keyCount: number;
  warnings: string[];
}

function expectError(r: CliResult, exit: number, code: string) {
  expect(r.code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(exit);
  expect(jsonError(r).code).toBe(code);
  expect(r.stdout).toBe("");
}

function expectNoSecret(r: CliResult, ...secrets: string[]) {
  for (const s of secrets) expect(r.stdout + r.stderr).not.toContain(keyBody(s));
}

/**
 * Everything a failed command must leave as it was: the keys, the audit log (as `list --json` and `audit --limit
 * 1000 --json` print them, read in process; neither unlocks anything), and the bytes of every store file.
 */
async function storeState(home: TestHome) {
  const list = await listedKeys(home);
  const audit = JSON.parse(JSON.stringify(await inProcess(home, (app) => app.audit({ limit: 1000 }), [])));
  return { list, audit, files: await fileHashes(home.dataDir) };
}

/** sha256 of every file under dir (-wal and -shm included), so a failed comparison prints short. */
async function fileHashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of await walk(dir)) {
    out[relative(dir, file)] = createHash("sha256")
      .update(await readFile(file))
      .digest("hex");
  }
  return out;
}

describe("a store created with APIKEY_PASSPHRASE", () => {
  let home: TestHome;
  // No APIKEY_MASTER_KEY anywhere in this block.
  const opts = (passphrase: string | undefined): RunOptions => ({
    home,
    env: { APIKEY_MASTER_KEY: undefined, APIKEY_PASSPHRASE: passphrase },
  });

  // What is tested here is opening it (right, wrong, missing passphrase): the store is made in process at the
  // lowest scrypt cost a store may record, so each of the block's unlocks costs milliseconds, not a 128 MiB
  // derivation. The CLI creating a passphrase store is tested in "creating a passphrase store" below.
  beforeAll(async () => {
    home = await makeHome();
    await passphraseStore(home, PASSPHRASE, { work: WORK });
  });
  afterAll(async () => {
    await home?.cleanup();
  });

  it("is protected by the passphrase: status says so, and there is no key file", async () => {
    const s = jsonOut<Status>(await runCli(["--json", "status"], opts(PASSPHRASE)));
    expect(s).toMatchObject({ initialised: true, kekProvider: "passphrase", keyCount: 1, warnings: [] });
    expect(await readdir(home.dataDir)).not.toContain("master.key");
  });

  it("current with the same passphrase prints the key", async () => {
    const r = await runCli(["current"], opts(PASSPHRASE));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${WORK}\n`);
  });

  it("the passphrase is not needed to list (nothing is decrypted)", async () => {
    expect((await listKeys(opts(undefined))).map((k) => k.name)).toEqual(["work"]);
  });

  it("a wrong passphrase: current --json → E_WRONG_MASTER_KEY, exit 1, nothing written", async () => {
    const before = await storeState(home);
    const r = await runCli(["--json", "current"], opts(WRONG));
    expectError(r, 1, "E_WRONG_MASTER_KEY");
    expectNoSecret(r, WORK);
    expect(r.stderr).not.toContain(WRONG);
    expect(await storeState(home)).toEqual(before);
  });

  // Plain `current` is the apiKeyHelper hot path, a separate code path from `--json current`.
  it("a wrong passphrase: plain current (the hot path) → exit 1, no output on stdout, nothing written", async () => {
    const before = await storeState(home);
    const r = await runCli(["current"], opts(WRONG));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toContain(WRONG);
    expect(await storeState(home)).toEqual(before);
  });

  it("a wrong passphrase: add → E_WRONG_MASTER_KEY, exit 1, nothing written", async () => {
    const before = await storeState(home);
    const r = await addKey("other", OTHER, opts(WRONG), ["--no-validate"]);
    expectError(r, 1, "E_WRONG_MASTER_KEY");
    expectNoSecret(r, OTHER);
    expect(await storeState(home)).toEqual(before);
  });

  it("no passphrase and no terminal → E_MASTER_KEY_MISSING for current and add, nothing written", async () => {
    const before = await storeState(home);
    expectError(await runCli(["--json", "current"], opts(undefined)), 1, "E_MASTER_KEY_MISSING");
    const add = await addKey("other", OTHER, opts(undefined), ["--no-validate"]);
    expectError(add, 1, "E_MASTER_KEY_MISSING");
    expectNoSecret(add, OTHER);
    expect(await storeState(home)).toEqual(before);
  });

  it("no passphrase and no terminal: plain current (the hot path) → exit 1, no stdout, nothing written", async () => {
    const before = await storeState(home);
    const plain = await runCli(["current"], opts(undefined));
    expect(plain.code).toBe(1);
    expect(plain.stdout).toBe("");
    expect(await storeState(home)).toEqual(before);
  });

  it("an empty APIKEY_PASSPHRASE counts as unset → E_MASTER_KEY_MISSING", async () => {
    expectError(await runCli(["--json", "current"], opts("")), 1, "E_MASTER_KEY_MISSING");
  });

  it("after all that, the right passphrase still works and adds", async () => {
    const r = await addKey("other", OTHER, opts(PASSPHRASE), ["--no-validate"]);
    expect(r.code, r.stderr).toBe(0);
    expect((await runCli(["current"], opts(PASSPHRASE))).stdout).toBe(`${WORK}\n`);
    expect((await listedKeys(home)).map((k) => k.name).sort()).toEqual(["other", "work"]);
  });
});

describe("creating a passphrase store", () => {
  let home: TestHome;
  beforeAll(async () => {
    home = await makeHome();
  });
  afterAll(async () => {
    await home?.cleanup();
  });
  const opts = (passphrase: string): RunOptions => ({
    home,
    env: { APIKEY_MASTER_KEY: undefined, APIKEY_PASSPHRASE: passphrase },
  });

  // Issue 12: one rule for the store's and bundles' passphrases (12 characters).
  it("a passphrase shorter than 12 characters → E_PASSPHRASE_WEAK (exit 1), no store initialised, no key file", async () => {
    const r = await addKey("work", WORK, opts("eleven11111"), ["--no-validate"]);
    expectError(r, 1, "E_PASSPHRASE_WEAK");
    expectNoSecret(r, WORK);
    expect(r.stderr).not.toContain("eleven11111");
    const s = jsonOut<Status>(await runCli(["--json", "status"], opts("eleven11111")));
    expect(s).toMatchObject({ initialised: false, kekProvider: null, keyCount: 0 });
    expect(await readdir(home.dataDir).catch(() => [])).not.toContain("master.key");
  });

  it("12 characters is enough, and the store is then a passphrase store", async () => {
    const r = await addKey("work", WORK, opts("twelve121212"), ["--no-validate"]);
    expect(r.code, r.stderr).toBe(0);
    const s = jsonOut<Status>(await runCli(["--json", "status"], opts("twelve121212")));
    expect(s).toMatchObject({ initialised: true, kekProvider: "passphrase", keyCount: 1, warnings: [] });
    expect(await readdir(home.dataDir)).not.toContain("master.key");
    // The secret opens with that passphrase (what `current` prints), read in process.
    const active = await inProcess(home, (app) => app.active(), [
      passphraseSource({ passphrase: "twelve121212" }),
    ]);
    expect(active.secret).toBe(WORK);
    // The CLI writes the shipped cost; only tests (@apikey/core/testing) make the cheaper stores used above.
    const db = new Database(home.storePath, { readonly: true });
    try {
      const params = db.prepare("SELECT params FROM master_key_slots").pluck().all() as string[];
      expect(params.map((p) => JSON.parse(p))).toEqual([expect.objectContaining({ N: 2 ** 17, r: 8, p: 1 })]);
    } finally {
      db.close();
    }
  });
});

// No APIKEY_MASTER_KEY, no APIKEY_PASSPHRASE, and no D-Bus session bus in the CLI's environment (cliEnv passes
// none), so no OS keychain answers and the store falls back to a key file.
describe("a key-file store (nothing else available)", () => {
  let home: TestHome;
  const opts = (): RunOptions => ({ home, env: { APIKEY_MASTER_KEY: undefined } });
  const keyFile = () => join(home.dataDir, "master.key");
  let created: CliResult;

  beforeAll(async () => {
    home = await makeHome();
    created = await addKey("work", FILE_KEY, opts(), ["--no-validate"]);
  });
  afterAll(async () => {
    await home?.cleanup();
  });

  it("is created with a warning, and uses master.key (0600, in a 0700 directory)", async () => {
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toMatch(/warning/i);
    // What `status --json` reports of the store, read in process (status unlocks nothing).
    const s = await inProcess(home, (app) => app.status(), []);
    expect(s).toMatchObject({ initialised: true, kekProvider: "keyfile", keyCount: 1 });
    expect((await stat(keyFile())).mode & 0o777).toBe(0o600);
    expect((await stat(home.dataDir)).mode & 0o777).toBe(0o700);
    const text = (await readFile(keyFile(), "utf8")).trim();
    expect(Buffer.from(text, "base64")).toHaveLength(32);
  });

  it("status warns, in --json and in text", async () => {
    const s = jsonOut<Status>(await runCli(["--json", "status"], opts()));
    expect(s.warnings.length).toBeGreaterThan(0);
    const text = await runCli(["status"], opts());
    expect(text.code).toBe(0);
    expect(text.stdout + text.stderr).toMatch(/warning/i);
  });

  it("current prints the key", async () => {
    expect((await runCli(["current"], opts())).stdout).toBe(`${FILE_KEY}\n`);
  });

  it("a master.key from another store → E_WRONG_MASTER_KEY, never garbage", async () => {
    const original = await readFile(keyFile());
    try {
      await writeFile(keyFile(), `${Buffer.alloc(32, 0x33).toString("base64")}\n`, { mode: 0o600 });
      expectError(await runCli(["--json", "current"], opts()), 1, "E_WRONG_MASTER_KEY");
      const plain = await runCli(["current"], opts());
      expect(plain.code).toBe(1);
      expect(plain.stdout).toBe("");
    } finally {
      await writeFile(keyFile(), original, { mode: 0o600 });
    }
    // The restored key file opens the store again (what `current` prints), read in process.
    const active = await inProcess(home, (app) => app.active(), [keyFileSource(home.dataDir)]);
    expect(active.secret).toBe(FILE_KEY);
  });

  it("with master.key deleted: a coded E_MASTER_KEY_MISSING, no crash, no new key file, nothing written", async () => {
    await rm(keyFile());
    const before = await storeState(home);

    expectError(await runCli(["--json", "current"], opts()), 1, "E_MASTER_KEY_MISSING");
    const add = await addKey("other", OTHER, opts(), ["--no-validate"]);
    expectError(add, 1, "E_MASTER_KEY_MISSING");
    expectNoSecret(add, OTHER);

    expect(await readdir(home.dataDir)).not.toContain("master.key");
    expect(await storeState(home)).toEqual(before);
  });

  it("with master.key deleted: plain current (the hot path) → a message, not a crash, and nothing written", async () => {
    await rm(keyFile(), { force: true });
    const before = await storeState(home);
    const plain = await runCli(["current"], opts());
    expect(plain.code).toBe(1);
    expect(plain.stdout).toBe("");
    expect(plain.stderr).toMatch(/^apikey: /);
    expect(plain.stderr).not.toMatch(/\n\s+at |could not start|internal/i);
    expect(await readdir(home.dataDir)).not.toContain("master.key");
    expect(await storeState(home)).toEqual(before);
  });
});
