import { ApikeyError, ERROR_CODES } from "../errors.ts";

// Money as every front takes it (CLI arguments, Slack commands, forms, API callers): one grammar, one range, one
// error. JavaScript's Number() reads far more than people mean by an amount (`0x10`, `0b11`, `0o7`, `1e2`,
// `Infinity`, whitespace, an empty string as 0), so text is matched against the grammar first and only then
// converted; numbers from code go through the same range check.

/** A budget above this is almost certainly a typo (cents for dollars); it is also where float sums stop being exact to the cent. */
export const MAX_BUDGET_USD = 1_000_000_000;

/**
 * What a person may type: ASCII digits, optionally a `.` and one or two more digits, optionally after one `$`;
 * spaces around it are ignored. No signs, exponents, radix prefixes, separators or non-ASCII digits.
 */
const AMOUNT = /^\$?([0-9]{1,10}(?:\.[0-9]{1,2})?)$/;
// Only the ASCII spaces and tabs a shell or chat box leaves around a word; not the Unicode spaces trim() knows.
const EDGES = /^[ \t]+|[ \t]+$/g;

function badAmount(): ApikeyError {
  return new ApikeyError(ERROR_CODES.USAGE, "A budget is a positive amount of US dollars, like 50 or 12.5.", {
    hint: "Write digits with up to two decimals, optionally after a $; to remove a budget, clear it instead.",
    details: { field: "budget" },
  });
}

/** A budget from code: finite, above zero once rounded to the cent, at most MAX_BUDGET_USD. Returns it in cents. */
export function checkBudgetUsd(usd: number): number {
  if (typeof usd !== "number" || !Number.isFinite(usd)) throw badAmount();
  const cents = Math.round(usd * 100) / 100;
  if (cents <= 0 || cents > MAX_BUDGET_USD) throw badAmount();
  return cents;
}

/** A budget as a person typed it; throws E_USAGE (never quoting the text) for anything else. */
export function parseUsd(text: string): number {
  const usd = usdOrNull(text);
  if (usd === null) throw badAmount();
  return usd;
}

/** The boolean twin of parseUsd, for fronts that answer in their own words: the amount, or null. */
export function usdOrNull(text: string): number | null {
  if (typeof text !== "string") return null;
  const m = AMOUNT.exec(text.replace(EDGES, ""));
  if (!m?.[1]) return null;
  const usd = Number(m[1]);
  return usd > 0 && usd <= MAX_BUDGET_USD ? usd : null;
}

// Money as every front shows it: cents, unless an amount under a cent would read as $0.00, then four decimals. A
// column of amounts (a table's cost column, a chart's labels) takes one precision for all its cells, so $0.0400
// sits above $0.0088, never $0.04 above $0.0088.

/** The decimals a set of amounts shown together needs: 4 when one of them is above zero and under a cent, else 2. */
export function usdDecimals(amounts: readonly number[]): 2 | 4 {
  return amounts.some((usd) => usd > 0 && usd < 0.01) ? 4 : 2;
}

/** One amount, `$12.30` (or `$0.0042` under a cent); `decimals` when it is a cell of a column. */
export function formatUsd(usd: number, decimals: number = usdDecimals([usd])): string {
  return `$${usd.toFixed(decimals)}`;
}

/** Amounts shown as one column, in one precision. */
export function formatUsdColumn(amounts: readonly number[]): string[] {
  const decimals = usdDecimals(amounts);
  return amounts.map((usd) => formatUsd(usd, decimals));
}
