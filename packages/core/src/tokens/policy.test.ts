import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateGatewayToken, tokenHasher } from "./hash.ts";
import { modelAllowed, parseExpiry, parseModels, tokenRefusal } from "./policy.ts";

const NOW = new Date("2026-11-28T12:00:00Z");

describe("token expiry", () => {
  it("reads durations and future dates", () => {
    expect(parseExpiry("30d", NOW).toISOString()).toBe("2026-12-28T12:00:00.000Z");
    expect(parseExpiry("12h", NOW).toISOString()).toBe("2026-11-29T00:00:00.000Z");
    expect(parseExpiry("90m", NOW).toISOString()).toBe("2026-11-28T13:30:00.000Z");
    expect(parseExpiry("2027-01-31", NOW).toISOString()).toBe("2027-01-31T00:00:00.000Z");
  });

  it("refuses the past, nonsense and centuries with E_USAGE", () => {
    for (const bad of ["0d", "2026-01-01", "soon", "", "-1d", "99999d"]) {
      expect(() => parseExpiry(bad, NOW)).toThrow(expect.objectContaining({ code: "E_USAGE" }));
    }
  });

  it("refuses a revoked or expired token, at the instant it expires", () => {
    const expiresAt = new Date(NOW.getTime() + 1000);
    expect(tokenRefusal({ revokedAt: null, expiresAt: null }, NOW.getTime())).toBeNull();
    expect(tokenRefusal({ revokedAt: null, expiresAt }, NOW.getTime() + 999)).toBeNull();
    expect(tokenRefusal({ revokedAt: null, expiresAt }, NOW.getTime() + 1000)).toBe("expired");
    expect(tokenRefusal({ revokedAt: NOW, expiresAt }, NOW.getTime())).toBe("revoked");
  });
});

describe("token model lists", () => {
  it("matches exact ids and trailing-* prefixes only", () => {
    const models = parseModels(["claude-haiku-*", " claude-sonnet-4-5 ", "claude-haiku-*"]);
    expect(models).toEqual(["claude-haiku-*", "claude-sonnet-4-5"]);
    expect(modelAllowed(models, "claude-haiku-4-5-20251001")).toBe(true);
    expect(modelAllowed(models, "claude-sonnet-4-5")).toBe(true);
    expect(modelAllowed(models, "claude-sonnet-4-5-20250929")).toBe(false);
    expect(modelAllowed(models, "claude-opus-4-1")).toBe(false);
    expect(modelAllowed(null, "anything")).toBe(true);
  });

  it("refuses an empty list or a malformed id", () => {
    for (const bad of [[], [""], ["a b"], ["*"], ["claude-*-x*"]]) {
      expect(() => parseModels(bad)).toThrow(expect.objectContaining({ code: "E_USAGE" }));
    }
  });
});

describe("token hashing", () => {
  it("is keyed by the data key: same token, other store, other hash; never the token", () => {
    const token = generateGatewayToken();
    const a = tokenHasher(randomBytes(32));
    const b = tokenHasher(randomBytes(32));
    expect(token).toMatch(/^apk-gw-[A-Za-z0-9_-]{43}$/);
    expect(a(token)).toBe(a(token));
    expect(a(token)).not.toBe(b(token));
    expect(a(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(a(token)).not.toContain(token.slice(7, 20));
  });
});
