import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
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
import { fakeApiKey } from "../fixtures/keys.ts";
import { type OidcIssuer, startOidcIssuer } from "../fixtures/oidc-issuer.ts";

// Issue 26: a federated key holds no secret. `apikey add --federated` stores a rule and where the workload's
// identity token is; `current` mints a token through the official SDK's exchange, `exec` hands the SDK what it
// needs to mint its own, `validate` checks with the bearer form — against a local OIDC issuer and the Anthropic
// stand-in, with nothing static on disk and no assertion or token in any output.

const RULE = "fdrl_FAKE_TEST_ci01";
const ORG = "00000000-0000-4000-8000-0000000f1e5d";
const SDK_ENTRY = createRequire(import.meta.url).resolve("@anthropic-ai/sdk");

let issuer: OidcIssuer;
let fake: FakeAnthropic;
let home: TestHome;
let tokenFile: string;
/** Every identity token written, for the leak checks. */
const assertions: string[] = [];
/** Every output of every run, for the leak checks. */
const outputs: string[] = [];

function run(args: string[], extra: Partial<RunOptions> = {}): Promise<CliResult> {
  return runCli(args, { home, baseUrl: fake.url, ...extra }).then((r) => {
    outputs.push(r.stdout, r.stderr);
    return r;
  });
}
function writeIdentity(claims: Parameters<OidcIssuer["sign"]>[0] = {}): string {
  const jwt = issuer.writeTokenFile(tokenFile, claims);
  assertions.push(jwt);
  return jwt;
}
const addArgs = (name: string, ...more: string[]) => [
  "--json",
  "add",
  name,
  "--federated",
  "--rule",
  RULE,
  "--org",
  ORG,
  ...more,
];
const models = (token: string) =>
  fetch(`${fake.url}/v1/models`, {
    headers: {
      authorization: `Bearer ${token}`,
      "anthropic-beta": OAUTH_BETA,
      "anthropic-version": ANTHROPIC_VERSION,
    },
  });

beforeAll(async () => {
  issuer = await startOidcIssuer({ alg: "ES256" });
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
    mintedTokenTtl: 600,
  });
  home = await makeHome();
  mkdirSync(join(home.root, "idp"));
  tokenFile = join(home.root, "idp", "token.jwt");
  writeIdentity();
});
afterAll(async () => {
  await Promise.all([fake?.close(), issuer?.close()]);
  await home?.cleanup();
});

describe("issue 26: apikey add --federated", () => {
  it("refuses bad settings with a coded error and writes nothing", async () => {
    const cases: Array<[string[], string]> = [
      [
        ["--json", "add", "ci", "--federated", "--org", ORG, "--identity-token-file", tokenFile],
        "E_FEDERATION_CONFIG",
      ],
      [
        [
          "--json",
          "add",
          "ci",
          "--federated",
          "--rule",
          "rule-1",
          "--org",
          ORG,
          "--identity-token-file",
          tokenFile,
        ],
        "E_FEDERATION_CONFIG",
      ],
      [addArgs("ci", "--identity-token-file", "relative/token.jwt"), "E_FEDERATION_CONFIG"],
      [
        addArgs("ci", "--identity-token-file", tokenFile, "--identity-token-env", "TOKEN"),
        "E_FEDERATION_CONFIG",
      ],
      [addArgs("ci"), "E_FEDERATION_CONFIG"],
      [addArgs("ci", "--identity-token-env", "1BAD"), "E_FEDERATION_CONFIG"],
      [
        addArgs("ci", "--service-account", "acct_1", "--identity-token-file", tokenFile),
        "E_FEDERATION_CONFIG",
      ],
      [addArgs("ci", "--workspace", "ws_1", "--identity-token-file", tokenFile), "E_FEDERATION_CONFIG"],
      [
        addArgs("ci", "--base-url", "http://api.example.com", "--identity-token-file", tokenFile),
        "E_FEDERATION_FAILED",
      ],
      [["--json", "add", "ci", "--rule", RULE], "E_USAGE"],
    ];
    for (const [args, code] of cases) {
      const r = await run(args);
      expect(r.code, `${args.join(" ")}\n${r.stderr}`).not.toBe(0);
      expect(jsonError(r).code, args.join(" ")).toBe(code);
    }
    expect(await snapshotDir(home.dataDir)).toEqual({});
  });

  it("a rule that rejects the identity token is refused at add (401, with the hint), and nothing is stored", async () => {
    const r = await run(
      addArgs("ci", "--org", "00000000-0000-4000-8000-000000000bad", "--identity-token-file", tokenFile),
    );
    const err = jsonError(r);
    expect(err.code).toBe("E_FEDERATION_REJECTED");
    expect(err.hint).toMatch(/federation rule matches/);
    expect(await snapshotDir(home.dataDir)).toEqual({});
  });

  it("stores the key after one exchange and a bearer GET /v1/models; list and show say there is nothing to rotate", async () => {
    fake.clearRequests();
    const r = await run(addArgs("ci", "--identity-token-file", tokenFile));
    const added = jsonOut<{
      key: { kind: string; masked: string; active: boolean };
      validation: { outcome: string };
    }>(r);
    expect(added.key.kind).toBe("federated");
    expect(added.key.active).toBe(true);
    expect(added.validation.outcome).toBe("valid");
    expect(fake.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      "POST /v1/oauth/token",
      "GET /v1/models",
    ]);
    expect(fake.requests[1]?.auth).toBe("bearer");
    expect(fake.requests[1]?.anthropicBeta).toContain(OAUTH_BETA);

    const list = jsonOut<Array<{ name: string; masked: string }>>(await run(["--json", "list"]));
    expect(list.find((k) => k.name === "ci")?.masked).toBe(`federated — nothing to rotate (${RULE})`);
    const show = await run(["show", "ci"]);
    expect(show.stdout).toContain("federated — nothing to rotate");
    const audit = await run(["--json", "audit"]);
    expect(audit.stdout).toContain("key.add");
  });

  it("rotate refuses: a federated key has nothing to rotate", async () => {
    const r = await run(["--json", "rotate", "ci"], { stdin: fakeApiKey("WIF_ROTATE") });
    expect(r.code).not.toBe(0);
    const err = jsonError(r);
    expect(err.code).toBe("E_FEDERATED_KEY");
    expect(err.message).toMatch(/nothing to rotate/);
  });
});

describe("issue 26: using a federated key", () => {
  it("current prints a fresh token; two calls across an expiry give two tokens, and the rotated identity file is re-read", async () => {
    // Long enough for a loaded machine to use the token once; the stand-in then ages it past its expiry.
    fake.setMintedTokenTtl(6);
    try {
      const first = await run(["current"]);
      expect(first.code, first.stderr).toBe(0);
      const t1 = first.stdout.trim();
      expect(t1).toMatch(/^sk-ant-oat01-FAKE_TEST_WIF_/);
      expect((await models(t1)).status).toBe(200);
      fake.ageMintedTokens(6);
      expect((await models(t1)).status).toBe(401);

      // The file is read at each exchange: a forged token put there is what the endpoint sees (and refuses)…
      const forged = issuer.signWithForeignKey();
      assertions.push(forged);
      writeFileSync(tokenFile, forged);
      const refused = await run(["--json", "current"]);
      expect(jsonError(refused).code).toBe("E_FEDERATION_REJECTED");
      // …and the workload's renewed token is what the next exchange uses.
      writeIdentity();
      const second = await run(["current"]);
      expect(second.code, second.stderr).toBe(0);
      const t2 = second.stdout.trim();
      expect(t2).toMatch(/^sk-ant-oat01-/);
      expect(t2).not.toBe(t1);
      expect((await models(t2)).status).toBe(200);
    } finally {
      fake.setMintedTokenTtl(600);
      writeIdentity();
    }
  });

  it("validate exchanges and checks GET /v1/models with the bearer form", async () => {
    fake.clearRequests();
    const r = await run(["--json", "validate", "ci"]);
    expect(jsonOut<{ validation: { outcome: string } }>(r).validation.outcome).toBe("valid");
    const check = fake.requests.find((q) => q.path === "/v1/models");
    expect(check?.auth).toBe("bearer");
    expect(check?.anthropicBeta).toContain(OAUTH_BETA);
  });

  it("exec gives the official SDK the federation variables, and it gets a 200 with no token in its environment", async () => {
    const script =
      `const A=require(${JSON.stringify(SDK_ENTRY)});` +
      "const c=new A.default();" +
      "c.models.list({limit:1}).then(p=>{" +
      "const env=Object.entries(process.env).filter(([k])=>k.startsWith('ANTHROPIC_')).map(([k])=>k).sort();" +
      "console.log(JSON.stringify({n:p.data.length,env,leak:Object.values(process.env).some(v=>/sk-ant-/.test(v))}))" +
      "},e=>{console.error(String(e));process.exit(1)})";
    const r = await run(["exec", "--", process.execPath, "-e", script], {
      env: {
        ANTHROPIC_API_KEY: undefined,
        ANTHROPIC_AUTH_TOKEN: "sk-ant-oat01-FAKE_TEST_stale",
        ANTHROPIC_PROFILE: "elsewhere",
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const seen = JSON.parse(r.stdout) as { n: number; env: string[]; leak: boolean };
    expect(seen.n).toBe(1);
    expect(seen.leak).toBe(false);
    expect(seen.env).toEqual([
      "ANTHROPIC_BASE_URL",
      "ANTHROPIC_FEDERATION_RULE_ID",
      "ANTHROPIC_IDENTITY_TOKEN_FILE",
      "ANTHROPIC_ORGANIZATION_ID",
    ]);
  });

  it("env prints the SDK's federation variables, never a token", async () => {
    const r = await run(["env"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`export ANTHROPIC_FEDERATION_RULE_ID='${RULE}'`);
    expect(r.stdout).toContain(`export ANTHROPIC_IDENTITY_TOKEN_FILE='${tokenFile}'`);
    expect(r.stdout).not.toContain("sk-ant-");
  });
});

describe("issue 26: apikey import --from anthropic-profiles", () => {
  it("imports an oidc_federation profile (named, or the active_config one) as a federated key; a user_oauth one is refused", async () => {
    const configDir = join(home.root, "anthropic-config");
    mkdirSync(join(configDir, "configs"), { recursive: true });
    const federation = (workspace?: string) => ({
      version: 1,
      organization_id: ORG,
      ...(workspace && { workspace_id: workspace }),
      authentication: {
        type: "oidc_federation",
        federation_rule_id: RULE,
        identity_token: { source: "file", path: tokenFile },
      },
    });
    writeFileSync(join(configDir, "configs", "ci.json"), JSON.stringify(federation()));
    writeFileSync(join(configDir, "configs", "deploy.json"), JSON.stringify(federation("default")));
    writeFileSync(
      join(configDir, "configs", "me.json"),
      JSON.stringify({ version: 1, authentication: { type: "user_oauth", client_id: "x" } }),
    );
    writeFileSync(join(configDir, "active_config"), "deploy\n");
    const env = { ANTHROPIC_CONFIG_DIR: configDir };

    // The same settings as the key added above: a duplicate, refused.
    expect(
      jsonError(await run(["--json", "import", "--from", "anthropic-profiles", "ci"], { env })).code,
    ).toBe("E_KEY_DUPLICATE");
    const active = await run(["--json", "import", "--from", "anthropic-profiles", "--validate"], { env });
    const added = jsonOut<{ key: { name: string; kind: string }; validation: { outcome: string } }>(active);
    expect(added.key).toMatchObject({ name: "anthropic-deploy", kind: "federated" });
    expect(added.validation.outcome).toBe("valid");
    const oauth = jsonError(await run(["--json", "import", "--from", "anthropic-profiles", "me"], { env }));
    expect(oauth.code).toBe("E_IMPORT_SOURCE");
    expect(oauth.message).toMatch(/user_oauth/);
    expect(
      jsonError(await run(["--json", "import", "--from", "anthropic-profiles", "nope"], { env })).code,
    ).toBe("E_IMPORT_SOURCE");
  });
});

describe("issue 26: clear failures, and never an assertion or a token in any output", () => {
  const codeOf = async (args: string[], extra: Partial<RunOptions> = {}) => {
    const r = await run(["--json", ...args], extra);
    expect(r.code).not.toBe(0);
    return jsonError(r);
  };

  it("an expired, unreadable or oversized identity token: E_IDENTITY_TOKEN with the reason", async () => {
    writeIdentity({ expiresIn: -60 });
    expect((await codeOf(["current"])).message).toMatch(/expired/);
    writeIdentity({ extra: { pad: "x".repeat(17 * 1024) } });
    const big = await codeOf(["current"]);
    expect(big.code).toBe("E_IDENTITY_TOKEN");
    expect(big.message).toMatch(/16 KiB/);
    rmSync(tokenFile);
    const gone = await codeOf(["current"]);
    expect(gone.code).toBe("E_IDENTITY_TOKEN");
    expect(gone.message).toMatch(/cannot be read/);
    writeIdentity();
  });

  it("an identity token from a variable: unset is a coded error, set works", async () => {
    const r = await run(addArgs("ci-env", "--identity-token-env", "WORKLOAD_JWT", "--no-validate"));
    expect(r.code, r.stderr).toBe(0);
    expect((await codeOf(["--profile", "default", "reveal", "--yes", "ci-env"])).code).toBe(
      "E_IDENTITY_TOKEN",
    );
    const jwt = issuer.sign();
    assertions.push(jwt);
    const ok = await run(["reveal", "--yes", "ci-env"], { env: { WORKLOAD_JWT: jwt } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toMatch(/^sk-ant-oat01-/);
  });

  it("a revoked rule: E_FEDERATION_REJECTED with the SDK's hint", async () => {
    fake.revokeFederationRule(RULE);
    const err = await codeOf(["current"]);
    expect(err.code).toBe("E_FEDERATION_REJECTED");
    expect(err.hint).toMatch(/Workload identity page/);
    fake.addFederationRule({
      id: RULE,
      organizationId: ORG,
      issuer: issuer.issuer,
      jwksUrl: issuer.jwksUrl,
      subject: issuer.subject,
    });
  });

  it("canary: no static key, minted token or assertion in the store, the home directory or any output", async () => {
    const minted = fake.mintedTokens();
    expect(minted.length).toBeGreaterThan(3);
    const needles = [...minted, ...assertions, "sk-ant-api03-", "sk-ant-admin01-"];
    expect(await filesContaining(home.dataDir, needles)).toEqual([]);
    expect(await filesContaining(home.homeDir, needles)).toEqual([]);
    // `current` and `reveal` print a token by design (stdout of a successful run); nothing else may.
    const printed = new Set(outputs.filter((o) => /^sk-ant-oat01-\S+\n$/.test(o)));
    for (const out of outputs) {
      if (printed.has(out)) continue;
      for (const secret of [...minted, ...assertions]) expect(out).not.toContain(secret);
    }
  });
});
