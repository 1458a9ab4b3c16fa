import { describe, expect, it } from "vitest";
import { SEAL_VERSION } from "../crypto/aead.ts";
import { REFRESH_MARGIN_MS } from "../oauth/margin.ts";
import { type ActiveKeyFacts, needsRefresh, usableWithoutDecision, whyNotUsable } from "./usable.ts";

// Issue 21: the one rule both `apikey current` paths apply (tests/e2e/issue21-active-key-agreement.test.ts runs
// the same table through the real CLI).

const NOW = 1_800_000_000_000;
const key = (over: Partial<ActiveKeyFacts> = {}): ActiveKeyFacts => ({
  profile: "default",
  status: "active",
  kind: "api",
  seal: SEAL_VERSION,
  expiresAt: null,
  ...over,
});

describe("issue 21: whyNotUsable", () => {
  it.each([
    ["an active API key", key(), null],
    ["an admin key (kind alone decides nothing)", key({ kind: "admin" }), null],
    ["another profile's key", key({ profile: "prod" }), "other_profile"],
    ["a disabled key", key({ status: "disabled" }), "not_active"],
    ["a rotated key", key({ status: "rotated" }), "not_active"],
    ["an OAuth token an hour from expiry", key({ kind: "oauth", expiresAt: NOW + 3_600_000 }), null],
    ["an OAuth token without an expiry", key({ kind: "oauth" }), null],
    [
      "an OAuth token at the margin",
      key({ kind: "oauth", expiresAt: NOW + REFRESH_MARGIN_MS }),
      "refresh_due",
    ],
    ["an expired OAuth token", key({ kind: "oauth", expiresAt: NOW - 1 }), "refresh_due"],
    ["an API key with an expiry (never refreshed)", key({ expiresAt: NOW - 1 }), null],
    ["a row of an older seal", key({ seal: SEAL_VERSION - 1 }), "seal_version"],
    ["a refusal before a refresh", key({ status: "disabled", kind: "oauth", expiresAt: NOW }), "not_active"],
  ] as const)("%s", (_, facts, reason) => {
    expect(whyNotUsable(facts, "default", NOW)).toBe(reason);
    expect(usableWithoutDecision(facts, "default", NOW)).toBe(reason === null);
  });

  it("needsRefresh is the same rule over Dates", () => {
    const at = new Date(NOW);
    expect(needsRefresh({ kind: "oauth", expiresAt: new Date(NOW + REFRESH_MARGIN_MS) }, at)).toBe(true);
    expect(needsRefresh({ kind: "oauth", expiresAt: new Date(NOW + REFRESH_MARGIN_MS + 1) }, at)).toBe(false);
    expect(needsRefresh({ kind: "api", expiresAt: new Date(NOW) }, at)).toBe(false);
  });
});
