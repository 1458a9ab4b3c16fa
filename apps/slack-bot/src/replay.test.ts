import { describe, expect, it } from "vitest";
import { memoryClaims } from "./replay.ts";

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
});
