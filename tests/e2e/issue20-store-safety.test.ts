import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { programDefinition } from "../../apps/cli/src/docs/program-definition.ts";
import {
  addKey,
  type CliResult,
  jsonError,
  jsonOut,
  makeHome,
  type RunOptions,
  runCli,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { onPostgres, storeUrl, usePrivatePostgres } from "../fixtures/postgres.ts";
import { storeTemplate } from "../fixtures/store-template.ts";

// Issue 20, items 7, 9, 10 and 15: a store is used only when it is the user's own, whole apikey store; only the
// commands that add a key create one; a store that lost its master-key slots is named damaged, never "empty".

const KEY = fakeApiKey("STORE_SAFETY_TEST");
const KEY2 = fakeApiKey("STORE_SAFETY_TWO");
const IS_ROOT = process.getuid?.() === 0;
const OTHER_UID = 12345;

let home: TestHome;
let opts: RunOptions;
beforeEach(async () => {
  home = await makeHome();
  opts = { home, env: { APIKEY_MASTER_KEY: TEST_MASTER_KEY } };
});
afterEach(() => home?.cleanup());

const sha = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Every file under the data directory with its hash: what "nothing was read or written" compares. */
function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(readdirSync(dir).map((name) => [name, sha(join(dir, name))]));
}

/** writeFileSync's mode is filtered by the umask: set it exactly. */
function plantFile(path: string, text: string, mode: number): void {
  writeFileSync(path, text);
  chmodSync(path, mode);
}

function expectCode(r: CliResult, code: string): void {
  expect(r.code, r.stderr).toBe(1);
  expect(jsonError(r).code, r.stderr).toBe(code);
  expect(r.stdout).not.toContain("sk-ant-");
}

async function storeWithKey(options: RunOptions = opts): Promise<void> {
  const r = await addKey("work", KEY, options, ["--no-validate"]);
  expect(r.code, r.stderr).toBe(0);
}

// The same store, made once by storeWithKey and copied into the tests that only start from it.
const template = storeTemplate(
  (h) => ({ home: h, env: { APIKEY_MASTER_KEY: TEST_MASTER_KEY } }),
  (o) => storeWithKey(o),
);
const storeCopy = () => template.copyTo(home);

// `current` alone takes the hot path (no --json); with --json the full program. Both must refuse.
const READERS: Array<[string, string[]]> = [
  ["current (hot path)", ["current"]],
  ["current --json", ["--json", "current"]],
  ["list", ["--json", "list"]],
  ["reveal", ["--json", "reveal", "work"]],
  ["status", ["--json", "status"]],
];

describe("issue 20 item 7: a store others can write or own is refused, untouched", () => {
  const spellings: Array<[string, (dir: string, db: string) => void]> = [
    ["directory 0777", (dir) => chmodSync(dir, 0o777)],
    ["directory 0770", (dir) => chmodSync(dir, 0o770)],
    ["directory 0702", (dir) => chmodSync(dir, 0o702)],
    ["database 0666", (_dir, db) => chmodSync(db, 0o666)],
    ["database 0660", (_dir, db) => chmodSync(db, 0o660)],
    ["database 0602", (_dir, db) => chmodSync(db, 0o602)],
    ["a -wal file 0666", (_dir, db) => plantFile(`${db}-wal`, "", 0o666)],
    ["a -shm file 0662", (_dir, db) => plantFile(`${db}-shm`, "", 0o662)],
    ["a key file 0666", (dir) => plantFile(join(dir, "master.key"), "x\n", 0o666)],
    ["its parent 0777 (not sticky)", (dir) => chmodSync(join(dir, ".."), 0o777)],
  ];
  for (const [label, plant] of spellings) {
    it(`item 7: ${label}: every read and the first write are refused with the fix, nothing read or written`, async () => {
      await storeCopy();
      plant(home.dataDir, home.storePath);
      const before = snapshot(home.dataDir);
      for (const [what, args] of READERS) {
        const r = await runCli(args, opts);
        expect(r.code, `${what}: ${r.stderr}`).toBe(1);
        expect(r.stdout, what).not.toContain("sk-ant-");
        expect(r.stderr, what).toMatch(/chmod (700|600|o-w) /);
        if (args[0] === "--json") expect(jsonError(r).code, what).toBe("E_STORE_UNSAFE");
      }
      expectCode(await addKey("two", KEY2, opts, ["--no-validate"]), "E_STORE_UNSAFE");
      expect(snapshot(home.dataDir)).toEqual(before);
    });
  }

  const owned: Array<[string, (dir: string, db: string) => void]> = [
    ["the directory", (dir) => chownSync(dir, OTHER_UID, OTHER_UID)],
    ["the database", (_dir, db) => chownSync(db, OTHER_UID, OTHER_UID)],
    [
      "the key file",
      (dir) => {
        writeFileSync(join(dir, "master.key"), "x\n", { mode: 0o600 });
        chownSync(join(dir, "master.key"), OTHER_UID, OTHER_UID);
      },
    ],
    ["the parent directory", (dir) => chownSync(join(dir, ".."), OTHER_UID, OTHER_UID)],
  ];
  for (const [label, plant] of owned) {
    it.skipIf(!IS_ROOT)(
      `item 7: ${label} owned by another user (uid ${OTHER_UID}, mode 0600/0700) is refused${IS_ROOT ? "" : " (skipped: needs root to chown)"}`,
      async () => {
        await storeCopy();
        plant(home.dataDir, home.storePath);
        const before = snapshot(home.dataDir);
        for (const [what, args] of READERS) {
          const r = await runCli(args, opts);
          expect(r.code, `${what}: ${r.stderr}`).toBe(1);
          expect(r.stdout, what).not.toContain("sk-ant-");
          expect(r.stderr, what).toMatch(/chown |move the store/);
        }
        expectCode(await addKey("two", KEY2, opts, ["--no-validate"]), "E_STORE_UNSAFE");
        expect(snapshot(home.dataDir)).toEqual(before);
      },
    );
  }

  it("item 7: a store is not created inside a directory others can write", async () => {
    chmodSync(home.root, 0o777);
    expectCode(await addKey("work", KEY, opts, ["--no-validate"]), "E_STORE_UNSAFE");
    expect(existsSync(home.dataDir)).toBe(false);
  });

  it("item 7: the user's own 0700/0600 store (and a linked APIKEY_HOME) still opens", async () => {
    await storeWithKey();
    const r = await runCli(["current"], opts);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(KEY);
  });
});

/** What this file reads of a commander Command (tests do not depend on commander's types). */
interface Command {
  readonly commands: readonly Command[];
  name(): string;
  readonly registeredArguments: ReadonlyArray<{ required: boolean }>;
}

/** The real program, as `apikey` builds it; captured instead of parsed. */
const realProgram = programDefinition;

/** Every runnable command (leaves and groups with their own action), with arguments that reach the store. */
function commandLines(program: Command, root: string): Array<{ path: string; args: string[] }> {
  const out: Array<{ path: string; args: string[] }> = [];
  const visit = (cmd: Command, path: string[]) => {
    const hasAction = (cmd as unknown as { _actionHandler?: unknown })._actionHandler != null;
    if (path.length > 0 && (hasAction || cmd.commands.length === 0)) {
      const name = path.join(" ");
      const positional = cmd.registeredArguments.filter((a) => a.required).map(() => "x");
      const args = ARGS[name] ?? [...positional, ...(EXTRA_ARGS[name] ?? [])];
      out.push({ path: name, args: [...path, ...args].map((a) => a.replace("ROOT", root)) });
    }
    for (const sub of cmd.commands) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return out;
}

// Required options and the like, so each command gets as far as opening the store.
const EXTRA_ARGS: Record<string, string[]> = {
  exec: ["--", "true"],
  inject: ["-i", "/dev/null"],
  "store copy": ["--to", "ROOT/copy.db"],
  export: ["--out", "ROOT/bundle.apikey"],
  scan: ["ROOT/home"],
  proxy: ["--port", "0"],
};
// Arguments in full, where "x" for each would be refused as input before the store is opened.
const ARGS: Record<string, string[]> = {
  completion: ["bash"],
  __complete: ["keys"],
  rename: ["x", "y"],
  "budget set": ["x", "5"],
  rotate: ["x"],
};

// export asks for the bundle's passphrase before it opens the store.
const EXPORT_ENV = { APIKEY_EXPORT_PASSPHRASE: "TEST fake bundle passphrase 1234" };

// What a command reads before it opens the store (rotate takes the new key first).
const STDIN: Record<string, string> = { rotate: KEY2 };

// What may say "nothing here" in its own words: an empty answer (exit 0), or the no-store / no-active-key errors
// whose hint says how to make a store.
function noStoreProblem(path: string, r: CliResult): string | null {
  if (r.signal !== null) return `${path}: did not finish`;
  if (r.code === 0) return null;
  let e: { code: string; hint?: string | null };
  try {
    e = jsonError(r);
  } catch {
    return `${path}: ${r.stderr}`;
  }
  if (!["E_NO_STORE", "E_NO_ACTIVE_KEY"].includes(e.code) || !/apikey add NAME/.test(e.hint ?? "")) {
    return `${path}: ${r.stderr.trim()}`;
  }
  return null;
}

describe("issue 20 item 9: only the commands that add a key create a store", () => {
  it("item 9: the commands allowed to create are exactly these (adding one is a decision, made here)", async () => {
    const { CREATES_STORE } = await import("../../apps/cli/src/program.ts");
    expect([...CREATES_STORE].sort()).toEqual(
      ["add", "import", "login", "oauth provider add", "profile create"].sort(),
    );
  });

  it("item 9: every other command, run on a missing SQLite store, creates nothing and says there is none", async () => {
    const { CREATES_STORE } = await import("../../apps/cli/src/program.ts");
    const program = await realProgram();
    const lines = commandLines(program, home.root).filter((l) => !CREATES_STORE.has(l.path));
    expect(lines.length).toBeGreaterThan(35);
    lines.push({ path: "rotate --finish", args: ["rotate", "--finish"] });
    const env = { ...opts.env, ...EXPORT_ENV };
    const problems: string[] = [];
    for (const { path, args } of lines) {
      const r = await runCli(["--json", ...args], {
        ...opts,
        env,
        stdin: STDIN[path] ?? "",
        timeoutMs: 15_000,
      });
      if (existsSync(home.dataDir) || existsSync(join(home.root, "copy.db")))
        problems.push(`${path}: created a store`);
      problems.push(...[noStoreProblem(path, r)].filter((p): p is string => p !== null));
      await rm(home.dataDir, { recursive: true, force: true });
    }
    expect(problems).toEqual([]);
  }, 300_000);

  it("item 9: import --dry-run and scan without --import create nothing either", async () => {
    const env = join(home.root, "one.env");
    writeFileSync(env, `ANTHROPIC_API_KEY=${KEY}\n`);
    expect((await runCli(["--json", "import", "--from", "dotenv", env, "--dry-run"], opts)).code).toBe(0);
    const r = await runCli(["--json", "scan", env], opts);
    expect(r.code === 0 || r.code === 1, r.stderr).toBe(true);
    expect(existsSync(home.dataDir)).toBe(false);
  });
});

describe("issue 20 item 9 on PostgreSQL: reads create no schema", () => {
  const server = usePrivatePostgres();
  if (!server) return;
  const schemaOf = (url: string) => new URL(url).searchParams.get("schema") ?? "";
  async function schemaExists(url: string): Promise<boolean> {
    const client = new pg.Client({ connectionString: url.replace(/\?.*$/, "") });
    await client.connect();
    try {
      const r = await client.query("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1", [
        schemaOf(url),
      ]);
      return r.rows[0].n === 1;
    } finally {
      await client.end();
    }
  }

  it("item 9: every command but the creating ones leaves the schema uncreated and says there is no store", async () => {
    const { CREATES_STORE } = await import("../../apps/cli/src/program.ts");
    const program = await realProgram();
    const url = storeUrl(server(), "item9");
    const pgOpts = onPostgres({ ...opts, env: { ...opts.env, ...EXPORT_ENV } }, url);
    const lines = commandLines(program, home.root).filter((l) => !CREATES_STORE.has(l.path));
    const problems: string[] = [];
    for (const { path, args } of lines) {
      const r = await runCli(["--json", ...args], { ...pgOpts, stdin: STDIN[path] ?? "", timeoutMs: 15_000 });
      if (await schemaExists(url)) problems.push(`${path}: created the schema`);
      if (existsSync(home.dataDir)) problems.push(`${path}: created APIKEY_HOME`);
      problems.push(...[noStoreProblem(path, r)].filter((p): p is string => p !== null));
    }
    expect(problems).toEqual([]);
    // The one way in: adding a key creates the schema, and reads then work.
    expect((await addKey("work", KEY, pgOpts, ["--no-validate"])).code).toBe(0);
    expect(await schemaExists(url)).toBe(true);
    expect(jsonOut<unknown[]>(await runCli(["--json", "list"], pgOpts))).toHaveLength(1);
  }, 300_000);
});

describe("issue 20 item 10: a file that is not an apikey store is refused and left as it was", () => {
  const foreignSqlite = (sql: string) => (path: string) => {
    const db = new Database(path);
    db.exec(sql);
    db.close();
  };
  const files: Array<[string, (path: string) => void]> = [
    ["a 0-byte file", (p) => writeFileSync(p, "")],
    ["a 1-byte file", (p) => writeFileSync(p, "x")],
    ['a "\\n" file', (p) => writeFileSync(p, "\n")],
    ["a text file", (p) => writeFileSync(p, "ANTHROPIC_API_KEY=nothing here\n".repeat(50))],
    [
      "SQLite's header then garbage",
      (p) => writeFileSync(p, Buffer.concat([Buffer.from("SQLite format 3\0"), Buffer.alloc(4096, 7)])),
    ],
    ["another program's SQLite database", foreignSqlite("CREATE TABLE foo (x); INSERT INTO foo VALUES (1)")],
    [
      "a SQLite database with a keys table",
      foreignSqlite("CREATE TABLE keys (id text); CREATE TABLE profiles (name text)"),
    ],
    [
      "a SQLite database with an empty migrations table",
      foreignSqlite("CREATE TABLE __drizzle_migrations (id integer, hash text, created_at numeric)"),
    ],
    ["an empty WAL-mode SQLite database", foreignSqlite("PRAGMA journal_mode = WAL; CREATE TABLE t (x)")],
  ];
  const masterKeys: Array<[string, Record<string, string | undefined>, boolean]> = [
    ["an env-key store", { APIKEY_MASTER_KEY: TEST_MASTER_KEY }, false],
    [
      "a passphrase store",
      { APIKEY_MASTER_KEY: undefined, APIKEY_PASSPHRASE: "TEST fake passphrase 1234 long" },
      false,
    ],
    ["a key-file store", { APIKEY_MASTER_KEY: undefined }, true],
  ];
  for (const [kind, env, keyFile] of masterKeys) {
    for (const [label, write] of files) {
      it(`item 10: ${label} in ${kind}: add, list, current, status refuse it; its bytes are unchanged`, async () => {
        mkdirSync(home.dataDir, { mode: 0o700 });
        chmodSync(home.dataDir, 0o700);
        write(home.storePath);
        chmodSync(home.storePath, 0o600);
        if (keyFile) writeFileSync(join(home.dataDir, "master.key"), `${TEST_MASTER_KEY}\n`, { mode: 0o600 });
        const before = snapshot(home.dataDir);
        const o: RunOptions = { home, env };
        const empty = label === "a 0-byte file";
        // An empty file beside a key file was already named damage (issue 12); everything else: not a store.
        const expected = empty && keyFile ? "E_STORE_CORRUPT" : "E_NOT_A_STORE";
        expectCode(await addKey("work", KEY, o, ["--no-validate"]), expected);
        for (const args of [
          ["--json", "list"],
          ["--json", "current"],
          ["--json", "status"],
          ["--json", "reveal", "work"],
        ]) {
          expectCode(await runCli(args, o), expected);
        }
        const hot = await runCli(["current"], o);
        expect(hot.code).toBe(1);
        expect(hot.stdout).toBe("");
        expect(snapshot(home.dataDir)).toEqual(before);
      });
    }
  }

  it("item 10: store copy into a foreign SQLite file refuses it and leaves it unchanged", async () => {
    await storeCopy();
    const target = join(home.root, "other.db");
    foreignSqlite("CREATE TABLE foo (x)")(target);
    const before = sha(target);
    const r = await runCli(["--json", "store", "copy", "--to", target], opts);
    expect(r.code, r.stderr).toBe(1);
    expect(jsonError(r).code).toBe("E_NOT_A_STORE");
    expect(sha(target)).toBe(before);
  });

  it("item 10: a real store still opens, and a new one appears only whole (no empty file ever)", async () => {
    await storeWithKey();
    expect(readFileSync(home.storePath).subarray(0, 16).toString("latin1")).toBe("SQLite format 3\0");
    expect(readdirSync(home.dataDir).filter((f) => f.includes(".new"))).toEqual([]);
    expect((await runCli(["current"], opts)).stdout.trim()).toBe(KEY);
  });
});

describe("issue 20 item 15: a store whose master-key slots are gone is damaged, never empty", () => {
  const damage: Array<[string, string]> = [
    ["every slot row deleted", "DELETE FROM master_key_slots"],
    ["every slot and the meta row deleted", "DELETE FROM master_key_slots; DELETE FROM store_meta"],
    ["the slot's wrapped data key emptied", "UPDATE master_key_slots SET wrapped_dek = x''"],
    [
      "the slot's wrapped data key cut short",
      "UPDATE master_key_slots SET wrapped_dek = substr(wrapped_dek, 1, 20)",
    ],
    ["the slot's nonce cut to one byte", "UPDATE master_key_slots SET dek_nonce = x'00'"],
  ];
  for (const [label, sql] of damage) {
    it(`item 15: ${label}: current (both paths), add and reveal say E_STORE_CORRUPT; status says damaged`, async () => {
      await storeCopy();
      const db = new Database(home.storePath);
      db.exec(sql);
      db.close();
      const count = () => {
        const d = new Database(home.storePath, { readonly: true });
        try {
          return d
            .prepare("SELECT (SELECT count(*) FROM keys) || '/' || (SELECT count(*) FROM master_key_slots)")
            .pluck()
            .get();
        } finally {
          d.close();
        }
      };
      const rows = count();
      const hot = await runCli(["current"], opts);
      expect(hot.code).toBe(1);
      expect(hot.stdout).toBe("");
      expect(hot.stderr).toMatch(/damaged/);
      expect(hot.stderr).not.toMatch(/store is empty/i);
      for (const args of [
        ["--json", "current"],
        ["--json", "reveal", "work"],
        ["--json", "exec", "--", "true"],
      ]) {
        const r = await runCli(args, opts);
        expectCode(r, "E_STORE_CORRUPT");
        expect(jsonError(r).hint ?? "").toMatch(/backup|export/);
      }
      expectCode(await addKey("two", KEY2, opts, ["--no-validate"]), "E_STORE_CORRUPT");
      expect(count()).toBe(rows);
      // Listing needs no unlock: the keys still show, and status names the damage.
      expect(jsonOut<unknown[]>(await runCli(["--json", "list"], opts))).toHaveLength(1);
      const s = jsonOut<{ damage: string | null; warnings: string[] }>(
        await runCli(["--json", "status"], opts),
      );
      expect(s.damage).toBe("no_slots");
      expect(s.warnings.join(" ")).toMatch(/damaged/);
    });
  }

  it("item 15: a sound store's status reports no damage", async () => {
    await storeCopy();
    expect(jsonOut<{ damage: unknown }>(await runCli(["--json", "status"], opts)).damage).toBeNull();
  });
});
