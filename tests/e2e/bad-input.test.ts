import { spawnSync } from "node:child_process";
import { chmod, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  addKey,
  type CliResult,
  jsonError,
  makeHome,
  OTHER_MASTER_KEY,
  type RunOptions,
  runCli,
  type TestHome,
} from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { inProcess, listedKeys } from "../fixtures/in-process.ts";
import { fakeApiKey, fakeKeyBody, keyBody } from "../fixtures/keys.ts";
import { storeTemplate } from "../fixtures/store-template.ts";

// Bad input gets a coded error, the right exit code, no echo of the input, and writes nothing.
// The CLI run under test is spawned; the store it should have left untouched is read back in process (listedKeys:
// what `list --json` prints), and so is the secret a trimmed add stored.

const EXISTING = fakeApiKey("BAD_EXISTING");
const OTHER = fakeApiKey("BAD_OTHER");
const B = fakeKeyBody("BAD_BODY");
/** A distinctive run of the malformed body: present in every malformed input below, never in a legit output. */
const B_NEEDLE = B.slice(20, 50);

let fake: FakeAnthropic;
let home: TestHome;
const opts = (extra: Partial<RunOptions> = {}): RunOptions => ({ home, baseUrl: fake.url, ...extra });

beforeAll(async () => {
  fake = await startFakeAnthropic({ validKeys: [EXISTING, OTHER] });
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(async () => {
  home = await makeHome();
});
afterEach(async () => {
  await home?.cleanup();
});

/**
 * A store holding one active key named `work`, validated against the stand-in: added once by the CLI (in process
 * there is no stand-in to validate against) and made active in process; its `list --json`, read in process.
 */
const seeded = storeTemplate(
  (h) => ({ home: h, baseUrl: fake.url }),
  async (o) => {
    const add = await addKey("work", EXISTING, o);
    expect(add.code, add.stderr).toBe(0);
    await inProcess(o.home, (app) => app.keys.use("work"));
    return listedKeys(o.home);
  },
);

/** This test's store: a copy of the seeded one; returns its `list --json` for later comparison. */
function seed(): Promise<unknown> {
  return seeded.copyTo(home);
}

function expectError(r: CliResult, exit: number, code: string) {
  expect(r.code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(exit);
  expect(jsonError(r).code).toBe(code);
}

function expectNoEcho(r: CliResult, ...secrets: string[]) {
  for (const s of secrets) {
    expect(r.stderr).not.toContain(s);
    expect(r.stdout).not.toContain(s);
  }
}

const malformed: Array<[string, string]> = [
  ["wrong version prefix", `sk-ant-api02-${B}AA`],
  ["foreign prefix", `sk-proj-${B}AA`],
  ["no prefix", `${B}AA`],
  ["upper-case prefix", `SK-ANT-API03-${B}AA`],
  ["too short", `sk-ant-api03-${B.slice(0, 50)}AA`],
  ["too long", `sk-ant-api03-${B}xAA`],
  ["missing AA suffix", `sk-ant-api03-${B}xy`],
  ["admin prefix, api length", `sk-ant-admin01-${B.slice(0, 91)}AA`],
  ["bad char '.'", `sk-ant-api03-${B.slice(0, 60)}.${B.slice(61)}AA`],
  ["inner space", `sk-ant-api03-${B.slice(0, 60)} ${B.slice(61)}AA`],
  ["non-ASCII", `sk-ant-api03-${B.slice(0, 60)}é${B.slice(61)}AA`],
  ["trailing garbage", `sk-ant-api03-${B}AAxyz`],
  ["trailing word", `sk-ant-api03-${B}AA trailing`],
  ["two keys on two lines", `sk-ant-api03-${B}AA\n${OTHER}`],
  ["quoted", `"sk-ant-api03-${B}AA"`],
];

describe("malformed keys → E_KEY_FORMAT, nothing written, input not echoed", () => {
  for (const [label, input] of malformed) {
    it(label, async () => {
      const before = await seed();
      const requests = fake.requests.length;
      const r = await addKey("bad", input, opts());
      expectError(r, 1, "E_KEY_FORMAT");
      expectNoEcho(r, B_NEEDLE, input.trim());
      expect(fake.requests.length).toBe(requests);
      expect(await listedKeys(home)).toEqual(before);
    });
  }

  it("on a fresh home, no store file is created", async () => {
    const r = await addKey("bad", `sk-ant-api02-${B}AA`, opts());
    expectError(r, 1, "E_KEY_FORMAT");
    await expect(readFile(home.storePath)).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("whitespace around a valid key is trimmed", () => {
  const wrapped: Array<[string, (k: string) => string]> = [
    ["spaces", (k) => `  ${k}  `],
    ["leading and trailing newline", (k) => `\n${k}\n`],
    ["CRLF", (k) => `${k}\r\n`],
    ["tab", (k) => `\t${k}\n`],
  ];
  for (const [label, wrap] of wrapped) {
    it(label, async () => {
      const key = fakeApiKey(`TRIM_${label.replace(/\W+/g, "_")}`);
      const r = await addKey("t", wrap(key), opts(), ["--no-validate"]);
      expect(r.code, r.stderr).toBe(0);
      // What was stored is the key alone, nothing around it (as `use t` then `current` would print it).
      expect(await inProcess(home, (app) => app.keys.reveal("t"))).toBe(key);
    });
  }
});

describe("empty input", () => {
  for (const [label, input] of [
    ["empty stdin", ""],
    ["whitespace only", " \n\t\r\n"],
  ] as const) {
    it(`${label} → E_KEY_EMPTY`, async () => {
      const before = await seed();
      const r = await addKey("empty", input, opts());
      expectError(r, 1, "E_KEY_EMPTY");
      expect(await listedKeys(home)).toEqual(before);
    });
  }
});

describe("unknown names → E_KEY_NOT_FOUND", () => {
  const commands = [
    ["use", "nope"],
    ["rename", "nope", "other"],
    ["disable", "nope"],
    ["enable", "nope"],
    ["delete", "--yes", "nope"],
    ["validate", "nope"],
  ];
  for (const args of commands) {
    it(args.join(" "), async () => {
      const before = await seed();
      const r = await runCli(["--json", ...args], opts());
      expectError(r, 1, "E_KEY_NOT_FOUND");
      expect(await listedKeys(home)).toEqual(before);
    });
  }
});

describe("usage errors → exit 2", () => {
  const cases: Array<[string, string[]]> = [
    ["unknown command", ["frobnicate"]],
    ["use without a name", ["use"]],
    ["rename with one name", ["rename", "work"]],
    ["add without a name", ["add"]],
    ["profile create without a name", ["profile", "create"]],
    ["unknown option", ["list", "--frobnicate"]],
  ];
  for (const [label, args] of cases) {
    it(label, async () => {
      const before = await seed();
      const r = await runCli(["--json", ...args], opts());
      expectError(r, 2, "E_USAGE");
      expect(await listedKeys(home)).toEqual(before);
    });
  }

  it("a secret on the command line is refused and not echoed", async () => {
    const before = await seed();
    const r = await runCli(["--json", "add", "argv", OTHER], opts());
    expect(r.code).toBe(2);
    expectNoEcho(r, keyBody(OTHER));
    expect(await listedKeys(home)).toEqual(before);
    expect(fake.requestsFor(OTHER)).toHaveLength(0);
  });
});

describe("duplicates and name clashes", () => {
  it("the same secret under another name → E_KEY_DUPLICATE naming the existing key", async () => {
    const before = await seed();
    for (const input of [EXISTING, `  ${EXISTING}\n`]) {
      const r = await addKey("again", input, opts());
      expectError(r, 1, "E_KEY_DUPLICATE");
      expect(jsonError(r).message).toContain("work");
      expectNoEcho(r, keyBody(EXISTING));
    }
    expect(await listedKeys(home)).toEqual(before);
  });

  it("a taken name on add → E_NAME_TAKEN", async () => {
    const before = await seed();
    const r = await addKey("work", OTHER, opts());
    expectError(r, 1, "E_NAME_TAKEN");
    expectNoEcho(r, keyBody(OTHER));
    expect(await listedKeys(home)).toEqual(before);
  });

  it("a taken name on rename → E_NAME_TAKEN", async () => {
    await seed();
    await inProcess(home, (app) => app.keys.add({ name: "second", secret: OTHER, validate: false }));
    const before = await listedKeys(home);
    const r = await runCli(["--json", "rename", "second", "work"], opts());
    expectError(r, 1, "E_NAME_TAKEN");
    expect(await listedKeys(home)).toEqual(before);
  });
});

describe("profiles", () => {
  it("profile delete of an unknown profile → E_PROFILE_NOT_FOUND", async () => {
    const before = await seed();
    expectError(await runCli(["--json", "profile", "delete", "nope"], opts()), 1, "E_PROFILE_NOT_FOUND");
    expect(await listedKeys(home)).toEqual(before);
  });

  it("add into an unknown profile → E_PROFILE_NOT_FOUND, nothing stored", async () => {
    const before = await seed();
    const r = await runCli(["--profile", "nope", "--json", "add", "k"], opts({ stdin: OTHER }));
    expectError(r, 1, "E_PROFILE_NOT_FOUND");
    expect(await listedKeys(home)).toEqual(before);
  });
});

describe("master key", () => {
  it("a wrong APIKEY_MASTER_KEY on an existing store → E_WRONG_MASTER_KEY, nothing revealed or written", async () => {
    const before = await seed();
    const wrong = opts({ env: { APIKEY_MASTER_KEY: OTHER_MASTER_KEY } });

    const cur = await runCli(["--json", "current"], wrong);
    expectError(cur, 1, "E_WRONG_MASTER_KEY");
    expect(cur.stdout).toBe("");
    expectNoEcho(cur, OTHER_MASTER_KEY, keyBody(EXISTING));

    const add = await addKey("k2", OTHER, wrong);
    expectError(add, 1, "E_WRONG_MASTER_KEY");
    expectNoEcho(add, OTHER_MASTER_KEY, keyBody(OTHER));

    expect(await listedKeys(home)).toEqual(before);
    expect((await inProcess(home, (app) => app.active())).secret).toBe(EXISTING);
  });

  it("a malformed APIKEY_MASTER_KEY makes add fail without echoing it or storing anything", async () => {
    const bad = "not-base64-and-not-32-bytes!!";
    const r = await addKey("k", OTHER, opts({ env: { APIKEY_MASTER_KEY: bad } }));
    expect(r.code).toBe(1);
    jsonError(r);
    expectNoEcho(r, bad, keyBody(OTHER));
    expect(await listedKeys(home)).toEqual([]);
  });
});

describe("damaged or unwritable store", () => {
  // Not SQLite at all: not an apikey store (issue 20 item 10), refused as E_NOT_A_STORE.
  it("a garbage apikey.db → E_NOT_A_STORE, file untouched", async () => {
    await mkdir(home.dataDir, { mode: 0o700 });
    const garbage = Buffer.from("this is not an SQLite database\n".repeat(300));
    await writeFile(home.storePath, garbage, { mode: 0o600 });

    expectError(await runCli(["--json", "list"], opts()), 1, "E_NOT_A_STORE");
    const add = await addKey("k", OTHER, opts());
    expectError(add, 1, "E_NOT_A_STORE");
    expectNoEcho(add, keyBody(OTHER));

    expect((await readFile(home.storePath)).equals(garbage)).toBe(true);
    expect(await readdir(home.dataDir)).toEqual(["apikey.db"]);
  });

  // Root ignores permission bits, so chmod alone proves nothing in CI containers. This case puts APIKEY_HOME under a
  // regular file: the data dir cannot be created by anyone (ENOTDIR). It covers "cannot create the store", not
  // "cannot write to an existing one" — the next test covers that.
  it("a data dir that cannot be created → E_STORE_READONLY", async () => {
    const blocker = join(home.root, "blocker");
    await writeFile(blocker, "a regular file\n");
    const blocked = {
      ...home,
      dataDir: join(blocker, "data"),
      storePath: join(blocker, "data", "apikey.db"),
    };
    const r = await addKey("k", OTHER, { home: blocked, baseUrl: fake.url });
    expectError(r, 1, "E_STORE_READONLY");
    expectNoEcho(r, keyBody(OTHER));
    expect(await readFile(blocker, "utf8")).toBe("a regular file\n");
  });

  // An existing store made unwritable: `chattr +i` (immutable, which binds root too) when running as root, else
  // chmod. Skipped, with the reason, where neither is possible (e.g. a filesystem without the immutable flag).
  it("an existing store that cannot be written → E_STORE_READONLY, contents unchanged", async (ctx) => {
    const before = await seed();
    const undo = await makeUnwritable(home.dataDir);
    if (!undo) {
      ctx.skip("cannot make the store unwritable here (root without chattr +i support)");
      return;
    }
    let r: CliResult;
    try {
      r = await addKey("k2", OTHER, opts());
    } finally {
      await undo();
    }
    expectError(r, 1, "E_STORE_READONLY");
    expectNoEcho(r, keyBody(OTHER));
    expect(await listedKeys(home)).toEqual(before);
  });
});

/** Makes `dir` and every file in it unwritable even for root; returns an undo, or null if that is not possible. */
async function makeUnwritable(dir: string): Promise<(() => Promise<void>) | null> {
  const files = (await readdir(dir)).map((f) => join(dir, f));
  if (process.getuid?.() !== 0) {
    for (const f of files) await chmod(f, 0o400);
    await chmod(dir, 0o500);
    return async () => {
      await chmod(dir, 0o700);
      for (const f of files) await chmod(f, 0o600);
    };
  }
  const set = spawnSync("chattr", ["+i", ...files, dir], { stdio: "ignore" });
  if (set.status !== 0) {
    spawnSync("chattr", ["-i", ...files, dir], { stdio: "ignore" });
    return null;
  }
  // Prove the flag binds before trusting it.
  try {
    await writeFile(join(dir, "probe"), "x");
    spawnSync("chattr", ["-i", ...files, dir], { stdio: "ignore" });
    await rm(join(dir, "probe"), { force: true });
    return null;
  } catch {
    return async () => {
      spawnSync("chattr", ["-i", ...files, dir], { stdio: "ignore" });
    };
  }
}
