import { recordUsageMany } from "../../vendor/core/testing.ts";
import { openStore } from "../../vendor/storage/node-sqlite.ts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeApiKey } from "../../../../tests/fixtures/keys.ts";
import ApiKeyUsage from "../../src/api-key-usage.tsx";
import { usageMarkdown } from "../../src/components/usage-view.tsx";
import type { UsageSummary } from "../../src/data/types.ts";
import { render } from "../render.tsx";
import { cliOk, type Fixture, makeFixture, seedKey } from "../store-fixture.ts";

// Issue 24: API Key Usage sets what Anthropic reported (rows `usage sync` stored, written here with the storage
// repository it uses) beside what apikey recorded, per key, with what apikey did not see.

const ORG = "org_raycast_test";
const MODEL = "claude-sonnet-4-5"; // $3 input, $15 output per million tokens
const HOUR = 3_600_000;

describe("issue 24: API Key Usage shows recorded and reported side by side", () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await makeFixture();
    await seedKey(f, "gateway", fakeApiKey("RAYCAST_RPT_GATEWAY"));
    await seedKey(f, "exec", fakeApiKey("RAYCAST_RPT_EXEC"));
  });
  afterEach(() => f.cleanup());

  async function seed(withReported: boolean) {
    const keys = JSON.parse(await cliOk(f.home, ["--json", "list"])) as Array<{ id: string; name: string }>;
    const id = (name: string) => keys.find((k) => k.name === name)?.id ?? "";
    const now = new Date();
    const bucket = new Date(Math.floor((now.getTime() - 2 * HOUR) / HOUR) * HOUR);
    const store = await openStore({ path: f.home.storePath });
    try {
      await recordUsageMany(
        store,
        [
          {
            keyId: id("gateway"),
            at: new Date(bucket.getTime() + 60_000),
            model: MODEL,
            inputTokens: 100_000,
            outputTokens: 10_000,
            cacheCreationTokens: 0,
            cacheReadTokens: 0,
            requestId: "req_gw",
            front: "gateway",
          },
        ],
        now,
      );
      if (!withReported) return;
      const row = (orgKeyId: string, keyId: string | null, input: number, output: number) => ({
        org: ORG,
        orgKeyId,
        model: MODEL,
        bucketStart: bucket,
        bucketMinutes: 60 as const,
        keyId,
        uncachedInputTokens: input,
        cacheCreation5mTokens: 0,
        cacheCreation1hTokens: 0,
        cacheReadTokens: 0,
        outputTokens: output,
        webSearchRequests: 0,
        costUsd: (input * 3 + output * 15) / 1e6,
        syncedAt: now,
      });
      await store.transaction((tx) =>
        tx.reportedUsage.replaceRange(ORG, bucket, new Date(bucket.getTime() + HOUR), [
          row("apikey_gw", id("gateway"), 100_000, 10_000),
          row("apikey_exec", id("exec"), 1_000_000, 100_000),
          row("apikey_stranger", null, 200_000, 0),
          row("", null, 1000, 100),
        ]),
      );
    } finally {
      await store.close();
    }
  }

  async function markdown(): Promise<string> {
    const view = await render(<ApiKeyUsage />);
    const md = await view.waitFor(() => {
      const text = view.one("Detail").props.markdown;
      return typeof text === "string" && text.includes("By Model") && text;
    });
    view.unmount();
    return String(md);
  }

  it("per key: recorded, reported, not recorded; the Workbench, an unknown key and the total", async () => {
    await seed(true);
    const md = await markdown();
    expect(md).toContain("### Recorded vs Reported by Anthropic");
    expect(md).toContain("| default/gateway | $0.4500 (110,000 tokens) | $0.4500 (110,000 tokens) | $0.0000 |");
    expect(md).toContain("| default/exec | — | $4.5000 (1,100,000 tokens) | $4.5000 |");
    expect(md).toContain("| (not in the store: apikey_stranger) | — | $0.6000 (200,000 tokens) | $0.6000 |");
    expect(md).toContain("| (Console Workbench) | — | $0.0045 (1,100 tokens) | $0.0045 |");
    expect(md).toContain("| **Total** | $0.4500 (110,000 tokens) | $5.5545 (1,411,100 tokens) | $5.1045 |");
  });

  it("nothing reported: no side-by-side table", async () => {
    await seed(false);
    expect(await markdown()).not.toContain("Reported by Anthropic");
  });

  it("a finding over reported usage is listed under Needs Attention, in core's words", async () => {
    await cliOk(f.home, ["budget", "set", "exec", "1"]);
    await seed(true);
    const md = await markdown();
    expect(md).toContain("### Needs Attention");
    // Reported $4.50 against a $1 budget: core's reported-over-budget sentence (punctuation escaped for markdown).
    expect(md).toMatch(/- Key "default\/exec" is over its \$1\\\.00 monthly budget by what Anthropic reports/);
  });

  it("no finding: no Needs Attention section", async () => {
    await seed(true);
    expect(await markdown()).not.toContain("Needs Attention");
  });
});

describe("issue 24: a finding's text cannot become markup", () => {
  it("an organization key's Console name is shown literally, never as a link or a remote image", () => {
    const summary: UsageSummary = {
      days: 7,
      since: new Date(0).toISOString(),
      daily: [],
      byModel: [],
      byKey: [],
      byToken: [],
      totals: {
        requests: 0,
        inputTokens: 0,
        outputTokens: 0,
        cacheCreationTokens: 0,
        cacheReadTokens: 0,
        costUsd: 0,
        unpricedRequests: 0,
      },
      reported: null,
      findings: ['Organization key "![x](https://evil.example/p.png) [click](https://evil.example) <b>" is active.'],
      budgets: [],
    };
    const md = usageMarkdown(summary, null);
    expect(md).toContain("### Needs Attention");
    expect(md).not.toMatch(/!\[x\]\(/);
    expect(md).not.toMatch(/[^\\]\[click\]\(/);
    expect(md).not.toContain("<b>");
    expect(md).toContain("\\!\\[x\\]\\(https://evil\\.example/p\\.png\\)");
  });
});
