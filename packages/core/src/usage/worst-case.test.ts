import { describe, expect, it } from "vitest";
import { propertySeed, seededRandom } from "../property-seed.ts";
import { costOf, DEFAULT_PRICES } from "./prices.ts";
import { DEFAULT_MAX_OUTPUT_TOKENS, dearestPrice, worstCaseCost } from "./worst-case.ts";

describe("issue 20 item 3: a request's worst-case cost", () => {
  it("prices max_tokens of output and one input token per body byte at the dearest input-side rate", () => {
    // sonnet: $15/M output, cache write $3.75/M is its dearest input-side rate
    expect(worstCaseCost({ model: "claude-sonnet-4-6", maxTokens: 1000, bodyBytes: 2000 })).toBeCloseTo(
      (1000 * 15 + 2000 * 3.75) / 1e6,
      12,
    );
  });

  it("prices an unknown or missing model as the dearest known one, and a missing max_tokens as the largest output", () => {
    const max = dearestPrice();
    expect(max).toEqual({ input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 });
    for (const model of [null, "claude-unknown-9", "gpt-5"]) {
      expect(worstCaseCost({ model, maxTokens: 10, bodyBytes: 0 })).toBeCloseTo((10 * 75) / 1e6, 12);
    }
    for (const maxTokens of [null, 0, -5, 1.5, Number.NaN]) {
      expect(worstCaseCost({ model: "claude-haiku-4-5", maxTokens, bodyBytes: 0 })).toBeCloseTo(
        (DEFAULT_MAX_OUTPUT_TOKENS * 5) / 1e6,
        12,
      );
    }
  });

  it("property: bounds the recorded cost of any usage within max_tokens and the body's bytes (seeded)", () => {
    const seed = propertySeed("worst-case property", 203);
    const next = seededRandom(seed);
    const models = [...Object.keys(DEFAULT_PRICES.models), "claude-opus-4-1-20250805", "claude-unknown"];
    for (let i = 0; i < 5000; i++) {
      const model = models[Math.floor(next() * models.length)] as string;
      const maxTokens = 1 + Math.floor(next() * 200_000);
      const bodyBytes = Math.floor(next() * 1_000_000);
      const inputTokens = Math.floor(next() * bodyBytes);
      const cacheCreationTokens = Math.floor(next() * (bodyBytes - inputTokens));
      const cacheReadTokens = Math.floor(next() * (bodyBytes - inputTokens - cacheCreationTokens));
      const outputTokens = Math.floor(next() * (maxTokens + 1));
      const cost =
        costOf({ model, inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens }) ??
        // Unpriced events count as nothing against a budget; a bound for them must still be positive.
        0;
      const bound = worstCaseCost({ model, maxTokens, bodyBytes });
      expect(bound, `seed ${seed} case ${i}`).toBeGreaterThanOrEqual(cost);
      expect(Number.isFinite(bound) && bound > 0).toBe(true);
    }
  });
});
