import { describe, expect, it } from "vitest";
import { costOf, DEFAULT_PRICES } from "../usage/prices.ts";
import { ReportPage } from "./report-page.ts";
import { rowsOf } from "./rows.ts";

const result = (over: Record<string, unknown> = {}) => ({
  api_key_id: "apikey_01",
  workspace_id: null,
  model: "claude-sonnet-4-5-20250929",
  service_tier: null,
  context_window: null,
  uncached_input_tokens: 1000,
  cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 50 },
  cache_read_input_tokens: 400,
  output_tokens: 300,
  server_tool_use: { web_search_requests: 2 },
  ...over,
});
const page = (results: unknown[]) => ({
  data: [{ starting_at: "2026-12-01T10:00:00Z", ending_at: "2026-12-01T11:00:00Z", results }],
  has_more: false,
  next_page: null,
});
const ctx = {
  org: "org-a",
  bucketMinutes: 60 as const,
  keyIds: new Map([["apikey_01", "key-1"]]),
  syncedAt: new Date(0),
};

describe("issue 24: a usage report page as stored rows", () => {
  it("links stored keys, keeps unknown keys and the Workbench, prices from our table", () => {
    const parsed = ReportPage.parse(
      page([
        result(),
        result({ api_key_id: "apikey_99" }),
        result({ api_key_id: null, model: "mystery-model" }),
      ]),
    );
    const rows = rowsOf(parsed.data, ctx);
    expect(rows.map((r) => [r.orgKeyId, r.keyId])).toEqual([
      ["apikey_01", "key-1"],
      ["apikey_99", null],
      ["", null],
    ]);
    expect(rows[0]).toMatchObject({
      bucketStart: new Date("2026-12-01T10:00:00Z"),
      uncachedInputTokens: 1000,
      cacheCreation5mTokens: 100,
      cacheCreation1hTokens: 50,
      cacheReadTokens: 400,
      outputTokens: 300,
      webSearchRequests: 2,
    });
    const expected = costOf(
      {
        model: "claude-sonnet-4-5-20250929",
        inputTokens: 1000,
        outputTokens: 300,
        cacheCreationTokens: 150,
        cacheReadTokens: 400,
      },
      DEFAULT_PRICES,
    );
    expect(expected).toBeGreaterThan(0);
    expect(rows[0]?.costUsd).toBe(expected);
    expect(rows[2]?.costUsd).toBeNull();
  });

  it("sums a (key, model, bucket) the API split further than asked", () => {
    const rows = rowsOf(ReportPage.parse(page([result(), result({ output_tokens: 5 })])).data, ctx);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.outputTokens).toBe(305);
  });

  it("refuses a page that lacks what the sync relies on, or carries negative or fractional counts", () => {
    const bad = [
      page([result({ output_tokens: -1 })]),
      page([result({ uncached_input_tokens: 1.5 })]),
      page([result({ cache_creation: undefined })]),
      { ...page([]), has_more: "no" },
      {
        data: [{ starting_at: "yesterday", ending_at: "today", results: [] }],
        has_more: false,
        next_page: null,
      },
    ];
    for (const body of bad) expect(ReportPage.safeParse(body).success, JSON.stringify(body)).toBe(false);
  });
});
