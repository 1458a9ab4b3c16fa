import { describe, expect, it } from "vitest";
import { httpDeliveryName, memoryClaims } from "./replay.ts";

describe("memoryClaims", () => {
  it("grants a name once, and again only after the retention window", async () => {
    let t = 0;
    const claims = memoryClaims({ retainMs: 1000, now: () => t });
    expect(await claims.claimOnce("a")).toBe(true);
    expect(await claims.claimOnce("a")).toBe(false);
    expect(await claims.claimOnce("b")).toBe(true);
    t = 999;
    expect(await claims.claimOnce("a")).toBe(false);
    t = 1000;
    expect(await claims.claimOnce("a")).toBe(true);
  });

  it("names an HTTP delivery by signature and timestamp together", () => {
    const a = httpDeliveryName({ "x-slack-signature": "v0=aa", "x-slack-request-timestamp": "1" });
    const b = httpDeliveryName({ "x-slack-signature": "v0=aa", "x-slack-request-timestamp": "2" });
    expect(a).toMatch(/^http:[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    expect(httpDeliveryName({ "x-slack-signature": "v0=aa" })).toBeUndefined();
  });
});
