import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CliResult,
  jsonError,
  jsonOut,
  makeHome,
  type RunOptions,
  runCli,
  type TestHome,
  walk,
} from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey, fakeOauthToken, keyBody } from "../fixtures/keys.ts";

// `apikey import --from opencode|dotenv|env`: moving in from other tools, through the built CLI in temp homes.

const OPENCODE_KEY = fakeApiKey("OPENCODE_ANTHROPIC");
const DOTENV_A = fakeApiKey("DOTENV_A");
const DOTENV_B = fakeApiKey("DOTENV_B");
const ENV_KEY = fakeApiKey("FROM_ENV");
const OAUTH_ACCESS = fakeOauthToken("OPENCODE_OAUTH");
// Shapes that must never be echoed: a truncated Anthropic key and another provider's key.
const MALFORMED = `${fakeApiKey("MALFORMED").slice(0, 60)}`;
const OPENAI_LIKE = `sk-proj-FAKE_TEST_${"x".repeat(40)}`;
const NEVER_SHOWN = [OPENCODE_KEY, DOTENV_A, DOTENV_B, ENV_KEY, OAUTH_ACCESS].map(keyBody);

interface Report {
  dryRun: boolean;
  source: string;
  added: Array<{ name: string; profile: string; masked: string }>;
  skipped: Array<{ name: string; profile: string | null; reason: string; detail: string }>;
}

function expectClean(r: CliResult) {
  const all = r.stdout + r.stderr;
  for (const needle of [...NEVER_SHOWN, MALFORMED.slice(13), OPENAI_LIKE.slice(8)]) {
    expect(all).not.toContain(needle);
  }
}

async function importJson(args: string[], opts: RunOptions): Promise<Report> {
  const r = await runCli(["--json", "import", ...args], opts);
  expectClean(r);
  return jsonOut<Report>(r);
}

// The imports are what is tested and run the CLI; what they left is read back in process (the use cases `status`,
// `audit`, `list`, `reveal` and `current` call).

/** Opening a store creates its (empty) database file, as `list` does; "nothing written" means no store was set up. */
async function expectNothingStored(opts: RunOptions) {
  const { status, audit } = await inProcess(opts.home, async (app) => ({
    status: await app.status(),
    audit: await app.audit({ limit: 50 }),
  }));
  expect(status).toMatchObject({ initialised: false, keyCount: 0 });
  expect(audit).toEqual([]);
}

const listKeys = (opts: RunOptions) => inProcess(opts.home, (app) => app.keys.list());
const revealed = (opts: RunOptions, name: string) => inProcess(opts.home, (app) => app.keys.reveal(name));

const sortSkips = (r: Report) => r.skipped.map((s) => [s.name, s.reason]).sort();

describe("apikey import --from", () => {
  let home: TestHome;
  let opts: RunOptions;
  beforeEach(async () => {
    await home?.cleanup();
    home = await makeHome();
    opts = { home };
  });
  afterAll(async () => {
    await home?.cleanup();
  });

  async function writeOpencodeAuth(doc: unknown): Promise<string> {
    const dir = join(home.homeDir, ".local", "share", "opencode");
    await mkdir(dir, { recursive: true });
    const file = join(dir, "auth.json");
    await writeFile(file, JSON.stringify(doc, null, 2), { mode: 0o600 });
    return file;
  }

  it("opencode: imports the API key from its default auth.json, skips OAuth, other providers and malformed keys", async () => {
    await writeOpencodeAuth({
      anthropic: { type: "api", key: OPENCODE_KEY },
      openai: { type: "api", key: OPENAI_LIKE },
      "github-copilot": {
        type: "oauth",
        refresh: "FAKE_TEST_refresh",
        access: "FAKE_TEST_access",
        expires: 0,
      },
      "claude-max": { type: "oauth", refresh: "sk-ant-ort01-FAKE_TEST", access: OAUTH_ACCESS, expires: 1 },
      "my-anthropic": { type: "api", key: MALFORMED },
    });
    const report = await importJson(["--from", "opencode"], opts);
    expect(report.source).toBe("opencode");
    expect(report.added.map((a) => a.name)).toEqual(["opencode-anthropic"]);
    expect(sortSkips(report)).toEqual([
      ["opencode-claude-max", "oauth"],
      ["opencode-github-copilot", "oauth"],
      ["opencode-my-anthropic", "malformed"],
      ["opencode-openai", "not-anthropic"],
    ]);
    expect(report.skipped.find((s) => s.reason === "oauth")?.detail).toBe(
      "OAuth tokens from other apps are not imported",
    );

    const keys = await listKeys(opts);
    expect(keys.map((k) => [k.name, k.source, k.active, k.validation])).toEqual([
      ["opencode-anthropic", "import", true, null],
    ]);
    expect(await inProcess(home, async (app) => (await app.active()).secret)).toBe(OPENCODE_KEY);
    // No network by default: the base URL points at a port nothing listens on, and the import still succeeded.

    const again = await importJson(["--from", "opencode"], opts);
    expect(again.added).toEqual([]);
    expect(again.skipped.find((s) => s.name === "opencode-anthropic")?.reason).toBe("duplicate");
  });

  it("opencode: an auth.json holding only OAuth reports that and stores nothing", async () => {
    const file = await writeOpencodeAuth({
      anthropic: { type: "oauth", refresh: "FAKE_TEST_r", access: OAUTH_ACCESS, expires: 1 },
    });
    const report = await importJson(["--from", "opencode", file], opts);
    expect(report.added).toEqual([]);
    expect(sortSkips(report)).toEqual([["opencode-anthropic", "oauth"]]);
    await expectNothingStored(opts);
  });

  it("opencode: a missing or unreadable file → E_IMPORT_SOURCE naming the path, and no store is created", async () => {
    const r = await runCli(["--json", "import", "--from", "opencode"], opts);
    expect(r.code).toBe(1);
    const err = jsonError(r);
    expect(err.code).toBe("E_IMPORT_SOURCE");
    expect(err.message).toContain(join(home.homeDir, ".local/share/opencode/auth.json"));
    expect(err.hint).toBeTruthy();

    const notJson = join(home.root, "auth.json");
    await writeFile(notJson, "{ not json");
    expect(jsonError(await runCli(["--json", "import", "--from", "opencode", notJson], opts)).code).toBe(
      "E_IMPORT_SOURCE",
    );
    expect(await walk(home.dataDir)).toEqual([]);
  });

  it("dotenv: reads ANTHROPIC_API_KEY lines (export, quotes, comments), numbers the names, skips malformed ones", async () => {
    const file = join(home.root, ".env");
    await writeFile(
      file,
      [
        "# a comment",
        "OTHER_SECRET=sk-ant-api03-not-this-one",
        `export ANTHROPIC_API_KEY="${DOTENV_A}"`,
        `ANTHROPIC_API_KEY = '${DOTENV_B}'   # second`,
        `ANTHROPIC_API_KEY=${MALFORMED}`,
        "ANTHROPIC_API_KEY=",
        "",
      ].join("\n"),
    );
    const dry = await importJson(["--from", "dotenv", file, "--dry-run"], opts);
    expect(dry.dryRun).toBe(true);
    await expectNothingStored(opts);

    const report = await importJson(["--from", "dotenv", file], opts);
    expect(report.added.map((a) => a.name)).toEqual(["dotenv-env", "dotenv-env-2"]);
    expect(report.added).toEqual(dry.added);
    expect(sortSkips(report)).toEqual([
      ["dotenv-env", "malformed"],
      ["dotenv-env", "malformed"],
    ]);
    expect(await revealed(opts, "dotenv-env")).toBe(DOTENV_A);
    expect(await revealed(opts, "dotenv-env-2")).toBe(DOTENV_B);
  });

  it("dotenv: --name and --profile pick the name and profile; the profile must exist", async () => {
    const file = join(home.root, "prod.env");
    await writeFile(file, `ANTHROPIC_API_KEY=${DOTENV_A}\nANTHROPIC_API_KEY=${DOTENV_B}\n`);
    const missing = await runCli(["--json", "--profile", "prod", "import", "--from", "dotenv", file], opts);
    expect(jsonError(missing).code).toBe("E_PROFILE_NOT_FOUND");
    await inProcess(home, (app) => app.profiles.create("prod"));
    const r = await runCli(
      ["--json", "--profile", "prod", "import", "--from", "dotenv", file, "--name", "main"],
      opts,
    );
    expectClean(r);
    const rep = jsonOut<Report>(r);
    expect(rep.added.map((a) => [a.profile, a.name])).toEqual([
      ["prod", "main"],
      ["prod", "main-2"],
    ]);
    const bad = await runCli(["--json", "import", "--from", "dotenv", file, "--name", "bad name!"], opts);
    expect(jsonError(bad).code).toBe("E_NAME_INVALID");
  });

  it("env: imports ANTHROPIC_API_KEY as from-env; --dry-run writes nothing", async () => {
    const withEnv = { ...opts, env: { ANTHROPIC_API_KEY: ENV_KEY } };
    const dry = await importJson(["--from", "env", "--dry-run"], withEnv);
    expect(dry.added.map((a) => a.name)).toEqual(["from-env"]);
    await expectNothingStored(opts);
    const report = await importJson(["--from", "env"], withEnv);
    expect(report.added.map((a) => a.name)).toEqual(["from-env"]);
    expect(await revealed(opts, "from-env")).toBe(ENV_KEY);
    const none = await runCli(["--json", "import", "--from", "env"], opts);
    expect(jsonError(none).code).toBe("E_IMPORT_SOURCE");
    const unknown = await runCli(["--json", "import", "--from", "keychain"], opts);
    expect(jsonError(unknown).code).toBe("E_USAGE");
  });

  describe("--validate", () => {
    let fake: FakeAnthropic;
    beforeAll(async () => {
      fake = await startFakeAnthropic({ validKeys: [DOTENV_A] });
      fake.setBehaviour(DOTENV_B, { status: 401 });
    });
    afterAll(async () => {
      await fake?.close();
    });

    it("checks each key first; a refused key is skipped and the rest imported", async () => {
      const file = join(home.root, ".env");
      await writeFile(file, `ANTHROPIC_API_KEY=${DOTENV_A}\nANTHROPIC_API_KEY=${DOTENV_B}\n`);
      const withFake = { ...opts, baseUrl: fake.url };
      const report = await importJson(["--from", "dotenv", file, "--validate"], withFake);
      expect(report.added.map((a) => a.name)).toEqual(["dotenv-env"]);
      expect(sortSkips(report)).toEqual([["dotenv-env-2", "invalid"]]);
      expect(fake.requestsFor(DOTENV_A)).toHaveLength(1);
      expect(fake.requestsFor(DOTENV_B)).toHaveLength(1);
      const keys = await listKeys(opts);
      expect(keys.map((k) => [k.name, k.validation])).toEqual([["dotenv-env", "valid"]]);
    });
  });
});
