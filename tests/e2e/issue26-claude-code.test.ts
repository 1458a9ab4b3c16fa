import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLI_PATH,
  makeHome,
  type RunOptions,
  runCli,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { OAUTH_BETA } from "../fixtures/fake-token-exchange.ts";
import { type OidcIssuer, startOidcIssuer } from "../fixtures/oidc-issuer.ts";
import { type RunningProxy, startProxy, stopAllProxies } from "../fixtures/proxy.ts";

// Issue 26: the real Claude Code against a federated profile, both ways it can get a credential: through the
// gateway (ANTHROPIC_BASE_URL at `apikey proxy`, a gateway token as its key), and directly with `apiKeyHelper`
// printing `apikey current`. Claude Code is not a dependency of the workspace: install it anywhere
// (`npm i @anthropic-ai/claude-code` in a temp dir) and point APIKEY_E2E_CLAUDE_CODE at its `claude`; without it
// these tests are skipped.

const CLAUDE = process.env.APIKEY_E2E_CLAUDE_CODE ?? "";
const present = CLAUDE !== "" && existsSync(CLAUDE);
const RULE = "fdrl_FAKE_TEST_claude";
const ORG = "00000000-0000-4000-8000-0000000c1a0d";

let issuer: OidcIssuer;
let fake: FakeAnthropic;
let home: TestHome;
let opts: RunOptions;
let proxy: RunningProxy;
let gatewayToken = "";

/** `claude -p hi --output-format json` in the test home, with nothing but what the test gives it. */
function claude(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(CLAUDE, ["-p", "hi", "--output-format", "json", "--max-turns", "1"], {
      cwd: home.root,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home.homeDir,
        CLAUDE_CONFIG_DIR: join(home.homeDir, ".claude"),
        DISABLE_AUTOUPDATER: "1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  if (!present) return;
  issuer = await startOidcIssuer();
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
  opts = { home, baseUrl: fake.url };
  mkdirSync(join(home.root, "idp"));
  const tokenFile = join(home.root, "idp", "token.jwt");
  issuer.writeTokenFile(tokenFile);
  const add = await runCli(
    ["add", "team", "--federated", "--rule", RULE, "--org", ORG, "--identity-token-file", tokenFile],
    opts,
  );
  expect(add.code, add.stderr).toBe(0);
  gatewayToken = (await runCli(["proxy", "token", "create", "claude"], opts)).stdout.trim();
  proxy = await startProxy(opts);
});
afterAll(async () => {
  await stopAllProxies();
  await Promise.all([fake?.close(), issuer?.close()]);
  await home?.cleanup();
});

describe.skipIf(!present)(
  "issue 26: the real Claude Code on a federated profile (APIKEY_E2E_CLAUDE_CODE)",
  () => {
    it("through the gateway: a gateway token as its key; upstream gets a minted bearer with the OAuth beta", async () => {
      fake.clearRequests();
      const r = await claude({ ANTHROPIC_BASE_URL: proxy.url, ANTHROPIC_API_KEY: gatewayToken });
      const messages = fake.requests.filter((q) => q.path === "/v1/messages");
      console.log(
        "claude via gateway:",
        JSON.stringify({ code: r.code, stdout: r.stdout.slice(0, 400), stderr: r.stderr.slice(0, 400) }),
        JSON.stringify(
          messages.map((q) => ({
            auth: q.auth,
            beta: q.anthropicBeta,
            status: q.status,
            v: q.anthropicVersion,
          })),
        ),
      );
      expect(r.code, r.stderr).toBe(0);
      expect(messages.length).toBeGreaterThan(0);
      for (const q of messages) {
        expect(q.auth).toBe("bearer");
        expect(q.anthropicBeta?.split(",").map((s) => s.trim())).toContain(OAUTH_BETA);
      }
    }, 90_000);

    it("apiKeyHelper printing `apikey current`: what Claude Code sends with the minted token, and what the API does", async () => {
      const settings = join(home.homeDir, ".claude", "settings.json");
      mkdirSync(join(home.homeDir, ".claude"), { recursive: true });
      const helper = `${process.execPath} ${CLI_PATH} current`;
      writeFileSync(settings, JSON.stringify({ apiKeyHelper: helper }));
      fake.clearRequests();
      const r = await claude({
        ANTHROPIC_BASE_URL: fake.url,
        APIKEY_HOME: home.dataDir,
        // What `apikey current` (run by Claude Code as its helper) needs to open the test store.
        APIKEY_MASTER_KEY: TEST_MASTER_KEY,
      });
      const messages = fake.requests.filter((q) => q.path === "/v1/messages");
      console.log(
        "claude via apiKeyHelper:",
        JSON.stringify({ code: r.code, stdout: r.stdout.slice(0, 400), stderr: r.stderr.slice(0, 400) }),
        JSON.stringify(
          messages.map((q) => ({
            auth: q.auth,
            beta: q.anthropicBeta,
            status: q.status,
            v: q.anthropicVersion,
          })),
        ),
      );
      // Claude Code 2.1.197 sends a helper's output as x-api-key without the OAuth beta: the API refuses a minted
      // token sent that way. This pins what was observed; when it changes, docs/guides/no-static-keys.md changes too.
      expect(messages.map((q) => [q.auth, q.status])).toEqual([["x-api-key", 401]]);
      expect(JSON.parse(r.stdout).api_error_status).toBe(401);
    }, 90_000);

    it("ANTHROPIC_AUTH_TOKEN set to `apikey current`: Bearer without the OAuth beta (401); with ANTHROPIC_BETAS=oauth-2025-04-20, a 200", async () => {
      const current = await runCli(["current"], opts);
      expect(current.code, current.stderr).toBe(0);
      rmSync(join(home.homeDir, ".claude", "settings.json"), { force: true });
      const token = current.stdout.trim();
      const seen = async (env: Record<string, string>) => {
        fake.clearRequests();
        const r = await claude({ ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_AUTH_TOKEN: token, ...env });
        const messages = fake.requests
          .filter((q) => q.path === "/v1/messages")
          .map((q) => ({ auth: q.auth, beta: q.anthropicBeta, status: q.status }));
        console.log(
          "claude via ANTHROPIC_AUTH_TOKEN",
          JSON.stringify(env),
          r.stdout.slice(0, 300),
          JSON.stringify(messages),
        );
        return messages;
      };
      expect((await seen({})).map((m) => [m.auth, m.status])).toEqual([["bearer", 401]]);
      // Claude Code adds ANTHROPIC_BETAS to its own betas: with the OAuth beta the minted token works (until it expires,
      // minutes later: nothing renews it — the gateway does).
      const withBeta = await seen({ ANTHROPIC_BETAS: OAUTH_BETA });
      expect(withBeta.map((m) => [m.auth, m.status])).toEqual([["bearer", 200]]);
    }, 120_000);
  },
);
