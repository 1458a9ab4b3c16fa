import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliResult,
  jsonError,
  jsonOut,
  makeHome,
  type RunOptions,
  runCli,
  type TestHome,
} from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { federationRule } from "../fixtures/federated-gateway.ts";
import { type OidcIssuer, startOidcIssuer } from "../fixtures/oidc-issuer.ts";

// Issue 26: `apikey use NAME --sdk-profile` on a federated key, end to end: afterwards the official SDK, constructed
// with no options in a process that has only ANTHROPIC_CONFIG_DIR, reads the profile apikey pointed active_config
// at, makes its own exchange at the stand-in and gets a 200. A key imported from an oidc_federation profile points at
// that profile; a key added with `add --federated` gets a profile written for it (no secret in it); a key whose
// identity token the SDK cannot read (a command) is refused and nothing is written.

const RULE_IMPORTED = "fdrl_FAKE_TEST_sdkuse1";
const RULE_ADDED = "fdrl_FAKE_TEST_sdkuse2";
const ORG = "00000000-0000-4000-8000-00000000d5e1";
const SDK_ENTRY = createRequire(import.meta.url).resolve("@anthropic-ai/sdk");

let issuer: OidcIssuer;
let fake: FakeAnthropic;
let home: TestHome;
let configDir: string;
let tokenFile: string;
const outputs: string[] = [];

function run(args: string[], extra: Partial<RunOptions> = {}): Promise<CliResult> {
  const env = { ANTHROPIC_CONFIG_DIR: configDir, ...extra.env };
  return runCli(args, { home, baseUrl: fake.url, ...extra, env }).then((r) => {
    outputs.push(r.stdout, r.stderr);
    return r;
  });
}

/** The official SDK with no options, in a process that knows only the config dir: the models it listed. */
function sdkWithNoOptions(): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = `const A=require(${JSON.stringify(SDK_ENTRY)});new A.default({maxRetries:0}).models.list({limit:1}).then(p=>console.log(p.data.length),e=>{console.error(String(e));process.exit(1)})`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["-e", script],
      { env: { PATH: process.env.PATH ?? "", HOME: home.root, ANTHROPIC_CONFIG_DIR: configDir } },
      (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  issuer = await startOidcIssuer();
  fake = await startFakeAnthropic({
    federationRules: [federationRule(issuer, RULE_IMPORTED, ORG), federationRule(issuer, RULE_ADDED, ORG)],
  });
  home = await makeHome();
  configDir = join(home.root, "anthropic-config");
  mkdirSync(join(configDir, "configs"), { recursive: true });
  mkdirSync(join(home.root, "idp"));
  tokenFile = join(home.root, "idp", "token.jwt");
  issuer.writeTokenFile(tokenFile);
});
afterAll(async () => {
  await Promise.all([fake?.close(), issuer?.close()]);
  await home?.cleanup();
});

describe("issue 26: use --sdk-profile on a federated key, with the official SDK", () => {
  it("a key imported from an oidc_federation profile: the SDK with no options follows active_config to a 200", async () => {
    writeFileSync(
      join(configDir, "configs", "ci.json"),
      JSON.stringify({
        version: "1.0",
        base_url: fake.url,
        organization_id: ORG,
        authentication: {
          type: "oidc_federation",
          federation_rule_id: RULE_IMPORTED,
          identity_token: { source: "file", path: tokenFile },
        },
      }),
    );
    expect((await run(["import", "--from", "anthropic-profiles", "ci"])).code).toBe(0);
    writeFileSync(join(configDir, "active_config"), "elsewhere\n");
    // Before the switch the SDK looks for a profile that does not exist.
    expect((await sdkWithNoOptions()).code).toBe(1);
    const r = await run(["--json", "use", "anthropic-ci", "--sdk-profile"]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut<{ sdkProfile: string; configWritten: string | null }>(r)).toMatchObject({
      sdkProfile: "ci",
      configWritten: null,
    });
    fake.clearRequests();
    const sdk = await sdkWithNoOptions();
    expect(sdk.code, sdk.stderr).toBe(0);
    expect(sdk.stdout.trim()).toBe("1");
    expect(fake.requests.map((q) => [q.path, q.status])).toEqual([
      ["/v1/oauth/token", 200],
      ["/v1/models", 200],
    ]);
  });

  it("a key added with --federated: apikey writes its profile (no secret, 0600), and the SDK gets a 200", async () => {
    const add = await run([
      "add",
      "team",
      "--federated",
      "--rule",
      RULE_ADDED,
      "--org",
      ORG,
      "--base-url",
      fake.url,
      "--identity-token-file",
      tokenFile,
    ]);
    expect(add.code, add.stderr).toBe(0);
    const r = await run(["--json", "use", "team", "--sdk-profile"]);
    expect(r.code, r.stderr).toBe(0);
    const written = join(configDir, "configs", "team.json");
    expect(jsonOut<{ sdkProfile: string; configWritten: string }>(r)).toMatchObject({
      sdkProfile: "team",
      configWritten: written,
    });
    expect(readFileSync(join(configDir, "active_config"), "utf8")).toBe("team\n");
    expect(statSync(written).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(written, "utf8"))).toEqual({
      version: "1.0",
      base_url: fake.url,
      organization_id: ORG,
      authentication: {
        type: "oidc_federation",
        federation_rule_id: RULE_ADDED,
        identity_token: { source: "file", path: tokenFile },
      },
    });
    fake.clearRequests();
    const sdk = await sdkWithNoOptions();
    expect(sdk.code, sdk.stderr).toBe(0);
    expect(fake.requests.map((q) => [q.path, q.status])).toEqual([
      ["/v1/oauth/token", 200],
      ["/v1/models", 200],
    ]);
    expect((await run(["--json", "audit"])).stdout).toContain(written);
    // Again: the profile now matches, and is not written twice.
    const again = await run(["--json", "use", "team", "--sdk-profile"]);
    expect(jsonOut<{ configWritten: string | null }>(again).configWritten).toBeNull();
  });

  it("a key whose identity token the SDK cannot read (a command): refused, nothing written", async () => {
    const add = await run([
      "add",
      "cmd",
      "--federated",
      "--rule",
      RULE_ADDED,
      "--org",
      ORG,
      "--workspace",
      "default",
      "--no-validate",
      "--identity-token-command",
      `cat ${tokenFile}`,
    ]);
    expect(add.code, add.stderr).toBe(0);
    const r = await run(["--json", "use", "cmd", "--sdk-profile"]);
    const err = jsonError(r);
    expect(err.code).toBe("E_FEDERATED_KEY");
    expect(err.hint).toMatch(/apikey exec/);
    expect(existsSync(join(configDir, "configs", "cmd.json"))).toBe(false);
    expect(readFileSync(join(configDir, "active_config"), "utf8")).toBe("team\n");
  });
});
