import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
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
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { postMessage } from "../fixtures/federated-gateway.ts";
import { startProxy, stopAllProxies } from "../fixtures/proxy.ts";

// Issue 26, its last field: a `user_oauth` profile's `workspace_id`. The official SDK sends it as
// `anthropic-workspace-id` on every request of such a profile (@anthropic-ai/sdk 1.14
// lib/credentials/credential-chain.js); apikey keeps it on the imported key and sends it wherever it uses the key's
// token: validation, the gateway, and (in ANTHROPIC_CUSTOM_HEADERS, which the SDK reads) an `exec` child. The stand-in
// refuses a workspace-scoped login's token without that header, so each test here fails when apikey drops it.

const CLIENT = "FAKE_TEST_ant_cli_client";
const WORKSPACE = "wrkspc_FAKE_TEST_team";
const SDK_ENTRY = createRequire(import.meta.url).resolve("@anthropic-ai/sdk");

let fake: FakeAnthropic;
let home: TestHome;
let configDir: string;
const outputs: string[] = [];
const secrets: string[] = [];

function run(args: string[], extra: Partial<RunOptions> = {}, who: TestHome = home): Promise<CliResult> {
  const env = { ANTHROPIC_CONFIG_DIR: configDir, ...extra.env };
  return runCli(args, { home: who, baseUrl: fake.url, ...extra, env }).then((r) => {
    outputs.push(r.stdout, r.stderr);
    return r;
  });
}

/** A user_oauth profile `ant auth login` left, logged in to one workspace; `clientId: null` is a static token. */
function writeProfile(name: string, config: Record<string, unknown>, clientId: string | null = CLIENT) {
  const login = fake.loginUser(CLIENT, 600, WORKSPACE);
  secrets.push(login.accessToken, login.refreshToken);
  const authentication = { type: "user_oauth", ...(clientId && { client_id: clientId }) };
  writeFileSync(
    join(configDir, "configs", `${name}.json`),
    JSON.stringify({ version: "1.0", base_url: fake.url, authentication, ...config }),
  );
  writeFileSync(
    join(configDir, "credentials", `${name}.json`),
    JSON.stringify({
      type: "oauth_token",
      access_token: login.accessToken,
      expires_at: login.expiresAt,
      ...(clientId && { refresh_token: login.refreshToken }),
    }),
    { mode: 0o600 },
  );
  return login;
}

beforeAll(async () => {
  fake = await startFakeAnthropic({ mintedTokenTtl: 600 });
  home = await makeHome();
  configDir = join(home.root, "anthropic-config");
  mkdirSync(join(configDir, "configs"), { recursive: true });
  mkdirSync(join(configDir, "credentials"), { recursive: true, mode: 0o700 });
  writeProfile("team", { workspace_id: WORKSPACE });
  const r = await run(["import", "--from", "anthropic-profiles", "team"]);
  expect(r.code, r.stderr).toBe(0);
});
afterEach(() => stopAllProxies());
afterAll(async () => {
  await fake?.close();
  await home?.cleanup();
});

describe("issue 26: a user_oauth profile's workspace_id", () => {
  it("is kept on the imported key: show and list --json", async () => {
    expect((await run(["show", "anthropic-team"])).stdout).toMatch(/^workspace: +wrkspc_FAKE_TEST_team$/m);
    const listed = jsonOut<Array<{ name: string; workspace: string | null }>>(await run(["--json", "list"]));
    expect(listed.find((k) => k.name === "anthropic-team")?.workspace).toBe(WORKSPACE);
  });

  it("goes with the token when apikey validates it (the stand-in refuses the token without it)", async () => {
    fake.clearRequests();
    const r = await run(["--json", "validate", "anthropic-team"]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut<{ validation: { outcome: string } }>(r).validation.outcome).toBe("valid");
    const models = fake.requests.filter((q) => q.path === "/v1/models");
    expect(models.map((q) => [q.status, q.anthropicWorkspaceId])).toEqual([[200, WORKSPACE]]);
  });

  it("is added by the gateway where it swaps in the token, over any workspace the client sent", async () => {
    const created = await run(["proxy", "token", "create", "alice"]);
    expect(created.code, created.stderr).toBe(0);
    const proxy = await startProxy({ home, baseUrl: fake.url, env: { ANTHROPIC_CONFIG_DIR: configDir } });
    fake.clearRequests();
    const answer = await postMessage(proxy, created.stdout.trim(), {
      "anthropic-workspace-id": "wrkspc_other",
    });
    expect(answer.status).toBe(200);
    const upstream = fake.requests.filter((q) => q.path === "/v1/messages");
    expect(upstream.map((q) => [q.status, q.auth, q.anthropicWorkspaceId])).toEqual([
      [200, "bearer", WORKSPACE],
    ]);
  });

  it("reaches an exec child in ANTHROPIC_CUSTOM_HEADERS (kept beside the parent's), which the official SDK sends", async () => {
    // The child's SDK, given nothing, reads the token from ANTHROPIC_AUTH_TOKEN (a bearer) and the OAuth beta and
    // the workspace from ANTHROPIC_CUSTOM_HEADERS; the stand-in refuses the token as x-api-key or without either.
    const script = [
      `const { default: Anthropic } = require(${JSON.stringify(SDK_ENTRY)});`,
      "const c = new Anthropic({ maxRetries: 0 });",
      "c.models.list({ limit: 1 }).then(() => console.log('ok:' + JSON.stringify(process.env.ANTHROPIC_CUSTOM_HEADERS)),",
      "  (e) => { console.log('failed ' + e.status); process.exitCode = 3; });",
    ].join("\n");
    fake.clearRequests();
    const r = await run(["exec", "--", process.execPath, "-e", script], {
      env: { ANTHROPIC_CUSTOM_HEADERS: "x-team: blue\nanthropic-workspace-id: wrkspc_stale" },
    });
    expect(r.stdout.trim(), r.stderr).toBe(
      `ok:${JSON.stringify(`x-team: blue\nanthropic-beta: oauth-2025-04-20\nanthropic-workspace-id: ${WORKSPACE}`)}`,
    );
    expect(r.code).toBe(0);
    expect(fake.requests.map((q) => q.anthropicWorkspaceId)).toEqual([WORKSPACE]);

    // `env` prints the token by design: kept out of the canary's outputs.
    const printed = await runCli(["--json", "env"], { home, baseUrl: fake.url });
    const env = jsonOut<Record<string, string>>(printed);
    expect(env.ANTHROPIC_CUSTOM_HEADERS).toBe(
      `anthropic-beta: oauth-2025-04-20\nanthropic-workspace-id: ${WORKSPACE}`,
    );
    // The token as a bearer, never as ANTHROPIC_API_KEY (the API refuses an OAuth token as x-api-key).
    expect(Object.keys(env).sort()).toEqual(["ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_CUSTOM_HEADERS"]);
  });

  it("travels in an export bundle (format 2) to another store", async () => {
    // A static token (no client id): bundles carry OAuth keys only when no refresh session is attached.
    writeProfile("static", { workspace_id: WORKSPACE }, null);
    expect((await run(["import", "--from", "anthropic-profiles", "static"])).code).toBe(0);
    const bundle = join(home.root, "keys.apikey");
    const pass = { APIKEY_EXPORT_PASSPHRASE: "FAKE-TEST-passphrase-long" };
    const out = await run(["export", "--out", bundle], { env: pass });
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(readFileSync(bundle, "utf8")).version).toBe(2);
    const other = await makeHome();
    try {
      const imported = await run(["import", bundle], { env: pass }, other);
      expect(imported.code, imported.stderr).toBe(0);
      expect((await run(["show", "anthropic-static"], {}, other)).stdout).toMatch(
        /^workspace: +wrkspc_FAKE_TEST_team$/m,
      );
    } finally {
      await other.cleanup();
    }
  });

  it("refuses a profile whose workspace_id is not a workspace id (it would become a header); writes nothing", async () => {
    writeProfile("odd", { workspace_id: "wrkspc_x\r\nx-evil: 1" });
    const before = await snapshotDir(home.dataDir);
    const err = jsonError(await run(["--json", "import", "--from", "anthropic-profiles", "odd"]));
    expect(err.code).toBe("E_IMPORT_SOURCE");
    expect(err.message).toMatch(/workspace_id/);
    expect(err.message).not.toContain("x-evil");
    expect(await snapshotDir(home.dataDir)).toEqual(before);
  });

  it("use --sdk-profile refuses the profile once it names another workspace than the key's", async () => {
    const config = join(configDir, "configs", "team.json");
    const parsed = JSON.parse(readFileSync(config, "utf8")) as Record<string, unknown>;
    writeFileSync(config, JSON.stringify({ ...parsed, workspace_id: "wrkspc_FAKE_TEST_other" }));
    const err = jsonError(await run(["--json", "use", "anthropic-team", "--sdk-profile"]));
    expect(err.code).toBe("E_USAGE");
    writeFileSync(config, JSON.stringify(parsed));
    const ok = await run(["--json", "use", "anthropic-team", "--sdk-profile"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(configDir, "active_config"), "utf8")).toBe("team\n");
  });

  it("canary: no token in the store or in any output", async () => {
    expect(await filesContaining(home.dataDir, secrets)).toEqual([]);
    for (const out of outputs) for (const s of secrets) expect(out).not.toContain(s);
  });
});
