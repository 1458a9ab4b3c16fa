import { describe, expect, it } from "vitest";
import { GatewayAuthError, presentedCredential, tokenChecker } from "./auth.ts";
import { isLoopbackHost } from "./hosts.ts";
import { generateGatewayToken } from "./token.ts";

describe("gateway token check", () => {
  const token = generateGatewayToken();
  const check = tokenChecker(token);

  it("accepts the token and nothing else", () => {
    expect(check.isValid(token)).toBe(true);
    for (const other of [`${token}x`, token.slice(0, -1), token.toUpperCase(), "", null, undefined]) {
      expect(check.isValid(other)).toBe(false);
    }
  });

  it("throws a coded error: missing or invalid", () => {
    expect(() => check.verify(token)).not.toThrow();
    expect(() => check.verify(undefined)).toThrow(expect.objectContaining({ code: "missing" }));
    expect(() => check.verify("apk-gw-nope")).toThrow(GatewayAuthError);
    expect(() => check.verify("apk-gw-nope")).toThrow(expect.objectContaining({ code: "invalid" }));
  });

  it("makes random tokens not shaped like Anthropic keys", () => {
    expect(token).toMatch(/^apk-gw-[A-Za-z0-9_-]{43}$/);
    expect(generateGatewayToken()).not.toBe(token);
  });
});

describe("credential extraction", () => {
  it("reads x-api-key first, then a Bearer authorization", () => {
    expect(presentedCredential({ "x-api-key": "a", authorization: "Bearer b" })).toEqual({
      scheme: "x-api-key",
      value: "a",
    });
    expect(presentedCredential({ authorization: "bearer  b " })).toEqual({ scheme: "bearer", value: "b" });
    expect(presentedCredential({ authorization: "Basic Zm9vOmJhcg==" })).toBeNull();
    expect(presentedCredential({})).toBeNull();
  });
});

describe("loopback hosts", () => {
  it("allows only addresses this machine alone can reach", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"]) {
      expect(isLoopbackHost(h)).toBe(true);
    }
    for (const h of ["0.0.0.0", "::", "192.168.1.2", "10.0.0.1", "example.com", "128.0.0.1"]) {
      expect(isLoopbackHost(h)).toBe(false);
    }
  });
});
