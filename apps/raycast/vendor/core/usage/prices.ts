// Vendored from packages/core/src/usage/prices.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import table from "./prices.json" with { type: "json" };

/** USD per million tokens. `cacheWrite` is the 5-minute write price, the API's default TTL. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

export interface PriceTable {
  checkedAt: string;
  source?: string;
  models: Record<string, ModelPrice>;
  aliases?: Record<string, string>;
}

export const DEFAULT_PRICES: PriceTable = table;

export interface TokenCounts {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
}

// Ids come dated (`claude-sonnet-4-5-20250929`), as Vertex writes them (`claude-opus-4-5@20251101`), with Claude
// Code's context marker (`claude-sonnet-4-5[1m]`) or as aliases; they all price like the base model.
function normalise(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/\[[^\]]*\]$/, "")
    .replace(/@.*$/, "")
    .replace(/-\d{8}$/, "");
}

// Requests use a handful of model ids; remembering each answer keeps the bulk path free of regexes.
const memo = new WeakMap<PriceTable, Map<string, ModelPrice | null>>();
const MEMO_LIMIT = 1000;

/** The price of a model id, or null when the table does not know it. */
export function priceOf(model: string, prices: PriceTable = DEFAULT_PRICES): ModelPrice | null {
  let seen = memo.get(prices);
  if (!seen) {
    seen = new Map();
    memo.set(prices, seen);
  }
  const known = seen.get(model);
  if (known !== undefined) return known;
  const price = lookup(model, prices);
  if (seen.size < MEMO_LIMIT) seen.set(model, price);
  return price;
}

function lookup(model: string, prices: PriceTable): ModelPrice | null {
  const id = normalise(model);
  const direct = prices.models[id];
  if (direct) return direct;
  const alias = prices.aliases?.[id];
  return (alias && prices.models[alias]) || null;
}

/** Estimated cost in USD; null for a model the table does not price (its tokens are still recorded). */
export function costOf(input: TokenCounts, prices: PriceTable = DEFAULT_PRICES): number | null {
  const p = priceOf(input.model, prices);
  if (!p) return null;
  const micro =
    input.inputTokens * p.input +
    input.outputTokens * p.output +
    input.cacheCreationTokens * p.cacheWrite +
    input.cacheReadTokens * p.cacheRead;
  return micro / 1_000_000;
}
