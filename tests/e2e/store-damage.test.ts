import { existsSync, readdirSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { keyFileSource } from "@apikey/core";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addKey,
  jsonError,
  jsonOut,
  makeHome,
  type RunOptions,
  runCli,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { passphraseStore } from "../fixtures/passphrase-store.ts";

// Issue 12, items 10 and 11: reads never write, and damage is named, never mistaken for a new store.

const KEY = fakeApiKey("DAMAGE");
let home: TestHome;
beforeEach(async () => {
  home = await makeHome();
});
afterEach(() => home?.cleanup());

describe("item 10: read-only commands on no store create nothing", () => {
  const reads: Array<[string, string[], number]> = [
    ["list", ["--json", "list"], 0],
    ["status", ["--json", "status"], 0],
    ["audit", ["--json", "audit"], 0],
    ["usage", ["--json", "usage"], 0],
    ["profile list", ["--json", "profile", "list"], 0],
    ["slot list", ["--json", "slot", "list"], 0],
    ["current", ["--json", "current"], 1],
  ];
  for (const [label, args, exit] of reads) {
    it(`item 10: ${label} answers as an empty store and leaves APIKEY_HOME uncreated`, async () => {
      const r = await runCli(args, { home, env: { APIKEY_MASTER_KEY: TEST_MASTER_KEY } });
      expect(r.code, r.stderr).toBe(exit);
      if (exit === 1) expect(jsonError(r).code).toBe("E_NO_ACTIVE_KEY");
      expect(existsSync(home.dataDir)).toBe(false);
    });
  }

  it("item 10: status on no store says it is not initialised, at the path it would use", async () => {
    const s = jsonOut<{ initialised: boolean; location: string; keyCount: number }>(
      await runCli(["--json", "status"], { home, env: { APIKEY_MASTER_KEY: TEST_MASTER_KEY } }),
    );
    expect(s).toMatchObject({ initialised: false, keyCount: 0 });
    expect(s.location).toContain(home.dataDir);
  });

  it("item 10: import --dry-run on no store writes nothing", async () => {
    const env = join(home.root, "two.env");
    writeFileSync(env, `ANTHROPIC_API_KEY=${KEY}\n`);
    const r = await runCli(["--json", "import", "--from", "dotenv", env, "--dry-run"], {
      home,
      env: { APIKEY_MASTER_KEY: TEST_MASTER_KEY },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(home.dataDir)).toBe(false);
  });
});

describe("item 11: damage is refused by name", () => {
  it("item 11: stdin is bounded: 8 MB piped to add is refused with a coded error, nothing stored", async () => {
    const opts: RunOptions = { home, env: { APIKEY_MASTER_KEY: TEST_MASTER_KEY } };
    const r = await runCli(["--json", "add", "big"], { ...opts, stdin: Buffer.alloc(8 * 1024 * 1024, 0x61) });
    expect(r.code).toBe(2);
    expect(jsonError(r).code).toBe("E_USAGE");
    expect(existsSync(home.dataDir)).toBe(false);
  });

  it("item 11: a database truncated to 0 bytes beside its key file is E_STORE_CORRUPT, never a new store", async () => {
    const opts: RunOptions = { home, env: { APIKEY_MASTER_KEY: undefined } };
    // The starting stores are made in process (as the CLI's first `add` makes them); the damage is what is tested.
    await inProcess(home, (app) => app.keys.add({ name: "work", secret: KEY, validate: false }), [
      keyFileSource(home.dataDir),
    ]);
    expect(readdirSync(home.dataDir)).toContain("master.key");
    truncateSync(home.storePath, 0);
    for (const args of [
      ["--json", "list"],
      ["--json", "current"],
    ]) {
      const r = await runCli(args, opts);
      expect(jsonError(r).code).toBe("E_STORE_CORRUPT");
    }
    const add = await addKey("again", fakeApiKey("DAMAGE_AGAIN"), opts, ["--no-validate"]);
    expect(jsonError(add).code).toBe("E_STORE_CORRUPT");
    expect(statSync(home.storePath).size).toBe(0);
  });

  it("item 11: a slot's parameters edited into invalid JSON → E_STORE_CORRUPT, not an internal error", async () => {
    const opts: RunOptions = { home, env: { APIKEY_MASTER_KEY: TEST_MASTER_KEY } };
    await inProcess(home, (app) => app.keys.add({ name: "work", secret: KEY, validate: false }));
    const db = new Database(home.storePath);
    db.prepare("UPDATE master_key_slots SET params = '{not json'").run();
    db.close();
    expect(jsonError(await runCli(["--json", "reveal", "work", "--yes"], opts)).code).toBe("E_STORE_CORRUPT");
  });

  it("item 11: tampered scrypt parameters → E_STORE_CORRUPT, not an internal error or a runaway hash", async () => {
    const passphrase = "damage test passphrase";
    const opts: RunOptions = { home, env: { APIKEY_MASTER_KEY: undefined, APIKEY_PASSPHRASE: passphrase } };
    await passphraseStore(home, passphrase, { work: KEY });
    const db = new Database(home.storePath);
    const params = JSON.parse(db.prepare("SELECT params FROM master_key_slots").pluck().get() as string);
    db.prepare("UPDATE master_key_slots SET params = ?").run(JSON.stringify({ ...params, N: 2 ** 40 }));
    db.close();
    const r = await runCli(["--json", "reveal", "work", "--yes"], opts);
    expect(jsonError(r).code).toBe("E_STORE_CORRUPT");
    expect(r.stdout).toBe("");
  });
});
