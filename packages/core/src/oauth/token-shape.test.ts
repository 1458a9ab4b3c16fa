import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isApikeyError } from "../errors.ts";
import { resolveServer } from "./server.ts";
import { checkIssuedTokens } from "./token-shape.ts";
import { exchangeCode, refreshTokens } from "./tokens.ts";

// Issue 12, item 4: tokens are bounded where they enter — a provider's token endpoint.

let issued: { access_token: string; refresh_token?: string };
let server: Server;
let base: string;

beforeAll(async () => {
  // A real token endpoint on 127.0.0.1 that answers whatever the test says it issues.
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify({ token_type: "Bearer", expires_in: 300, ...issued }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const provider = () =>
  resolveServer(
    {
      name: "corp",
      issuer: null,
      authorizationEndpoint: `${base}/authorize`,
      tokenEndpoint: `${base}/token`,
      clientId: "client-FAKE",
      scopes: [],
      keyMintingUrl: null,
      createdAt: new Date(),
      updatedAt: new Date(),
    },
    { fresh: false },
  );

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "accepted";
  } catch (err) {
    return isApikeyError(err) ? err.code : String(err);
  }
}

const HOSTILE_ACCESS = [
  'tok\u2019;ni("x");\u2019FAKE-TEST-padding',
  "FAKE-TEST-token-with'quote",
  "FAKE-TEST-token with space",
  "FAKE-TEST-token\nnewline",
  "FAKE-TEST-token\u001b[2J",
  "FAKE-TEST-token$(id)`id`",
  "=FAKE-TEST-padding-first",
  `FAKE-TEST-${"a".repeat(2 * 1024 * 1024)}`,
  "short",
];

describe("item 4: OAuth tokens outside the RFC 6750 b64token set or over 4096 characters are refused with E_OAUTH_CONFIG", () => {
  it("at the code exchange and at refresh", async () => {
    const s = await provider();
    const pending = { state: "s", codeVerifier: "v".repeat(43), redirectUri: "http://127.0.0.1:1/callback" };
    for (const access of HOSTILE_ACCESS) {
      issued = { access_token: access };
      const callback = new URLSearchParams({ code: "c" });
      expect(
        await codeOf(exchangeCode(s, callback, pending, new Date())),
        JSON.stringify(access.slice(0, 40)),
      ).toBe("E_OAUTH_CONFIG");
      expect(await codeOf(refreshTokens(s, "FAKE-TEST-refresh", new Date()))).toBe("E_OAUTH_CONFIG");
    }
    issued = { access_token: "FAKE-TEST-ok-token", refresh_token: "FAKE-TEST refresh with space" };
    expect(await codeOf(refreshTokens(s, "FAKE-TEST-refresh", new Date()))).toBe("E_OAUTH_CONFIG");
    issued = {
      access_token: `FAKE-TEST-ok/token+body~._-${"x".repeat(100)}==`,
      refresh_token: "FAKE-TEST-r!",
    };
    expect(await codeOf(refreshTokens(s, "FAKE-TEST-refresh", new Date()))).toBe("accepted");
  });

  it("checkIssuedTokens takes a 4096-character token and refuses 4097", () => {
    expect(() => checkIssuedTokens({ accessToken: "a".repeat(4096), refreshToken: null })).not.toThrow();
    expect(() => checkIssuedTokens({ accessToken: "a".repeat(4097), refreshToken: null })).toThrow(
      expect.objectContaining({ code: "E_OAUTH_CONFIG" }),
    );
  });
});
