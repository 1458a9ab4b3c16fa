import { afterEach, describe, expect, it } from "vitest";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { fakeAdminKey, fakeApiKey } from "../fixtures/keys.ts";

// The stand-in's usage report must behave as Anthropic's reference describes, or a sync tested against it proves
// nothing: bucket snapping, page sizes per width, opaque page tokens, null dimensions, the real refusals.

const ADMIN = fakeAdminKey("USAGE_REPORT");
const API = fakeApiKey("USAGE_REPORT");
let fake: FakeAnthropic;

afterEach(async () => fake?.close());

interface Result {
  api_key_id: string | null;
  [field: string]: unknown;
}
interface ReportBody {
  data: Array<{ starting_at: string; ending_at: string; results: Result[] }>;
  has_more: boolean;
  next_page: string | null;
  error: { type: string };
}

async function report(query: string, key = ADMIN) {
  const res = await fetch(`${fake.url}/v1/organizations/usage_report/messages?${query}`, {
    headers: { "x-api-key": key, "anthropic-version": "2023-06-01" },
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as ReportBody };
}

const T0 = "2026-11-30T00:00:00Z";
const minute = (m: number) => new Date(Date.parse(T0) + m * 60_000 + 17_000);

describe("issue 24: the stand-in's usage report", () => {
  it("buckets seeded minutes by hour, grouped by key and model, with Workbench rows as null keys", async () => {
    fake = await startFakeAnthropic({
      adminKeys: [ADMIN],
      reportedUsage: [
        {
          apiKeyId: "apikey_a",
          model: "claude-sonnet-4-5-20250929",
          at: minute(5),
          uncachedInput: 10,
          output: 3,
        },
        {
          apiKeyId: "apikey_a",
          model: "claude-sonnet-4-5-20250929",
          at: minute(59),
          uncachedInput: 5,
          cacheWrite1h: 2,
        },
        { apiKeyId: "apikey_a", model: "claude-sonnet-4-5-20250929", at: minute(60), output: 9 },
        {
          apiKeyId: null,
          model: "claude-haiku-4-5-20251001",
          at: minute(1),
          uncachedInput: 7,
          webSearches: 1,
        },
      ],
    });
    const r = await report(
      `starting_at=${T0}&ending_at=2026-11-30T02:30:00Z&bucket_width=1h&group_by[]=api_key_id&group_by[]=model`,
    );
    expect(r.status).toBe(200);
    expect(r.body.has_more).toBe(false);
    expect(r.body.next_page).toBeNull();
    // 02:00-03:00 ends after ending_at: not a whole bucket, not returned.
    expect(r.body.data.map((b) => b.starting_at)).toEqual(["2026-11-30T00:00:00Z", "2026-11-30T01:00:00Z"]);
    const first = r.body.data[0]?.results;
    expect(first).toContainEqual({
      api_key_id: "apikey_a",
      model: "claude-sonnet-4-5-20250929",
      workspace_id: null,
      service_tier: null,
      context_window: null,
      uncached_input_tokens: 15,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 2 },
      cache_read_input_tokens: 0,
      output_tokens: 3,
      server_tool_use: { web_search_requests: 0 },
    });
    expect(first?.find((x) => x.api_key_id === null)).toMatchObject({
      model: "claude-haiku-4-5-20251001",
      uncached_input_tokens: 7,
      server_tool_use: { web_search_requests: 1 },
    });
    expect(r.body.data[1]?.results).toEqual([expect.objectContaining({ output_tokens: 9 })]);
  });

  it("pages by the width's default, snaps starting_at, and the next_page token continues where it stopped", async () => {
    fake = await startFakeAnthropic({
      adminKeys: [ADMIN],
      reportedUsage: [{ apiKeyId: "apikey_b", model: "m", at: minute(61), output: 1 }],
    });
    const first = await report(
      `starting_at=2026-11-30T00:00:42Z&ending_at=2026-11-30T02:00:00Z&bucket_width=1m`,
    );
    expect(first.body.data).toHaveLength(60);
    expect(first.body.data[0]?.starting_at).toBe("2026-11-30T00:00:00Z");
    expect(first.body.has_more).toBe(true);
    expect(first.body.next_page).toMatch(/^page_/);
    const second = await report(
      `starting_at=2026-11-30T00:00:42Z&ending_at=2026-11-30T02:00:00Z&bucket_width=1m&page=${first.body.next_page}`,
    );
    expect(second.body.data[0]?.starting_at).toBe("2026-11-30T01:00:00Z");
    expect(second.body.data[1]?.results).toEqual([
      expect.objectContaining({ api_key_id: null, model: null, output_tokens: 1 }),
    ]);
    expect(second.body.has_more).toBe(false);
  });

  it("refuses what the real API refuses, with its error shape", async () => {
    fake = await startFakeAnthropic({ adminKeys: [ADMIN], validKeys: [API] });
    const cases = [
      "bucket_width=1h",
      `starting_at=yesterday&bucket_width=1h`,
      `starting_at=${T0}&bucket_width=5m`,
      `starting_at=${T0}&bucket_width=1h&limit=169`,
      `starting_at=${T0}&bucket_width=1d&limit=32`,
      `starting_at=${T0}&ending_at=2026-11-29T00:00:00Z&bucket_width=1h`,
      `starting_at=${T0}&bucket_width=1h&group_by[]=colour`,
    ];
    for (const query of cases) {
      const r = await report(query);
      expect(r.status, query).toBe(400);
      expect(r.body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    }
    expect(
      (await report(`starting_at=${T0}&bucket_width=1d&limit=31&ending_at=2026-12-01T00:00:00Z`)).status,
    ).toBe(200);
    // Admin keys only.
    expect((await report(`starting_at=${T0}`, API)).status).toBe(401);
  });

  it("answers a requested 429 with retry-after, then serves again", async () => {
    fake = await startFakeAnthropic({ adminKeys: [ADMIN] });
    fake.failUsageReport(1, { status: 429, retryAfter: 3 });
    const limited = await report(`starting_at=${T0}&ending_at=2026-11-30T01:00:00Z&bucket_width=1h`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect(limited.body.error.type).toBe("rate_limit_error");
    expect((await report(`starting_at=${T0}&ending_at=2026-11-30T01:00:00Z&bucket_width=1h`)).status).toBe(
      200,
    );
  });
});
