import { mkdirSync, writeFileSync } from "node:fs";
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
  type TestHome,
} from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { type GitHubActionsOidc, startGitHubActionsOidc } from "../fixtures/github-actions-oidc.ts";
import { type OidcIssuer, startOidcIssuer } from "../fixtures/oidc-issuer.ts";

// Issue 26: identity tokens the SDK cannot fetch itself — from a command (run without a shell, its stderr never
// shown, never given the master key) and from GitHub Actions' OIDC request — against a local OIDC issuer, a
// GitHub Actions stand-in and the Anthropic stand-in.

const RULE = "fdrl_FAKE_TEST_sources";
const ORG = "00000000-0000-4000-8000-00000000500c";

let issuer: OidcIssuer;
let github: GitHubActionsOidc;
let fake: FakeAnthropic;
let home: TestHome;
let tokenFile: string;
const outputs: string[] = [];
const assertions: string[] = [];

function run(args: string[], extra: Partial<RunOptions> = {}): Promise<CliResult> {
  return runCli(args, { home, baseUrl: fake.url, ...extra }).then((r) => {
    outputs.push(r.stdout, r.stderr);
    return r;
  });
}
const add = (name: string, ...more: string[]) =>
  run(["--json", "add", name, "--federated", "--rule", RULE, "--org", ORG, ...more]);

beforeAll(async () => {
  issuer = await startOidcIssuer();
  github = await startGitHubActionsOidc(issuer);
  fake = await startFakeAnthropic({
    federationRules: [
      {
        id: RULE,
        organizationId: ORG,
        issuer: issuer.issuer,
        jwksUrl: issuer.jwksUrl,
        subject: issuer.subject,
      },
    ],
  });
  home = await makeHome();
  mkdirSync(join(home.root, "idp"));
  tokenFile = join(home.root, "idp", "token.jwt");
  assertions.push(issuer.writeTokenFile(tokenFile));
});
afterAll(async () => {
  await Promise.all([fake?.close(), github?.close(), issuer?.close()]);
  await home?.cleanup();
});

describe("issue 26: --identity-token-command", () => {
  it("runs the command without a shell at each exchange; the child never gets the master key", async () => {
    // Succeeds only when APIKEY_MASTER_KEY (set for every run here) was not passed on to the command.
    const command = `sh -c 'test -z "$APIKEY_MASTER_KEY" && cat ${tokenFile}'`;
    const r = await add("cmd", "--identity-token-command", command);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut<{ validation: { outcome: string } }>(r).validation.outcome).toBe("valid");
    const first = await run(["current"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^sk-ant-oat01-FAKE_TEST_WIF_/);
    // Rotated between exchanges: a forgery now in the file is what the command prints, and it is refused.
    const forged = issuer.signWithForeignKey();
    assertions.push(forged);
    writeFileSync(tokenFile, forged);
    expect(jsonError(await run(["--json", "current"])).code).toBe("E_FEDERATION_REJECTED");
    assertions.push(issuer.writeTokenFile(tokenFile));
    expect((await run(["current"])).code).toBe(0);
  });

  it("a failing command: E_IDENTITY_TOKEN with its exit status, never its error output", async () => {
    const leaky = "sh -c 'echo FAKE_TEST_LEAKED_CREDENTIAL >&2; exit 3'";
    const r = await add("cmd-bad", "--identity-token-command", leaky);
    const err = jsonError(r);
    expect(err.code).toBe("E_IDENTITY_TOKEN");
    expect(err.message).toMatch(/exit 3/);
    expect(r.stderr + r.stdout).not.toContain("FAKE_TEST_LEAKED_CREDENTIAL");
    const missing = jsonError(
      await add("cmd-missing", "--identity-token-command", "/nonexistent/token-tool"),
    );
    expect(missing.code).toBe("E_IDENTITY_TOKEN");
    expect(missing.message).toMatch(/not found/);
  });

  it("refuses what only a shell would run, and two sources at once", async () => {
    for (const bad of [
      `cat ${tokenFile} | head -1`,
      "print-token; rm -rf /",
      "echo $TOKEN",
      "say 'unclosed",
    ]) {
      expect(jsonError(await add("cmd-shell", "--identity-token-command", bad)).code, bad).toBe(
        "E_FEDERATION_CONFIG",
      );
    }
    const both = await add(
      "two",
      "--identity-token-command",
      `cat ${tokenFile}`,
      "--identity-token-file",
      tokenFile,
    );
    expect(jsonError(both).code).toBe("E_FEDERATION_CONFIG");
  });
});

describe("issue 26: --identity-token-github-actions", () => {
  it("asks the job's OIDC endpoint for the audience at each exchange", async () => {
    const r = await add(
      "gha",
      "--identity-token-github-actions",
      "--audience",
      "FAKE_TEST_aud",
      "--no-validate",
    );
    expect(r.code, r.stderr).toBe(0);
    const before = github.audiences.length;
    const current = await run(["--profile", "default", "reveal", "--yes", "gha"], { env: github.env });
    expect(current.code, current.stderr).toBe(0);
    expect(current.stdout).toMatch(/^sk-ant-oat01-FAKE_TEST_WIF_/);
    expect(github.audiences.slice(before)).toEqual(["FAKE_TEST_aud"]);
  });

  it("outside a job, or with a wrong request token: E_IDENTITY_TOKEN; --audience alone is refused", async () => {
    const outside = jsonError(await run(["--json", "reveal", "--yes", "gha"]));
    expect(outside.code).toBe("E_IDENTITY_TOKEN");
    expect(outside.message).toMatch(/ACTIONS_ID_TOKEN_REQUEST_URL/);
    const wrong = jsonError(
      await run(["--json", "reveal", "--yes", "gha"], {
        env: { ...github.env, ACTIONS_ID_TOKEN_REQUEST_TOKEN: "FAKE_TEST_wrong" },
      }),
    );
    expect(wrong.code).toBe("E_IDENTITY_TOKEN");
    expect(wrong.message).toMatch(/HTTP 401/);
    expect(jsonError(await add("aud", "--audience", "x", "--identity-token-file", tokenFile)).code).toBe(
      "E_FEDERATION_CONFIG",
    );
  });

  it("canary: no identity token or minted token stored or printed but by reveal/current", async () => {
    const needles = [...assertions, ...github.issued, ...fake.mintedTokens()];
    expect(await filesContaining(home.dataDir, needles)).toEqual([]);
    for (const out of outputs.filter((o) => !/^sk-ant-oat01-\S+\n$/.test(o)))
      for (const n of needles) expect(out).not.toContain(n);
  });
});
