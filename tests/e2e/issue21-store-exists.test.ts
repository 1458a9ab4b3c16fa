import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addKey,
  CLI_PATH,
  type CliResult,
  cliEnv,
  jsonError,
  jsonOut,
  makeHome,
  OTHER_MASTER_KEY,
  type RunOptions,
  runCli,
  type TestHome,
} from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { onPostgres, storeUrl, usePrivatePostgres, withPgStore } from "../fixtures/postgres.ts";

// Issue 21: "is there a store here?" has one answer for both kinds of store (storage's storeExistsAt). `scan` uses
// the store only when there is one, and `add` unlocks an existing store before it reads the key, so a wrong master
// key is reported before anything is pasted. Both used to look for the SQLite file only: `scan --import` against a
// PostgreSQL store said there was no store, and `add` read the key first.

const STORED = fakeApiKey("ISSUE21_EXISTS_STORED");
const FOUND = fakeApiKey("ISSUE21_EXISTS_FOUND");
const PASTED = fakeApiKey("ISSUE21_EXISTS_PASTED");
const server = usePrivatePostgres();

let home: TestHome;
// The PostgreSQL runs get a home with no SQLite file in it, so no check of that file can pass for them.
let pgHome: TestHome;
let tree: string;

beforeAll(async () => {
  home = await makeHome();
  pgHome = await makeHome();
  tree = join(home.root, "tree");
  await mkdir(tree, { recursive: true });
  await writeFile(join(tree, "app.env"), `ANTHROPIC_API_KEY=${FOUND}\n`);
});
afterAll(async () => {
  await home?.cleanup();
  await pgHome?.cleanup();
});

/**
 * `add NAME` with a stdin that stays open and empty: a CLI that reads the key waits until it is killed. Resolves with
 * the result and whether stdin was still open (nothing consumed it to its end) when the CLI exited.
 */
function addWithOpenStdin(name: string, opts: RunOptions, timeoutMs = 25_000): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, "--json", "add", "--no-validate", name], {
      cwd: opts.home.homeDir,
      env: cliEnv(opts),
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.stdin.on("error", () => {});
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        elapsedMs: performance.now() - started,
      });
    });
  });
}

async function pgCounts(url: string): Promise<{ keys: number; audit: number }> {
  return withPgStore(url, async (store) => ({
    keys: (await store.keys.list()).length,
    audit: (await store.audit.list()).length,
  }));
}

describe("issue 21: one answer to 'is there a store here' (SQLite and PostgreSQL)", () => {
  it("add with a wrong master key on an existing SQLite store fails before reading the key", {
    timeout: 60_000,
  }, async () => {
    const opts: RunOptions = { home };
    expect((await addKey("first", STORED, opts, ["--no-validate"])).code).toBe(0);
    const r = await addWithOpenStdin("second", { home, env: { APIKEY_MASTER_KEY: OTHER_MASTER_KEY } });
    expect(r.signal, "the CLI waited for the key on stdin").toBeNull();
    expect(jsonError(r).code).toBe("E_WRONG_MASTER_KEY");
    expect(
      jsonOut<Array<{ name: string }>>(await runCli(["--json", "list"], opts)).map((k) => k.name),
    ).toEqual(["first"]);
  });

  describe("on PostgreSQL", () => {
    it("add with a wrong master key on an existing store fails before reading the key, writing nothing", {
      timeout: 90_000,
    }, async () => {
      if (!server) return;
      const url = storeUrl(server(), "exists_add");
      const opts = onPostgres({ home: pgHome }, url);
      const first = await addKey("first", STORED, opts, ["--no-validate"]);
      expect(first.code, first.stderr).toBe(0);
      const before = await pgCounts(url);

      const wrong = onPostgres({ home: pgHome, env: { APIKEY_MASTER_KEY: OTHER_MASTER_KEY } }, url);
      const r = await addWithOpenStdin("second", wrong);
      expect(r.signal, "the CLI waited for the key on stdin").toBeNull();
      expect(jsonError(r).code).toBe("E_WRONG_MASTER_KEY");
      expect(await pgCounts(url)).toEqual(before);
      expect(existsSync(pgHome.storePath)).toBe(false);

      // The same add with the right master key still reads the key from stdin and stores it.
      const right = await addKey("second", PASTED, opts, ["--no-validate"]);
      expect(right.code, right.stderr).toBe(0);
      expect((await pgCounts(url)).keys).toBe(before.keys + 1);
    });

    it("scan finds the keys a PostgreSQL store holds, and --import stores the others", {
      timeout: 90_000,
    }, async () => {
      if (!server) return;
      const url = storeUrl(server(), "exists_scan");
      const opts = onPostgres({ home: pgHome }, url);
      expect((await addKey("kept", FOUND, opts, ["--no-validate"])).code).toBe(0);
      const plain = await runCli(["--json", "scan", tree], opts);
      expect(plain.code).toBe(1);
      expect(JSON.parse(plain.stdout).findings[0].stored).toEqual({ profile: "default", name: "kept" });

      await writeFile(join(tree, "other.env"), `KEY=${PASTED}\n`);
      try {
        const imported = await runCli(["--json", "scan", "--import", tree], opts);
        expect(imported.code, imported.stderr).toBe(1);
        const stored = JSON.parse(imported.stdout).findings.map((f: { stored: unknown }) => f.stored);
        expect(stored).toEqual(
          expect.arrayContaining([
            { profile: "default", name: "kept" },
            { profile: "default", name: "found-1" },
          ]),
        );
        expect(imported.stdout + imported.stderr).not.toContain(PASTED);
        expect((await pgCounts(url)).keys).toBe(2);
      } finally {
        await writeFile(join(tree, "other.env"), "");
      }
    });

    it("scan against a PostgreSQL schema with no store says so and creates nothing", {
      timeout: 60_000,
    }, async () => {
      if (!server) return;
      const url = storeUrl(server(), "exists_none");
      const opts = onPostgres({ home: pgHome }, url);
      const plain = await runCli(["--json", "scan", tree], opts);
      expect(plain.code).toBe(1);
      expect(JSON.parse(plain.stdout).findings[0].stored).toBeNull();
      const imported = await runCli(["--json", "scan", "--import", tree], opts);
      expect(jsonError(imported).message).toMatch(/no store to import into/);
      const status = await runCli(["--json", "status"], opts);
      expect(jsonError(status).code).toBe("E_NO_STORE");
      expect(existsSync(pgHome.storePath)).toBe(false);
    });
  });
});
