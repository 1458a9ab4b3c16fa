import { describe, expect, it } from "vitest";
import { classifyFailure, STORABLE } from "./classify.ts";

describe("classifyFailure", () => {
  it.each([
    [401, "invalid"],
    [402, "billing"],
    [403, "forbidden"],
    [429, "rate_limited"],
    [400, "unverified"],
    [404, "unverified"],
    [413, "unverified"],
    [500, "unverified"],
    [504, "unverified"],
    [529, "unverified"],
  ] as const)("status %i is %s", (status, outcome) => {
    const r = classifyFailure({ status });
    expect(r.outcome).toBe(outcome);
    expect(r.message.length).toBeGreaterThan(10);
  });

  it("only an invalid key is refused storage", () => {
    expect(STORABLE.has("invalid")).toBe(false);
    expect(STORABLE.has("unverified")).toBe(true);
  });

  it("reads retry-after in seconds or as a date", () => {
    expect(classifyFailure({ status: 429, retryAfter: "30" }).retryAfterSeconds).toBe(30);
    const soon = new Date(Date.now() + 60_000).toUTCString();
    expect(classifyFailure({ status: 429, retryAfter: soon }).retryAfterSeconds).toBeGreaterThan(50);
  });

  it("network failures could not verify", () => {
    expect(classifyFailure({ network: "timeout" }).outcome).toBe("unverified");
    expect(classifyFailure({ network: "connection" }).message).toMatch(/could not be reached/);
  });
});
