// Vendored from packages/core/src/usage/worst-case.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { MAX_TOKEN_COUNT } from "./counts.ts";
import { DEFAULT_PRICES, type ModelPrice, type PriceTable, priceOf } from "./prices.ts";

// The most a request can cost before it is sent, so a blocking budget can hold that much while the request is in
// flight (issue 20 item 3). It bounds the cost as it will be *recorded* (costOf of the usage the API reports):
//
// - output: at most `max_tokens` (the API stops there; thinking counts within it);
// - input: at most one token per byte of the request body. Tokenizers cover at least one byte of text per token,
//   and JSON escaping only adds bytes. Every input token is priced at the dearest input-side rate (a 5-minute cache
//   write, dearer than plain input and cache reads), whichever of the three the API reports it under;
// - a model the price table does not know is priced as the dearest model it does know.
//
// Not bounded: input the API fetches or renders itself (URL and Files API sources, PDF pages, web search or fetch
// results) can exceed the body's bytes, and an upstream that ignores max_tokens or answers with another model than
// asked. Such a request may cost more than it held; the budget then stops the requests after it.

/** When a request states no usable `max_tokens`: above the largest output any current model allows. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 128_000;

export interface RequestBound {
  /** The model the request names; null when it names none or its body is not JSON. */
  model: string | null;
  /** Its `max_tokens`; null when absent or not a positive whole number. */
  maxTokens: number | null;
  /** The size of its body in bytes. */
  bodyBytes: number;
}

const dearest = new WeakMap<PriceTable, ModelPrice>();

/** The highest price of each kind across the table: what a model it does not know may cost. */
export function dearestPrice(prices: PriceTable = DEFAULT_PRICES): ModelPrice {
  let max = dearest.get(prices);
  if (!max) {
    max = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
    for (const p of Object.values(prices.models)) {
      max = {
        input: Math.max(max.input, p.input),
        output: Math.max(max.output, p.output),
        cacheWrite: Math.max(max.cacheWrite, p.cacheWrite),
        cacheRead: Math.max(max.cacheRead, p.cacheRead),
      };
    }
    dearest.set(prices, max);
  }
  return max;
}

/** USD: an upper bound on the recorded cost of a request (see above). Always finite and positive. */
export function worstCaseCost(request: RequestBound, prices: PriceTable = DEFAULT_PRICES): number {
  const p = (request.model !== null && priceOf(request.model, prices)) || dearestPrice(prices);
  const output =
    request.maxTokens !== null && Number.isSafeInteger(request.maxTokens) && request.maxTokens > 0
      ? Math.min(request.maxTokens, MAX_TOKEN_COUNT)
      : DEFAULT_MAX_OUTPUT_TOKENS;
  const input = Math.min(Math.max(0, Math.ceil(request.bodyBytes)), MAX_TOKEN_COUNT);
  const inputRate = Math.max(p.input, p.cacheWrite, p.cacheRead);
  return (input * inputRate + output * p.output) / 1_000_000;
}

/**
 * What a request body says for the bound. A body that is not one JSON object, or names `model` or `max_tokens`
 * more than once (parsers disagree on which copy wins), is bounded as the dearest: an unknown model, the largest
 * output.
 */
export function boundFromBody(text: string, bodyBytes: number): RequestBound {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { model: null, maxTokens: null, bodyBytes };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    return { model: null, maxTokens: null, bodyBytes };
  const fields = doc as Record<string, unknown>;
  const model = typeof fields.model === "string" && namedOnce(text, "model") ? fields.model : null;
  const maxTokens =
    typeof fields.max_tokens === "number" && namedOnce(text, "max_tokens") ? fields.max_tokens : null;
  return { model, maxTokens, bodyBytes };
}

// A key as JSON may spell it: each character plain or as a \u escape (any case of hex digits).
const keyPatterns = new Map<string, RegExp>();
function keyPattern(name: string): RegExp {
  let re = keyPatterns.get(name);
  if (!re) {
    const chars = [...name].map((c) => {
      const hex = c.charCodeAt(0).toString(16).padStart(4, "0");
      return `(?:${c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}|\\\\u${hex.replace(/[a-f]/g, (h) => `[${h}${h.toUpperCase()}]`)})`;
    });
    re = new RegExp(`"${chars.join("")}"\\s*:`, "g");
    keyPatterns.set(name, re);
  }
  return re;
}

/**
 * Whether the body names this key at most once anywhere (nested objects included: cheap, and a second copy
 * anywhere only makes the bound more cautious than it needs to be).
 */
function namedOnce(text: string, name: string): boolean {
  const re = keyPattern(name);
  re.lastIndex = 0;
  let count = 0;
  while (re.exec(text) !== null) if (++count > 1) return false;
  return true;
}
