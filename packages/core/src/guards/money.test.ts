import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { moduleSources, ROOT } from "./walk.ts";

// Issue 23 item 3 made money one rule (usage/money.ts: cents, four decimals under a cent, one precision per
// column), but six fronts kept their own `$${n.toFixed(2)}`, so a key that spent $0.004 read "$0.00 of $5.00" in
// Slack and Raycast while the CLI said $0.0040. Every amount is now written by formatUsd/formatUsdColumn.

const HOME = "packages/core/src/usage/money.ts";
// A dollar sign written next to a number's own rendering: `$${x.toFixed(…)}`, "$" + x.toFixed(…), `$${x.toPrecision(…)}`.
const OWN_MONEY = /\$\$\{[^{}]*\.to(?:Fixed|Precision)\(|["'`]\$["'`]\s*\+\s*[\w.]+\.to(?:Fixed|Precision)\(/;

describe("money is written in one place", () => {
  it("no module but usage/money.ts renders a dollar amount itself", () => {
    const files = moduleSources({ include: /\.tsx?$/ });
    expect(files.length).toBeGreaterThan(300);
    const offenders = files
      .map((f) => relative(ROOT, f))
      .filter((f) => f !== HOME && OWN_MONEY.test(readFileSync(`${ROOT}/${f}`, "utf8")));
    expect(offenders).toEqual([]);
  });

  it("the pattern finds each spelling it is meant to", () => {
    for (const spelling of [
      "const usd = (n: number) => `$${n.toFixed(2)}`;",
      "`spent $${k.spendMonthUsd.toFixed(2)} of`",
      '"$" + amount.toFixed(2)',
      "'$' + n.toPrecision(3)",
      "`$${d.costUsd.toFixed(4)}`",
    ])
      expect(OWN_MONEY.test(spelling), spelling).toBe(true);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: these are spellings of source text, not templates
    for (const fine of ["`${formatUsd(n)}`", "x.toFixed(1)", "`${pct.toFixed(0)}%`"])
      expect(OWN_MONEY.test(fine), fine).toBe(false);
  });
});
