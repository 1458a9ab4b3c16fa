import { describe, expect, it } from "vitest";
import { jwtExpiry, nextIdentityRenewal, RENEW_FALLBACK_MS, RENEW_MIN_MS } from "./identity-renewal.ts";

const NOW = 1_800_000_000_000;
const jwt = (payload: unknown) =>
  `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.sig`;

describe("issue 26: when exec renews a child's identity token file", () => {
  it("renews before exp, leaving half the remaining life (at most a minute) as slack", () => {
    expect(nextIdentityRenewal(NOW / 1000 + 3600, NOW)).toBe(3600_000 - 60_000);
    expect(nextIdentityRenewal(NOW / 1000 + 100, NOW)).toBe(50_000);
    expect(nextIdentityRenewal(NOW / 1000 + 30, NOW)).toBe(15_000);
  });

  it("never sooner than every 10 s, even for a token about to expire or already expired", () => {
    expect(nextIdentityRenewal(NOW / 1000 + 12, NOW)).toBe(RENEW_MIN_MS);
    expect(nextIdentityRenewal(NOW / 1000 - 600, NOW)).toBe(RENEW_MIN_MS);
  });

  it("without an exp: every 5 minutes", () => {
    expect(nextIdentityRenewal(null, NOW)).toBe(RENEW_FALLBACK_MS);
    expect(nextIdentityRenewal(Number.NaN, NOW)).toBe(RENEW_FALLBACK_MS);
  });

  it("reads exp from a JWT's payload, and nothing from what is not one", () => {
    expect(jwtExpiry(`${jwt({ exp: 1_900_000_000, sub: "x" })}\n`)).toBe(1_900_000_000);
    expect(jwtExpiry(jwt({ exp: "soon" }))).toBeNull();
    expect(jwtExpiry(jwt({}))).toBeNull();
    expect(jwtExpiry("not-a-jwt")).toBeNull();
    expect(jwtExpiry("a.!!!.c")).toBeNull();
  });
});
