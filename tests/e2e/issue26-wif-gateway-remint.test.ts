import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filesContaining, type TestHome } from "../fixtures/cli.ts";
import type { FakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { postMessage, startFederatedGateway } from "../fixtures/federated-gateway.ts";
import type { OidcIssuer } from "../fixtures/oidc-issuer.ts";
import { type RunningProxy, stopAllProxies, usageEvents } from "../fixtures/proxy.ts";

// Issue 26: the API refuses a minted token before it expires (revoked upstream). The gateway's token cache cannot
// know; on that 401 it forgets the token, re-mints once and sends the request again (its body is in hand), so the
// client gets the 200; when the fresh token is refused too, the client gets the API's own 401, and the next
// request mints afresh.

const RULE = "fdrl_FAKE_TEST_remint";
const ORG = "00000000-0000-4000-8000-0000000e3127";

let issuer: OidcIssuer;
let fake: FakeAnthropic;
let home: TestHome;
let proxy: RunningProxy;
let gatewayToken = "";

const post = () => postMessage(proxy, gatewayToken);
const upstreamMessages = () => fake.requests.filter((q) => q.path === "/v1/messages");
const exchanges = () => fake.requests.filter((q) => q.path === "/v1/oauth/token").length;

beforeAll(async () => {
  ({ issuer, fake, home, proxy, gatewayToken } = await startFederatedGateway({
    rule: RULE,
    org: ORG,
    mintedTokenTtl: 600,
  }));
});
afterAll(async () => {
  await stopAllProxies();
  await Promise.all([fake?.close(), issuer?.close()]);
  await home?.cleanup();
});

describe("issue 26: the gateway re-mints when the API refuses a minted token early", () => {
  it("a revoked, unexpired token: re-minted once, the request sent again, the client sees only the 200", async () => {
    expect((await post()).status).toBe(200);
    fake.revokeMintedTokens();
    fake.clearRequests();
    const before = (await usageEvents(home)).length;
    const r = await post();
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const [refused, retried] = upstreamMessages();
    expect(upstreamMessages().map((q) => q.status)).toEqual([401, 200]);
    expect(retried?.keyFingerprint).not.toBe(refused?.keyFingerprint);
    expect(exchanges()).toBe(1);
    expect((await usageEvents(home)).length - before).toBe(1);
    // The new token is kept: the next request needs no exchange.
    fake.clearRequests();
    expect((await post()).status).toBe(200);
    expect(exchanges()).toBe(0);
  });

  it("refused again after the re-mint: the API's own 401 reaches the client, and the next request mints afresh", async () => {
    // Every token minted from now on is refused at once: revoked after each exchange.
    const revokeAfterExchange = setInterval(() => fake.revokeMintedTokens(), 1);
    fake.revokeMintedTokens();
    fake.clearRequests();
    let r: Awaited<ReturnType<typeof post>>;
    try {
      fake.setMintedTokenTtl(0);
      r = await post();
    } finally {
      clearInterval(revokeAfterExchange);
      fake.setMintedTokenTtl(600);
    }
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect(upstreamMessages()).toHaveLength(2);
    fake.clearRequests();
    expect((await post()).status).toBe(200);
    expect(exchanges()).toBe(1);
  });

  it("canary: no minted token in the store or the gateway's output", async () => {
    const minted = fake.mintedTokens();
    expect(await filesContaining(home.dataDir, minted)).toEqual([]);
    for (const t of minted) expect(proxy.stderr()).not.toContain(t);
  });
});
