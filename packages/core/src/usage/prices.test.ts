import { describe, expect, it } from "vitest";
import { costOf, DEFAULT_PRICES, type PriceTable, priceOf } from "./prices.ts";

const tokens = { inputTokens: 1_000_000, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 };

describe("costOf", () => {
  it("prices each token kind at its own rate", () => {
    const cost = costOf({
      model: "claude-sonnet-4-5",
      inputTokens: 1000,
      outputTokens: 2000,
      cacheCreationTokens: 3000,
      cacheReadTokens: 4000,
    });
    // 1000×3 + 2000×15 + 3000×3.75 + 4000×0.30, per million
    expect(cost).toBeCloseTo((3000 + 30_000 + 11_250 + 1200) / 1_000_000, 12);
  });

  it("matches dated ids, Vertex ids, context markers and aliases to the base model", () => {
    for (const model of [
      "claude-sonnet-4-5-20250929",
      "claude-sonnet-4-5@20250929",
      "claude-sonnet-4-5[1m]",
      "Claude-Sonnet-4-5",
    ]) {
      expect(costOf({ model, ...tokens })).toBe(3);
    }
    expect(costOf({ model: "claude-opus-4-20250514", ...tokens })).toBe(15);
    expect(costOf({ model: "claude-3-5-haiku-latest", ...tokens })).toBeCloseTo(0.8, 12);
    expect(costOf({ model: "claude-opus-4-5-20251101", ...tokens })).toBe(5);
    expect(costOf({ model: "claude-haiku-4-5-20251001", ...tokens })).toBe(1);
  });

  it("is null for a model the table does not know, and zero tokens cost zero", () => {
    expect(costOf({ model: "gpt-4o", ...tokens })).toBeNull();
    expect(costOf({ model: "claude-sonnet-9-9", ...tokens })).toBeNull();
    expect(costOf({ model: "claude-haiku-4-5", ...tokens, inputTokens: 0 })).toBe(0);
  });

  it("takes another price table", () => {
    const table: PriceTable = {
      checkedAt: "2026-01-01",
      models: { m: { input: 1, output: 2, cacheWrite: 3, cacheRead: 4 } },
    };
    expect(costOf({ model: "m", ...tokens }, table)).toBe(1);
    expect(costOf({ model: "claude-sonnet-4-5", ...tokens }, table)).toBeNull();
  });
});

describe("the shipped price table", () => {
  it("says when it was checked and where from, and every alias points at a priced model", () => {
    expect(DEFAULT_PRICES.checkedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(DEFAULT_PRICES.source).toMatch(/^https:\/\//);
    for (const [alias, target] of Object.entries(DEFAULT_PRICES.aliases ?? {})) {
      expect(priceOf(alias), alias).toBe(DEFAULT_PRICES.models[target]);
    }
  });

  it("has every price positive, with cache reads cheaper than input and writes dearer", () => {
    for (const [model, p] of Object.entries(DEFAULT_PRICES.models)) {
      expect(p.input, model).toBeGreaterThan(0);
      expect(p.output, model).toBeGreaterThan(p.input);
      expect(p.cacheRead, model).toBeLessThan(p.input);
      expect(p.cacheWrite, model).toBeGreaterThan(p.input);
    }
  });
});
