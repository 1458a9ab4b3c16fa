import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliResult,
  filesContaining,
  jsonError,
  jsonOut,
  makeHome,
  type RunOptions,
  runCli,
  snapshotDir,
  type TestHome,
} from "../fixtures/cli.ts";
import { ANTHROPIC_VERSION, type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { OAUTH_BETA } from "../fixtures/fake-token-exchange.ts";
import { inProcess, listedKeys } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 26: the official SDKs' `user_oauth` profiles (`ant auth login`) move into the encrypted store: the
// plaintext credentials file's tokens become an OAuth key that apikey refreshes against the profile's token
// endpoint, and the plaintext file is removed only when asked. The files are read strictly.
// The imports, `current`, `oauth refresh`, `show` and `use` are CLI runs; the audit trail and `list --json` a test
// only reads back to check an earlier run are read in process, and kept with the CLI's outputs for the canary.

const CLIENT = "FAKE_TEST_ant_cli_client";

let fake: FakeAnthropic;
let home: TestHome;
let configDir: string;
/** The access token of the first import ("me"), which never expires in this file. */
let firstAccessToken = "";
const outputs: string[] = [];
const secrets: string[] = [];

function run(args: string[], extra: Partial<RunOptions> = {}): Promise<CliResult> {
  const env = { ANTHROPIC_CONFIG_DIR: configDir, ...extra.env };
  return runCli(args, { home, baseUrl: fake.url, ...extra, env }).then((r) => {
    outputs.push(r.stdout, r.stderr);
    return r;
  });
}

/** A user_oauth profile as `ant auth login` leaves it: a config, and a plaintext credentials file (0600). */
function writeUserProfile(name: string, ttlSeconds: number, config: Record<string, unknown> = {}) {
  const login = fake.loginUser(CLIENT, ttlSeconds);
  secrets.push(login.accessToken, login.refreshToken);
  writeFileSync(
    join(configDir, "configs", `${name}.json`),
    JSON.stringify({
      version: "1.0",
      base_url: fake.url,
      authentication: { type: "user_oauth", client_id: CLIENT, ...config },
    }),
  );
  const credentials = join(configDir, "credentials", `${name}.json`);
  writeFileSync(
    credentials,
    JSON.stringify({
      version: "1.0",
      type: "oauth_token",
      access_token: login.accessToken,
      expires_at: login.expiresAt,
      refresh_token: login.refreshToken,
      scope: "user:inference",
    }),
    { mode: 0o600 },
  );
  return { ...login, credentials };
}

/** What `--json audit` prints (its default limit, 50), read in process; the canary reads it like a run's output. */
async function auditText(): Promise<string> {
  const text = JSON.stringify(await inProcess(home, (app) => app.audit({ limit: 50 })));
  outputs.push(text);
  return text;
}

const models = (token: string) =>
  fetch(`${fake.url}/v1/models`, {
    headers: {
      authorization: `Bearer ${token}`,
      "anthropic-beta": OAUTH_BETA,
      "anthropic-version": ANTHROPIC_VERSION,
    },
  });

beforeAll(async () => {
  fake = await startFakeAnthropic({ mintedTokenTtl: 600 });
  home = await makeHome();
  configDir = join(home.root, "anthropic-config");
  mkdirSync(join(configDir, "configs"), { recursive: true });
  mkdirSync(join(configDir, "credentials"), { recursive: true, mode: 0o700 });
});
afterAll(async () => {
  await fake?.close();
  await home?.cleanup();
});

describe("issue 26: import of a user_oauth profile", () => {
  it("stores the tokens encrypted, keeps the plaintext file when not asked (and says where it is)", async () => {
    const me = writeUserProfile("me", 600);
    firstAccessToken = me.accessToken;
    const r = await run(["--json", "import", "--from", "anthropic-profiles", "me"]);
    expect(r.code, r.stderr).toBe(0);
    const out = jsonOut<{
      key: { name: string; kind: string; active: boolean };
      plaintextCredentials: { path: string; removed: boolean };
    }>(r);
    expect(out.key).toMatchObject({ name: "anthropic-me", kind: "oauth", active: true });
    expect(out.plaintextCredentials).toEqual({ path: me.credentials, removed: false });
    expect(existsSync(me.credentials)).toBe(true);
    expect(r.stderr).toContain(`still at ${me.credentials}`);
    expect(await filesContaining(home.dataDir, [me.accessToken, me.refreshToken])).toEqual([]);

    const current = await run(["current"]);
    expect(current.code, current.stderr).toBe(0);
    expect(current.stdout.trim()).toBe(me.accessToken);
    expect((await models(current.stdout.trim())).status).toBe(200);
    // The same login again is a duplicate, and nothing changes.
    expect(jsonError(await run(["--json", "import", "--from", "anthropic-profiles", "me"])).code).toBe(
      "E_KEY_DUPLICATE",
    );
  });

  it("refreshes an expired imported token at the profile's token endpoint; --remove-plaintext deletes the file (audited)", async () => {
    const old = writeUserProfile("laptop", -60);
    const r = await run(["--json", "import", "--from", "anthropic-profiles", "laptop", "--remove-plaintext"]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut<{ plaintextCredentials: { removed: boolean } }>(r).plaintextCredentials.removed).toBe(
      true,
    );
    expect(existsSync(old.credentials)).toBe(false);

    // The switch is set-up (in process); the `current` that refreshes is what is tested.
    await inProcess(home, (app) => app.keys.use("anthropic-laptop"));
    fake.clearRequests();
    const current = await run(["current"]);
    expect(current.code, current.stderr).toBe(0);
    const fresh = current.stdout.trim();
    secrets.push(fresh);
    expect(fresh).toMatch(/^sk-ant-oat01-FAKE_TEST_/);
    expect(fresh).not.toBe(old.accessToken);
    const grant = fake.requests.find((q) => q.path === "/v1/oauth/token");
    expect(grant?.anthropicBeta).toContain(OAUTH_BETA);
    expect((await models(fresh)).status).toBe(200);

    const audit = await auditText();
    for (const action of ["key.add", "oauth.provider.add", "import.plaintext_removed", "oauth.refresh"])
      expect(audit).toContain(action);
  });

  it("sends the refresh as the official SDK does: JSON, with the OAuth beta; the stand-in refuses the form", async () => {
    // @anthropic-ai/sdk 1.14 lib/credentials/user-oauth.js: {grant_type, refresh_token, client_id} as JSON.
    const stale = writeUserProfile("json", -60);
    expect((await run(["import", "--from", "anthropic-profiles", "json"])).code).toBe(0);
    fake.clearRequests();
    const r = await run(["--json", "oauth", "refresh", "anthropic-json"]);
    expect(r.code, r.stderr).toBe(0);
    const grants = fake.requests.filter((q) => q.path === "/v1/oauth/token");
    expect(grants.map((q) => q.status)).toEqual([200]);
    const form = await fetch(`${fake.url}/v1/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "anthropic-beta": OAUTH_BETA },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: stale.refreshToken,
        client_id: CLIENT,
      }),
    });
    expect(form.status).toBe(400);
  });

  it("keeps the profile's organization_id on the key (show, list --json)", async () => {
    const org = "00000000-0000-4000-8000-0000000000a1";
    writeUserProfile("org", 600, {});
    const config = join(configDir, "configs", "org.json");
    const parsed = JSON.parse(readFileSync(config, "utf8")) as Record<string, unknown>;
    writeFileSync(
      config,
      JSON.stringify({ ...parsed, organization_id: org, workspace_id: "wrkspc_FAKE_TEST_1" }),
    );
    expect((await run(["import", "--from", "anthropic-profiles", "org"])).code).toBe(0);
    const shown = await run(["show", "anthropic-org"]);
    expect(shown.stdout).toMatch(new RegExp(`organization: ${org}`));
    // What `list --json` prints, read in process (kept for the canary like a run's output).
    const listed = await listedKeys(home);
    outputs.push(JSON.stringify(listed));
    expect(listed.find((k) => k.name === "anthropic-org")?.organization).toBe(org);
  });

  it("refuses odd files with E_IMPORT_SOURCE and writes nothing", async () => {
    const cases: Array<[string, (credentials: string, config: string) => void, RegExp]> = [
      [
        "dup",
        (c) =>
          writeFileSync(
            c,
            '{"type":"oauth_token","access_token":"sk-ant-oat01-FAKE_TEST_aaaaaaaaaaaa","access_token":"sk-ant-oat01-FAKE_TEST_bbbbbbbbbbbb"}',
          ),
        /"access_token" twice/,
      ],
      [
        "float",
        (c) =>
          writeFileSync(
            c,
            JSON.stringify({
              type: "oauth_token",
              access_token: "sk-ant-oat01-FAKE_TEST_cccccccccccc",
              expires_at: 1.5,
            }),
          ),
        /"expires_at"/,
      ],
      [
        "huge",
        (c) =>
          writeFileSync(
            c,
            JSON.stringify({
              type: "oauth_token",
              access_token: "sk-ant-oat01-FAKE_TEST_dddddddddddd",
              pad: "x".repeat(70_000),
            }),
          ),
        /64 KiB/,
      ],
      ["gone", (c) => writeFileSync(`${c}.elsewhere`, "{}"), /without a credentials file/],
      [
        "badtype",
        (_c, cfg) =>
          writeFileSync(cfg, JSON.stringify({ authentication: { type: "user_oauth", client_id: 7 } })),
        /"authentication.client_id"/,
      ],
    ];
    const before = await snapshotDir(home.dataDir);
    for (const [name, write, reason] of cases) {
      const config = join(configDir, "configs", `${name}.json`);
      writeFileSync(config, JSON.stringify({ authentication: { type: "user_oauth", client_id: CLIENT } }));
      write(join(configDir, "credentials", `${name}.json`), config);
      const err = jsonError(await run(["--json", "import", "--from", "anthropic-profiles", name]));
      expect(err.code, name).toBe("E_IMPORT_SOURCE");
      expect(err.message, name).toMatch(reason);
      expect(err.message).not.toContain("sk-ant-oat01");
    }
    expect(await snapshotDir(home.dataDir)).toEqual(before);
  });

  it("use --sdk-profile moves the SDKs' active_config to the key's profile (atomic, 0600, audited); plain use touches nothing outside the store", async () => {
    const active = join(configDir, "active_config");
    writeFileSync(active, "laptop\n", { mode: 0o644 });
    expect((await run(["use", "anthropic-me"])).code).toBe(0);
    expect(readFileSync(active, "utf8")).toBe("laptop\n");

    const r = await run(["--json", "use", "anthropic-me", "--sdk-profile"]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut<{ sdkProfile: string; previous: string }>(r)).toMatchObject({
      sdkProfile: "me",
      previous: "laptop",
    });
    expect(readFileSync(active, "utf8")).toBe("me\n");
    expect(statSync(active).mode & 0o777).toBe(0o600);
    expect(readdirSync(configDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(await auditText()).toContain("sdk.active_config");

    // A key that came from no SDK profile: refused, and neither the store's active key nor the file changes.
    // Set up and read back in process; the refused `use --sdk-profile` is what is tested.
    await inProcess(home, (app) =>
      app.keys.add({ name: "plain", secret: fakeApiKey("SDK_PLAIN"), validate: false }),
    );
    const other = await run(["--json", "use", "plain", "--sdk-profile"]);
    expect(jsonError(other).code).toBe("E_USAGE");
    const still = await inProcess(home, async (app) => (await app.active()).secret);
    expect(still).toBe(firstAccessToken);
    expect(readFileSync(active, "utf8")).toBe("me\n");
  });

  it("canary: no imported or refreshed token in the store or any output but current's", async () => {
    expect(await filesContaining(home.dataDir, secrets)).toEqual([]);
    const printed = new Set(outputs.filter((o) => /^sk-ant-oat01-\S+\n$/.test(o)));
    for (const out of outputs) if (!printed.has(out)) for (const s of secrets) expect(out).not.toContain(s);
    expect(statSync(join(configDir, "credentials", "me.json")).mode & 0o777).toBe(0o600);
  });
});
