import {
  addProvider,
  createAnthropicClient,
  createToken,
  loadConfig,
  meteringFor,
  startLogin,
  storeFileIn,
  Vault,
} from "@apikey/core/testing";
import { startGateway } from "@apikey/gateway";
import { openStore } from "@apikey/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHome, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { type FakeAnthropic, fingerprint, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { type OidcServer, startOidcServer } from "../fixtures/oidc-server.ts";

// Issue 7, item 3: one active-key path. The gateway and the instrumented client resolve the active key through the
// same core code as `apikey current`, so an OAuth token a few seconds from expiry is refreshed against the real
// authorization server before it is sent upstream — by every front, not only the CLI.

let oidc: OidcServer;
let fake: FakeAnthropic;
let home: TestHome;
let vault: Vault;
let clock = Date.now();

/** The access token the key holds now (read as the person would, with reveal). */
const held = (name: string, profile: string) => vault.reveal(name, profile, "test");

async function loginAs(name: string, profile: string): Promise<string> {
  const session = await startLogin(vault, { provider: "corp", mode: "paste", keyName: name, profile });
  await session.finishWithPaste((await oidc.authorize(session.url)).href);
  session.close();
  return held(name, profile);
}

/** Seconds until the stored token's expiry, by the vault's clock. */
async function secondsLeft(name: string, profile: string): Promise<number> {
  const key = await vault.store.keys.byName(profile, name);
  return ((key?.expiresAt?.getTime() ?? 0) - clock) / 1000;
}

beforeAll(async () => {
  oidc = await startOidcServer({ accessTokenTtl: 300 });
  fake = await startFakeAnthropic();
  home = await makeHome();
  const store = await openStore({ path: storeFileIn(home.dataDir) });
  vault = new Vault({
    store,
    config: loadConfig({
      APIKEY_HOME: home.dataDir,
      APIKEY_MASTER_KEY: TEST_MASTER_KEY,
      ANTHROPIC_BASE_URL: fake.url,
    }),
    actor: "test",
    front: "api",
    now: () => new Date(clock),
  });
  await addProvider(vault, {
    name: "corp",
    issuer: oidc.issuer,
    clientId: oidc.clientId,
    scopes: ["keys:mint"],
  });
  await vault.createProfile("gw");
  await vault.createProfile("sdk");
});

afterAll(async () => {
  await vault?.store.close();
  await oidc?.close();
  await fake?.close();
  await home?.cleanup();
});

describe("item 3: one active-key path", () => {
  it("the gateway refreshes an OAuth token a few seconds from expiry and sends the new one upstream", async () => {
    const first = await loginAs("gw-login", "gw");
    const token = (await createToken(vault, { name: "gw" })).token;
    const gateway = await startGateway({
      app: { metering: meteringFor(vault) },
      port: 0,
      upstream: fake.url,
      profile: "gw",
    });
    try {
      const send = () =>
        fetch(`${gateway.url}/v1/models`, { headers: { "x-api-key": token } }).then((r) => r.arrayBuffer());
      await send();
      expect(fake.requests.at(-1)?.keyFingerprint).toBe(fingerprint(first));
      clock += 295_000; // 5 s left of 300: inside the refresh margin
      expect(await secondsLeft("gw-login", "gw")).toBeLessThan(10);
      // No wait for the cache's 1 s recheck: a token inside its refresh margin is re-resolved on the next request.
      await send();
      const refreshed = await held("gw-login", "gw");
      expect(refreshed).not.toBe(first);
      expect(oidc.issuedTokens()).toContain(refreshed);
      expect(fake.requests.at(-1)?.keyFingerprint).toBe(fingerprint(refreshed));
      expect(await secondsLeft("gw-login", "gw")).toBeGreaterThan(200);
    } finally {
      await gateway.close({ graceMs: 100 });
    }
  });

  it("the instrumented client refreshes an OAuth token a few seconds from expiry and sends the new one", async () => {
    const first = await loginAs("sdk-login", "sdk");
    const client = await createAnthropicClient({
      app: { metering: meteringFor(vault) },
      profile: "sdk",
      sdk: { maxRetries: 0 },
    });
    const call = () => client.models.list().catch(() => undefined);
    await call();
    expect(fake.requests.at(-1)?.keyFingerprint).toBe(fingerprint(first));
    clock += 295_000;
    await call();
    const refreshed = await held("sdk-login", "sdk");
    expect(refreshed).not.toBe(first);
    expect(oidc.issuedTokens()).toContain(refreshed);
    expect(fake.requests.at(-1)?.keyFingerprint).toBe(fingerprint(refreshed));
    const audit = await vault.audit({ limit: 20 });
    expect(audit.filter((a) => a.action === "oauth.refresh").length).toBeGreaterThanOrEqual(2);
  });
});
