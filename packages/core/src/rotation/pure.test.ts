import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../errors.ts";
import { checkMaxAgeDays, rotationDue } from "./due.ts";
import { parseGrace } from "./grace.ts";
import { matchesPartialHint } from "./partial-hint.ts";

const DAY = 86_400_000;
const now = new Date("2026-11-20T12:00:00Z");
const aged = (days: number, over: Partial<Parameters<typeof rotationDue>[0]> = {}) => ({
  createdAt: new Date(now.getTime() - days * DAY),
  status: "active" as const,
  kind: "api" as const,
  ...over,
});

describe("rotationDue", () => {
  it("flags live keys older than the limit, and only those", () => {
    expect(rotationDue(aged(91), now, 90)).toBe(true);
    expect(rotationDue(aged(89), now, 90)).toBe(false);
    expect(rotationDue(aged(90), now, 90)).toBe(false);
    expect(
      rotationDue(aged(31, { createdAt: new Date(now.getTime() - 31 * DAY).toISOString() }), now, 30),
    ).toBe(true);
    expect(rotationDue(aged(200, { status: "disabled" }), now, 90)).toBe(true);
    expect(rotationDue(aged(200, { kind: "admin" }), now, 90)).toBe(true);
  });
  it("never flags rotated keys, OAuth tokens, or anything when the policy is off", () => {
    expect(rotationDue(aged(200, { status: "rotated" }), now, 90)).toBe(false);
    expect(rotationDue(aged(200, { kind: "oauth" }), now, 90)).toBe(false);
    expect(rotationDue(aged(200), now, 0)).toBe(false);
  });
  it("accepts only whole day counts from 0 to 3650", () => {
    expect(checkMaxAgeDays(0)).toBe(0);
    expect(checkMaxAgeDays(365)).toBe(365);
    for (const bad of [-1, 1.5, Number.NaN, 3651]) {
      expect(() => checkMaxAgeDays(bad)).toThrow(expect.objectContaining({ code: ERROR_CODES.USAGE }));
    }
  });
});

describe("parseGrace", () => {
  it("reads 0 and durations with a unit", () => {
    expect(parseGrace("0")).toBe(0);
    expect(parseGrace("15m")).toBe(15 * 60_000);
    expect(parseGrace("2h")).toBe(7_200_000);
    expect(parseGrace("90s")).toBe(90_000);
    expect(parseGrace("1d")).toBe(DAY);
    expect(parseGrace(" 250ms ")).toBe(250);
  });
  it("refuses unit-less numbers, junk, negatives and more than 30 days", () => {
    for (const bad of ["15", "", "m", "-1m", "1.5h", "31d", "15 minutes"]) {
      expect(() => parseGrace(bad), bad).toThrow(expect.objectContaining({ code: ERROR_CODES.USAGE }));
    }
  });
});

describe("matchesPartialHint", () => {
  const secret = `sk-ant-api03-${"R2D".padEnd(93, "x")}igAA`;
  it("compares the real prefix and suffix of the secret", () => {
    expect(matchesPartialHint(secret, "sk-ant-api03-R2D...igAA")).toBe(true);
    expect(matchesPartialHint(secret, "sk-ant-api03-R2D…igAA")).toBe(true);
    expect(matchesPartialHint(secret, "sk-ant-api03-R2E...igAA")).toBe(false);
    expect(matchesPartialHint(secret, "sk-ant-api03-R2D...ihAA")).toBe(false);
  });
  it("refuses hints that say nothing about the key", () => {
    expect(matchesPartialHint(secret, null)).toBe(false);
    expect(matchesPartialHint(secret, "sk-ant-api03-R2DigAA")).toBe(false);
    expect(matchesPartialHint(secret, "sk-ant-api03-...")).toBe(false);
    expect(matchesPartialHint(secret, `${secret}...AA`)).toBe(false);
  });
});
