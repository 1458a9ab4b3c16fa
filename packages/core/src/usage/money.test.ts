import { describe, expect, it } from "vitest";
import { propertySeed, seededRandom } from "../property-seed.ts";
import { checkBudgetUsd, formatUsd, formatUsdColumn, MAX_BUDGET_USD, parseUsd, usdOrNull } from "./money.ts";

// Issue 20 item 14: one money parser for every front. What Number() reads beyond an amount (radix prefixes,
// exponents, signs, separators, Infinity, Unicode digits and spaces) is refused; amounts as people type them are
// read exactly.

const REFUSED = [
  "0x10",
  "0X10",
  "0b11",
  "0B11",
  "0o7",
  "0O7",
  "1e2",
  "1E2",
  "1e-2",
  "+5",
  "-5",
  "Infinity",
  "NaN",
  "",
  " ",
  "$",
  "$$5",
  "5$",
  "1_000",
  "1,000",
  "1.234",
  ".5",
  "5.",
  "0",
  "0.00",
  "0.001",
  "$ 5",
  "5 5",
  "\u00a05", // no-break space
  "5\u200b", // zero-width space
  "\uff15", // fullwidth 5
  "\u0665", // Arabic-Indic 5
  "\u09eb", // Bengali 5
  "12\u06602", // Arabic-Indic zero inside
  "1000000001",
  "99999999999",
  "5\n",
  "\n5",
];

describe("issue 20 item 14: one money parser", () => {
  it("refuses what Number() reads but people do not mean, with E_USAGE and without quoting the text", () => {
    for (const text of REFUSED) {
      expect(usdOrNull(text), JSON.stringify(text)).toBeNull();
      expect(() => parseUsd(text), JSON.stringify(text)).toThrow(
        expect.objectContaining({ code: "E_USAGE", details: { field: "budget" } }),
      );
    }
  });

  it("reads amounts as people type them, to the cent", () => {
    expect(parseUsd("50")).toBe(50);
    expect(parseUsd("$12.5")).toBe(12.5);
    expect(parseUsd("0.02")).toBe(0.02);
    expect(parseUsd(" 7.25\t")).toBe(7.25);
    expect(parseUsd("007")).toBe(7);
    expect(parseUsd("1000000000")).toBe(MAX_BUDGET_USD);
  });

  it("checks numbers from code with the same range, rounding to the cent", () => {
    expect(checkBudgetUsd(12.345)).toBe(12.35);
    for (const bad of [0, -1, 0.004, Number.NaN, Number.POSITIVE_INFINITY, MAX_BUDGET_USD + 1]) {
      expect(() => checkBudgetUsd(bad), String(bad)).toThrow(expect.objectContaining({ code: "E_USAGE" }));
    }
  });

  it("fuzz: accepts exactly the grammar, and every amount it accepts reads back to itself", () => {
    const seed = propertySeed("money fuzz", 20_14);
    const next = seededRandom(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    const alphabet = [
      ..."0123456789",
      ..."0123456789",
      ".",
      ".",
      "$",
      "e",
      "E",
      "x",
      "b",
      "o",
      "+",
      "-",
      "_",
      ",",
      " ",
      "\t",
      "\n",
      "\u00a0",
      "\u200b",
      "\uff11",
      "\u0661",
      "Infinity",
      "0x",
    ];
    const grammar = /^[ \t]*\$?([0-9]+)(\.[0-9]{1,2})?[ \t]*$/;
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const length = 1 + Math.floor(next() * 8);
      let text = "";
      for (let j = 0; j < length; j++) text += pick(alphabet);
      const usd = usdOrNull(text);
      const m = grammar.exec(text);
      const intDigits = m?.[1]?.length ?? 0;
      const expected = m && intDigits <= 10 ? Number(`${m[1]}${m[2] ?? ""}`) : null;
      const inRange = expected !== null && expected > 0 && expected <= MAX_BUDGET_USD ? expected : null;
      expect(usd, `seed ${seed} input ${JSON.stringify(text)}`).toBe(inRange);
      if (usd !== null) {
        accepted++;
        expect(Number.isFinite(usd) && Math.round(usd * 100) / 100 === usd).toBe(true);
        expect(checkBudgetUsd(usd)).toBe(usd);
      }
    }
    // Well-formed amounts, generated rather than hoped for: each reads back as the cents it was made from.
    for (let i = 0; i < 5_000; i++) {
      const cents = 1 + Math.floor(next() * 100_000_000);
      const text = `${next() < 0.5 ? "$" : ""}${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
      expect(parseUsd(text), `seed ${seed} input ${text}`).toBe(cents / 100);
    }
    expect(accepted).toBeGreaterThan(0);
  });
});

describe("issue 23: amounts shown in one precision per column", () => {
  it("shows cents, and four decimals for an amount under a cent", () => {
    expect(formatUsd(12.3)).toBe("$12.30");
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(0.0042)).toBe("$0.0042");
    expect(formatUsd(0.01)).toBe("$0.01");
  });

  it("gives every cell of a column the precision its smallest amount needs", () => {
    expect(formatUsdColumn([0.04, 0.0088, 0])).toEqual(["$0.0400", "$0.0088", "$0.0000"]);
    expect(formatUsdColumn([4, 0.04, 0])).toEqual(["$4.00", "$0.04", "$0.00"]);
    expect(formatUsdColumn([])).toEqual([]);
    for (const column of [
      [0.04, 0.0088],
      [1234.5, 0.001, 7],
      [0, 0, 0.0099],
    ]) {
      const decimals = new Set(formatUsdColumn(column).map((s) => s.split(".")[1]?.length));
      expect(decimals.size, column.join(",")).toBe(1);
    }
  });
});
