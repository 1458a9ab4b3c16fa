import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filesContaining, type TestHome } from "../fixtures/cli.ts";
import type { FakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { OAUTH_BETA } from "../fixtures/fake-token-exchange.ts";
import { federationRule, postMessage, startFederatedGateway } from "../fixtures/federated-gateway.ts";
import type { OidcIssuer } from "../fixtures/oidc-issuer.ts";
import { type RunningProxy, stopAllProxies, usageEvents } from "../fixtures/proxy.ts";

// Issue 26: a team's gateway with no static key at all. The profile's active key is federated; per-person gateway
// tokens get a 200; the gateway swaps in `Authorization: Bearer <minted>` with the OAuth beta merged into the
// client's own; the identity token file is re-read at each exchange inside the long-running gateway; a revoked rule
// is answered in the API's own error shape.

const RULE = "fdrl_FAKE_TEST_gateway";
const ORG = "00000000-0000-4000-8000-00000000ga7e";
const CLIENT_BETA = "files-api-2025-04-14";

let issuer: OidcIssuer;
let fake: FakeAnthropic;
let home: TestHome;
let proxy: RunningProxy;
let gatewayToken = "";
let tokenFile = "";
const assertions: string[] = [];

const rule = () => federationRule(issuer, RULE, ORG);

const post = () => postMessage(proxy, gatewayToken, { "anthropic-beta": CLIENT_BETA });
/** Posts until the answer has this status: the gateway re-resolves its key about once a second (slower when loaded). */
async function postUntil(status: number) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await post();
    if (r.status === status || Date.now() > deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  // 20 s tokens are always inside the SDK's 30 s mandatory window: every re-resolve of the active key re-exchanges,
  // so the test sees the gateway's exchanges without waiting minutes.
  const gw = await startFederatedGateway({ rule: RULE, org: ORG, mintedTokenTtl: 20 });
  ({ issuer, fake, home, proxy, gatewayToken, tokenFile } = gw);
  assertions.push(gw.firstAssertion);
});
afterAll(async () => {
  await stopAllProxies();
  await Promise.all([fake?.close(), issuer?.close()]);
  await home?.cleanup();
});

describe("issue 26: the gateway on a federated profile", () => {
  it("a gateway token gets a 200 (the official SDK too); upstream sees a minted bearer with the OAuth beta merged in", async () => {
    fake.clearRequests();
    const before = (await usageEvents(home)).length;
    const r = await post();
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const sdk = new Anthropic({ apiKey: gatewayToken, baseURL: proxy.url, maxRetries: 0 });
    const msg = await sdk.messages.create({
      model: "claude-sonnet-4-6",
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(msg.type).toBe("message");

    const upstream = fake.requests.filter((q) => q.path === "/v1/messages");
    expect(upstream).toHaveLength(2);
    for (const q of upstream) {
      expect(q.auth).toBe("bearer");
      expect(q.keyMasked).toMatch(/^sk-ant-oat01-…/);
      expect(q.anthropicBeta?.split(",").map((s) => s.trim())).toContain(OAUTH_BETA);
    }
    expect(upstream[0]?.anthropicBeta?.split(",").map((s) => s.trim())).toEqual([CLIENT_BETA, OAUTH_BETA]);
    expect(fake.requests.some((q) => q.path === "/v1/oauth/token")).toBe(true);

    const events = (await usageEvents(home)).slice(before);
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.tokenId !== null && e.outputTokens > 0)).toBe(true);
  });

  it("re-reads the rotated identity token file at each exchange, inside the running gateway", async () => {
    assertions.push(issuer.writeTokenFile(tokenFile, { expiresIn: -30 }));
    const stale = await postUntil(503);
    expect(stale.status).toBe(503);
    expect(stale.body.error?.message).toMatch(/identity token .* has expired/);
    assertions.push(issuer.writeTokenFile(tokenFile));
    expect((await postUntil(200)).status).toBe(200);
  });

  it("a revoked rule is answered in the API's own error shape, and nothing is forwarded", async () => {
    fake.revokeFederationRule(RULE);
    const r = await postUntil(503);
    fake.clearRequests();
    expect((await post()).status).toBe(503);
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ type: "error", error: { type: "api_error" } });
    expect(r.body.error?.message).toMatch(/refused the identity token/);
    expect(r.body.request_id).toMatch(/^req_/);
    expect(fake.requests.filter((q) => q.path === "/v1/messages")).toEqual([]);
    fake.addFederationRule(rule());
  });

  it("canary: no minted token or assertion in the store, the home directory or the gateway's output", async () => {
    const secrets = [...fake.mintedTokens(), ...assertions];
    expect(fake.mintedTokens().length).toBeGreaterThan(2);
    expect(await filesContaining(home.dataDir, [...secrets, "sk-ant-api03-"])).toEqual([]);
    expect(await filesContaining(home.homeDir, secrets)).toEqual([]);
    for (const s of secrets) expect(proxy.stderr()).not.toContain(s);
  });
});
