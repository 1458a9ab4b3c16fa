import { describe, expect, it } from "vitest";
import { retryAfterMs } from "./admin-http.ts";
import { planSync } from "./plan.ts";

const iso = (w: { width: string; from: Date; until: Date }) => [
  w.width,
  w.from.toISOString(),
  w.until.toISOString(),
];
const NOW = new Date("2026-12-06T08:47:31.250Z");

describe("issue 24: which windows a usage sync asks for", () => {
  it("first sync: 30 days of hours up to the recent hours, then minutes up to the last whole minute", () => {
    expect(planSync({ cursor: null, since: null, now: NOW }).map(iso)).toEqual([
      ["1h", "2026-11-06T08:00:00.000Z", "2026-12-06T06:00:00.000Z"],
      ["1m", "2026-12-06T06:00:00.000Z", "2026-12-06T08:47:00.000Z"],
    ]);
  });

  it("later syncs start at the cursor; an explicit --since overrides it", () => {
    const cursor = new Date("2026-12-06T04:00:00Z");
    expect(planSync({ cursor, since: null, now: NOW }).map(iso)).toEqual([
      ["1h", "2026-12-06T04:00:00.000Z", "2026-12-06T06:00:00.000Z"],
      ["1m", "2026-12-06T06:00:00.000Z", "2026-12-06T08:47:00.000Z"],
    ]);
    expect(
      planSync({ cursor, since: new Date("2026-12-01T10:30:00Z"), now: NOW })[0]?.from.toISOString(),
    ).toBe("2026-12-01T10:00:00.000Z");
  });

  it("a start inside the recent hours asks for minutes only; nothing when nothing new can be whole", () => {
    expect(planSync({ cursor: null, since: new Date("2026-12-06T08:10:45Z"), now: NOW }).map(iso)).toEqual([
      ["1m", "2026-12-06T08:10:00.000Z", "2026-12-06T08:47:00.000Z"],
    ]);
    expect(planSync({ cursor: new Date("2026-12-06T08:47:00Z"), since: null, now: NOW })).toEqual([]);
  });
});

describe("issue 24: retry-after", () => {
  it("reads seconds and HTTP dates, and nothing else", () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs("0.5")).toBe(500);
    expect(retryAfterMs("Sun, 06 Dec 2026 08:00:10 GMT", Date.parse("2026-12-06T08:00:00Z"))).toBe(10_000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs("soon")).toBeNull();
    expect(retryAfterMs("-1")).toBeNull();
  });
});
