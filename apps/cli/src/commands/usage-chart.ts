import { formatUsdColumn } from "@apikey/core";

// `apikey usage`'s chart of spend per day, in plain characters so it survives NO_COLOR, pipes and any font. A month
// with two busy days is two bars, not 28 rows of $0.00: a run of days without spend is one line.

export interface DaySpend {
  day: string;
  costUsd: number;
}

/**
 * Horizontal bars sized to the terminal width. A day with some spend gets at least one mark, so it never looks like
 * a day with none; the amounts share one precision (core's money rule); a run of days without spend is one line.
 */
export function barChart(days: DaySpend[], columns: number): string {
  if (days.length === 0) return "";
  const spent = days.filter((d) => d.costUsd > 0);
  const labels = new Map(
    formatUsdColumn(spent.map((d) => d.costUsd)).map((label, i) => [spent[i]?.day, label]),
  );
  const labelWidth = Math.max(0, ...[...labels.values()].map((l) => l.length));
  const width = Math.max(10, Math.min(60, columns - 10 - 2 - 2 - labelWidth - 1));
  const max = Math.max(...days.map((d) => d.costUsd));
  const lines: string[] = [];
  for (let i = 0; i < days.length; ) {
    const d = days[i] as DaySpend;
    if (d.costUsd > 0) {
      const n = Math.max(1, Math.round((d.costUsd / max) * width));
      lines.push(
        `${d.day}  ${"#".repeat(n).padEnd(width)}  ${(labels.get(d.day) ?? "").padStart(labelWidth)}`,
      );
      i++;
      continue;
    }
    let end = i;
    while (end + 1 < days.length && (days[end + 1] as DaySpend).costUsd <= 0) end++;
    lines.push(emptyRun(d.day, (days[end] as DaySpend).day, end - i + 1));
    i = end + 1;
  }
  return lines.join("\n");
}

function emptyRun(first: string, last: string, count: number): string {
  return count === 1 ? `${first}  no spend` : `${first} to ${last}  ${count} days without spend`;
}
