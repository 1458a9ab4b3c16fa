import { describe, expect, it } from "vitest";
import { barChart } from "./usage-chart.ts";

const month = (spend: Record<number, number>) =>
  Array.from({ length: 30 }, (_, i) => ({
    day: `2026-11-${String(i + 1).padStart(2, "0")}`,
    costUsd: spend[i + 1] ?? 0,
  }));

describe("issue 23 item 3: the chart of spend per day", () => {
  it("folds each run of days without spend into one line instead of printing $0.00 rows", () => {
    const lines = barChart(month({ 13: 0.04, 14: 0.0088, 20: 1.5 }), 80).split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^2026-11-01 to 2026-11-12 {2}12 days without spend$/),
      expect.stringMatching(/^2026-11-13 {2}#+ +\$0\.0400$/),
      expect.stringMatching(/^2026-11-14 {2}# +\$0\.0088$/),
      expect.stringMatching(/^2026-11-15 to 2026-11-19 {2}5 days without spend$/),
      expect.stringMatching(/^2026-11-20 {2}#+ +\$1\.5000$/),
      expect.stringMatching(/^2026-11-21 to 2026-11-30 {2}10 days without spend$/),
    ]);
    expect(lines.join("\n")).not.toContain("$0.00 ");
  });

  it("a single empty day is one line too, and a month without spend is one line", () => {
    expect(barChart(month({ 1: 2, 3: 1 }), 80).split("\n")[1]).toBe("2026-11-02  no spend");
    expect(barChart(month({}), 80)).toBe("2026-11-01 to 2026-11-30  30 days without spend");
  });

  it("labels share one precision, the one core's money rule gives the column", () => {
    for (const spend of [
      { 1: 0.04, 2: 0.0088 },
      { 1: 12, 2: 0.5 },
      { 1: 0.001, 2: 300 },
    ]) {
      const labels = barChart(month(spend), 100).match(/\$\d+\.\d+/g) ?? [];
      expect(labels).toHaveLength(2);
      expect(new Set(labels.map((l) => l.split(".")[1]?.length)).size, labels.join(" ")).toBe(1);
    }
  });
});
