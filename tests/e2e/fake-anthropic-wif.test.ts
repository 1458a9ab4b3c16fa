import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { identityTokenFromFile } from "@anthropic-ai/sdk/lib/credentials/identity-token";
import { oidcFederationProvider } from "@anthropic-ai/sdk/lib/credentials/oidc-federation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANTHROPIC_VERSION, type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { FEDERATION_BETA, JWT_BEARER, OAUTH_BETA } from "../fixtures/fake-token-exchange.ts";
import { type OidcIssuer, startOidcIssuer } from "../fixtures/oidc-issuer.ts";

// The stand-in for Workload Identity Federation must refuse what the real token endpoint refuses, or the tests of
// apikey's federated keys would pass against a host more lenient than Anthropic's.

const RULE = "fdrl_FAKE_TEST_rule01";
const ORG = "00000000-0000-4000-8000-00000000fa4e";
const SVAC = "svac_FAKE_TEST_ci";

let rs: OidcIssuer;
let es: OidcIssuer;
let fake: FakeAnthropic;
let dir: string;

beforeAll(async () => {
  rs = await startOidcIssuer({ alg: "RS256" });
  es = await startOidcIssuer({ alg: "ES256" });
  fake = await startFakeAnthropic({
    federationRules: [
      { id: RULE, organizationId: ORG, issuer: rs.issuer, jwksUrl: rs.jwksUrl, subject: rs.subject },
      {
        id: "fdrl_FAKE_TEST_es256",
        organizationId: ORG,
        issuer: es.issuer,
        jwksUrl: es.jwksUrl,
        subject: es.subject,
        serviceAccountId: SVAC,
      },
    ],
    mintedTokenTtl: 60,
  });
  dir = mkdtempSync(join(tmpdir(), "apikey-wif-fake-"));
});
afterAll(async () => {
  await Promise.all([fake.close(), rs.close(), es.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const fullBeta = `${OAUTH_BETA},${FEDERATION_BETA}`;

function exchange(body: Record<string, unknown>, beta: string | null = fullBeta) {
  return fetch(`${fake.url}/v1/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(beta === null ? {} : { "anthropic-beta": beta }) },
    body: JSON.stringify(body),
  });
}
const grant = (assertion: string, extra: Record<string, unknown> = {}) => ({
  grant_type: JWT_BEARER,
  assertion,
  federation_rule_id: RULE,
  organization_id: ORG,
  ...extra,
});

async function refusedWith(res: Response, status: number, type: string): Promise<string> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as {
    type: string;
    error: { type: string; message: string };
    request_id: string;
  };
  expect(body.type).toBe("error");
  expect(body.error.type).toBe(type);
  expect(body.request_id).toMatch(/^req_/);
  return body.error.message;
}

describe("issue 26: the stand-in's token exchange", () => {
  it("mints a short-lived sk-ant-oat01 token through the official SDK's exchange (RS256 and ES256)", async () => {
    const file = join(dir, "rs.jwt");
    rs.writeTokenFile(file);
    const provider = oidcFederationProvider({
      identityTokenProvider: identityTokenFromFile(file),
      federationRuleId: RULE,
      organizationId: ORG,
      baseURL: fake.url,
      fetch,
    });
    const first = await provider();
    expect(first.token).toMatch(/^sk-ant-oat01-FAKE_TEST_WIF_[A-Za-z0-9_-]+AA$/);
    expect(first.token).toHaveLength(108);
    expect(first.expiresAt).toBeGreaterThan(Date.now() / 1000 + 50);
    expect(first.expiresAt).toBeLessThanOrEqual(Date.now() / 1000 + 61);
    rs.writeTokenFile(file);
    expect((await provider()).token).not.toBe(first.token);

    const esFile = join(dir, "es.jwt");
    es.writeTokenFile(esFile);
    const viaEs = oidcFederationProvider({
      identityTokenProvider: identityTokenFromFile(esFile),
      federationRuleId: "fdrl_FAKE_TEST_es256",
      organizationId: ORG,
      serviceAccountId: SVAC,
      baseURL: fake.url,
      fetch,
    });
    expect((await viaEs()).token).toMatch(/^sk-ant-oat01-/);
  });

  it("needs both betas and the jwt-bearer grant", async () => {
    const jwt = rs.sign();
    await refusedWith(await exchange(grant(jwt), null), 400, "invalid_request_error");
    await refusedWith(await exchange(grant(jwt), OAUTH_BETA), 400, "invalid_request_error");
    await refusedWith(await exchange(grant(jwt), FEDERATION_BETA), 400, "invalid_request_error");
    await refusedWith(
      await exchange({ ...grant(jwt), grant_type: "client_credentials" }),
      400,
      "invalid_request_error",
    );
    expect((await exchange(grant(jwt), ` ${FEDERATION_BETA} , ${OAUTH_BETA} `)).status).toBe(200);
  });

  it("checks signature, issuer, subject and expiry against the rule", async () => {
    const refused = async (assertion: string, extra = {}) =>
      refusedWith(await exchange(grant(assertion, extra)), 401, "authentication_error");
    await refused(rs.signWithForeignKey());
    await refused(es.sign()); // signed by a key the rule's issuer does not publish
    await refused(rs.sign({ iss: "https://token.actions.githubusercontent.com" }));
    await refused(rs.sign({ sub: "repo:someone/else:ref:refs/heads/main" }));
    expect(await refused(rs.sign({ expiresIn: -5 }))).toMatch(/expired/);
    const [h, , s] = rs.sign().split(".");
    const tampered = Buffer.from(JSON.stringify({ sub: rs.subject, iss: rs.issuer, exp: 9e9 })).toString(
      "base64url",
    );
    await refused(`${h}.${tampered}.${s}`);
    await refused(rs.sign(), { organization_id: "00000000-0000-4000-8000-000000000bad" });
    await refused(rs.sign(), { federation_rule_id: "fdrl_FAKE_TEST_unknown" });
    // A rule with a service account needs it named.
    await refusedWith(
      await exchange({ ...grant(es.sign()), federation_rule_id: "fdrl_FAKE_TEST_es256" }),
      401,
      "authentication_error",
    );
  });

  it("refuses an assertion over 16 KiB, before looking at it", async () => {
    const big = rs.sign({ extra: { pad: "x".repeat(17 * 1024) } });
    expect(await refusedWith(await exchange(grant(big)), 400, "invalid_request_error")).toMatch(/16 KiB/);
  });

  it("a revoked rule answers 401 in the API's error shape", async () => {
    const rule = "fdrl_FAKE_TEST_revoked";
    fake.addFederationRule({
      id: rule,
      organizationId: ORG,
      issuer: rs.issuer,
      jwksUrl: rs.jwksUrl,
      subject: rs.subject,
    });
    expect((await exchange(grant(rs.sign(), { federation_rule_id: rule }))).status).toBe(200);
    fake.revokeFederationRule(rule);
    await refusedWith(
      await exchange(grant(rs.sign(), { federation_rule_id: rule })),
      401,
      "authentication_error",
    );
  });
});

describe("issue 26: the stand-in's API takes a minted token only as a bearer with the OAuth beta", () => {
  async function mint(): Promise<string> {
    const res = await exchange(grant(rs.sign()));
    return ((await res.json()) as { access_token: string }).access_token;
  }
  const models = (headers: Record<string, string>) =>
    fetch(`${fake.url}/v1/models`, { headers: { "anthropic-version": ANTHROPIC_VERSION, ...headers } });

  it("refuses x-api-key, a bearer without the beta, and an expired token", async () => {
    const token = await mint();
    expect((await models({ authorization: `Bearer ${token}`, "anthropic-beta": OAUTH_BETA })).status).toBe(
      200,
    );
    await refusedWith(await models({ authorization: `Bearer ${token}` }), 401, "authentication_error");
    await refusedWith(
      await models({ "x-api-key": token, "anthropic-beta": OAUTH_BETA }),
      401,
      "authentication_error",
    );
    fake.setMintedTokenTtl(1);
    const shortLived = await mint();
    fake.setMintedTokenTtl(60);
    fake.ageMintedTokens(1);
    const msg = await refusedWith(
      await models({ authorization: `Bearer ${shortLived}`, "anthropic-beta": OAUTH_BETA }),
      401,
      "authentication_error",
    );
    expect(msg).toMatch(/expired/);
  });

  it("the official SDK on a federation config gets a 200 (it adds the beta itself)", async () => {
    const file = join(dir, "sdk.jwt");
    rs.writeTokenFile(file);
    const client = new Anthropic({
      baseURL: fake.url,
      config: {
        organization_id: ORG,
        authentication: {
          type: "oidc_federation",
          federation_rule_id: RULE,
          identity_token: { source: "file", path: file },
        },
      },
    });
    const page = await client.models.list({ limit: 1 });
    expect(page.data.length).toBe(1);
    const last = fake.requests.at(-1);
    expect(last?.auth).toBe("bearer");
    expect(last?.anthropicBeta).toContain(OAUTH_BETA);
  });
});
