import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { formatUsd, formatUsdColumn } from "../../vendor/core/index.ts";

// Spend per day as an SVG bar chart: Raycast's Detail view shows images from markdown, and an SVG needs no
// drawing library. Pure except for `writeUsageChart`.

export interface ChartOptions {
  width?: number;
  height?: number;
  /** Text colour; Raycast's appearance decides it. */
  ink?: string;
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function usageChartSvg(daily: Array<{ day: string; costUsd: number }>, options: ChartOptions = {}): string {
  const { width = 720, height = 240, ink = "#888888" } = options;
  const pad = { left: 56, right: 12, top: 16, bottom: 28 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = Math.max(0, ...daily.map((d) => d.costUsd));
  // A round top for the axis, so the labels read as money, not as noise.
  const top = max === 0 ? 1 : niceCeiling(max);
  const slot = plotW / Math.max(1, daily.length);
  const bar = Math.max(1, slot * 0.7);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="-apple-system, Segoe UI, sans-serif" font-size="11">`,
  ];
  const fractions = [0, 0.5, 1];
  // The axis labels are one column of amounts: one precision for all three (core's money rule).
  const labels = formatUsdColumn(fractions.map((f) => top * f));
  for (const [i, f] of fractions.entries()) {
    const y = pad.top + plotH * (1 - f);
    parts.push(
      `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${ink}" stroke-opacity="0.25"/>`,
      `<text x="${pad.left - 6}" y="${(y + 4).toFixed(1)}" fill="${ink}" text-anchor="end">${labels[i]}</text>`,
    );
  }
  daily.forEach((d, i) => {
    const h = (d.costUsd / top) * plotH;
    const x = pad.left + i * slot + (slot - bar) / 2;
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${(pad.top + plotH - h).toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" rx="2" fill="#D97757"><title>${escapeXml(d.day)}: ${formatUsd(d.costUsd)}</title></rect>`,
    );
  });
  const labelEvery = Math.ceil(daily.length / 7);
  daily.forEach((d, i) => {
    if (i % labelEvery !== 0 && i !== daily.length - 1) return;
    const x = pad.left + i * slot + slot / 2;
    parts.push(
      `<text x="${x.toFixed(1)}" y="${height - 8}" fill="${ink}" text-anchor="middle">${escapeXml(d.day.slice(5))}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

function niceCeiling(n: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(n));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * magnitude >= n) ?? 10;
  return step * magnitude;
}

/**
 * Writes the chart into the extension's support directory and returns its path, for `![](…)` in markdown. Async and
 * called from an effect, never during render: rendering stays pure, and a disk that refuses the file costs the
 * chart, not the view.
 */
export async function writeUsageChart(dir: string, days: number, svg: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `usage-${days}d.svg`);
  await writeFile(path, svg, { mode: 0o600 });
  return path;
}
