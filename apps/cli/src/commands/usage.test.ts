import { describe, expect, it } from "vitest";
import { barChart, parseUsd } from "./usage.ts";

describe("barChart", () => {
  const days = [
    { day: "2026-11-01", costUsd: 0 },
    { day: "2026-11-02", costUsd: 0.001 },
    { day: "2026-11-03", costUsd: 4 },
  ];

  it("scales bars to the widest day, never hides a day with spend, and fits the width", () => {
    for (const columns of [40, 80, 200]) {
      const lines = barChart(days, columns).split("\n");
      expect(lines).toHaveLength(3);
      const bars = lines.map((l) => (l.match(/#+/)?.[0] ?? "").length);
      expect(bars[0]).toBe(0);
      expect(bars[1]).toBe(1);
      expect(bars[2]).toBeGreaterThan(bars[1] as number);
      if (columns >= 40) for (const l of lines) expect(l.length).toBeLessThanOrEqual(columns);
    }
  });

  it("uses plain characters only", () => {
    expect(barChart(days, 80)).toMatch(/^[\x20-\x7e\n]+$/);
  });
});

describe("parseUsd", () => {
  it("reads dollars as people type them and refuses the rest", () => {
    expect(parseUsd("50")).toBe(50);
    expect(parseUsd("$12.5")).toBe(12.5);
    for (const bad of ["0", "-1", "1e3", "ten", "1.234", ""]) {
      expect(() => parseUsd(bad), bad).toThrow(expect.objectContaining({ code: "E_USAGE" }));
    }
  });
});
