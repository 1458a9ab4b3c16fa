import {
  addProvider,
  buildAuthorizationRequest,
  checkAuthorizationResponse,
  ensureFreshToken,
  exchangeCode,
  freshActiveSecret,
  getProvider,
  loadConfig,
  parsePastedResponse,
  resolveServer,
  startLogin,
  storeFileIn,
  Vault,
} from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHome, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { type OidcServer, startOidcServer } from "../fixtures/oidc-server.ts";

// The OAuth core against a real authorization server, for what a CLI run cannot reach: a wrong PKCE verifier, a
// replayed code, a refresh token the provider no longer honours, and refresh on expiry under an injected clock.

let server: OidcServer;
let home: TestHome;
let vault: Vault;
let clock = Date.now();
const REDIRECT = "http://127.0.0.1:1/callback";

async function codeFor(url: string): Promise<URLSearchParams> {
  return (await server.authorize(url)).searchParams;
}

async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return "resolved";
}

beforeAll(async () => {
  server = await startOidcServer({ accessTokenTtl: 300 });
  home = await makeHome();
  const store = await openStore({ path: storeFileIn(home.dataDir) });
  vault = new Vault({
    store,
    config: loadConfig({ APIKEY_HOME: home.dataDir, APIKEY_MASTER_KEY: TEST_MASTER_KEY }),
    actor: "test",
    front: "api",
    now: () => new Date(clock),
  });
  await addProvider(vault, {
    name: "corp",
    issuer: server.issuer,
    clientId: server.clientId,
    scopes: ["keys:mint"],
  });
});

afterAll(async () => {
  await vault?.store.close();
  await server?.close();
  await home?.cleanup();
});

describe("code exchange", () => {
  it("a wrong PKCE verifier: E_OAUTH_CODE", async () => {
    const s = await resolveServer(await getProvider(vault, "corp"), { fresh: true });
    const request = await buildAuthorizationRequest(s, REDIRECT, ["keys:mint"]);
    const callback = checkAuthorizationResponse(s, await codeFor(request.url), request.pending, "redirect");
    const other = await buildAuthorizationRequest(s, REDIRECT, ["keys:mint"]);
    const wrong = { ...request.pending, codeVerifier: other.pending.codeVerifier };
    expect(await errorCode(exchangeCode(s, callback, wrong, new Date()))).toBe("E_OAUTH_CODE");
  });

  it("a code used twice: E_OAUTH_CODE the second time", async () => {
    const s = await resolveServer(await getProvider(vault, "corp"), { fresh: true });
    const request = await buildAuthorizationRequest(s, REDIRECT, ["keys:mint"]);
    const callback = checkAuthorizationResponse(s, await codeFor(request.url), request.pending, "redirect");
    const first = await exchangeCode(s, callback, request.pending, new Date());
    expect(first.refreshToken).toBeTruthy();
    expect(await errorCode(exchangeCode(s, callback, request.pending, new Date()))).toBe("E_OAUTH_CODE");
  });

  it("a redirect without state: E_OAUTH_STATE; a pasted bare code is checked by PKCE alone", async () => {
    const s = await resolveServer(await getProvider(vault, "corp"), { fresh: true });
    const request = await buildAuthorizationRequest(s, REDIRECT, ["keys:mint"]);
    const back = await codeFor(request.url);
    const noState = new URLSearchParams(back);
    noState.delete("state");
    expect(
      await errorCode((async () => checkAuthorizationResponse(s, noState, request.pending, "redirect"))()),
    ).toBe("E_OAUTH_STATE");
    const bare = parsePastedResponse(back.get("code") as string);
    const callback = checkAuthorizationResponse(s, bare, request.pending, "paste");
    expect((await exchangeCode(s, callback, request.pending, new Date())).accessToken).toBeTruthy();
  });
});

describe("stored tokens", () => {
  it("are refreshed only when about to expire, and on use through freshActiveSecret", async () => {
    const session = await startLogin(vault, { provider: "corp", mode: "paste", keyName: "main" });
    const login = await session.finishWithPaste((await server.authorize(session.url)).href);
    session.close();
    expect(login.key).toMatchObject({ kind: "oauth", source: "oauth", active: true });

    const fresh = await ensureFreshToken(vault, "main");
    expect(fresh.refreshed).toBe(false);

    const before = await freshActiveSecret(vault);
    clock += 250_000; // 50 s left of 300: inside the 60 s margin
    const after = await freshActiveSecret(vault);
    expect(after.secret).not.toBe(before.secret);
    expect(server.issuedTokens()).toContain(after.secret);
    const audit = await vault.audit({ limit: 5 });
    expect(audit.map((a) => a.action)).toContain("oauth.refresh");
    expect(JSON.stringify(audit)).not.toContain(after.secret);
  });

  it("a refresh token the provider no longer honours: E_OAUTH_REFRESH_FAILED, stored tokens kept", async () => {
    const stale = await vault.store.keys.byName("default", "main");
    await ensureFreshToken(vault, "main", "default", { force: true });
    // Put back the consumed refresh token, as a restored backup would; oidc-provider rejects its reuse.
    await vault.store.keys.update(stale?.id as string, {
      refreshCiphertext: stale?.refreshCiphertext ?? null,
      refreshNonce: stale?.refreshNonce ?? null,
    });
    const kept = await vault.store.keys.byName("default", "main");
    expect(await errorCode(ensureFreshToken(vault, "main", "default", { force: true }))).toBe(
      "E_OAUTH_REFRESH_FAILED",
    );
    const now = await vault.store.keys.byName("default", "main");
    expect(Buffer.from(now?.ciphertext ?? []).equals(Buffer.from(kept?.ciphertext ?? []))).toBe(true);
  });
});
