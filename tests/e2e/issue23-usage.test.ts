import { loadConfig, storeFileIn } from "@apikey/core";
import { recordUsageMany, type UsageInput } from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addKey, jsonOut, makeHome, runCli, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 23 item 3: `apikey usage` says where usage comes from, its chart shows the days with spend (not 29 rows of
// $0.00), and each money column has one precision.

const DAY = 86_400_000;
let empty: TestHome;
let used: TestHome;

beforeAll(async () => {
  [empty, used] = await Promise.all([makeHome(), makeHome()]);
  for (const home of [empty, used]) {
    const r = await addKey("work", fakeApiKey(`USAGE23_${home === empty ? "A" : "B"}`), { home }, [
      "--no-validate",
    ]);
    expect(r.code, r.stderr).toBe(0);
  }
  const config = loadConfig({ APIKEY_HOME: used.dataDir, APIKEY_MASTER_KEY: TEST_MASTER_KEY });
  const store = await openStore({ path: storeFileIn(config.dataDir) });
  const [key] = await store.keys.list();
  const now = Date.now();
  const event = (daysAgo: number, inputTokens: number): UsageInput => ({
    keyId: key?.id as string,
    at: new Date(now - daysAgo * DAY),
    model: "claude-sonnet-4-6",
    inputTokens,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    requestId: null,
    front: "test",
  });
  // Two days with spend in thirty: one of a few cents, one under a cent (the "$0.04 beside $0.0088" of the issue).
  await recordUsageMany(store, [event(12, 13_000), event(3, 1_000)]);
  await store.close();
});
afterAll(async () => {
  await Promise.all([empty?.cleanup(), used?.cleanup()]);
});

/** The paths that record usage, and those that do not, as `usage` must name them. */
function expectSourcesNamed(text: string) {
  expect(text).toMatch(/apikey proxy/);
  expect(text).toMatch(/instrumented client/);
  for (const unseen of ["apiKeyHelper", "exec", "env", "apikey://"]) expect(text).toContain(unseen);
  // A sync from the Admin API does not exist yet: nothing may offer it.
  expect(text).not.toMatch(/usage sync/);
}

describe("issue 23 item 3: where usage comes from", () => {
  it("with no usage, says which paths record it and how to count the rest, not only 'No usage since'", async () => {
    const r = await runCli(["usage"], { home: empty });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^No usage since \d{4}-\d{2}-\d{2}\.\n/);
    expect(r.stdout.trim().split("\n").length).toBeGreaterThan(1);
    expectSourcesNamed(r.stdout);
  });

  it("with usage, says it under the report too", async () => {
    const r = await runCli(["usage"], { home: used });
    expect(r.code, r.stderr).toBe(0);
    expectSourcesNamed(r.stdout);
  });
});

describe("issue 23 item 3: the chart shows the days with spend", () => {
  it("prints no $0.00 day rows: empty runs are one line each, and --json keeps every day", async () => {
    const r = await runCli(["usage"], { home: used });
    const chart = r.stdout.slice(r.stdout.indexOf("Spend per day"));
    const dayLines = chart.split("\n").filter((l) => /^\d{4}-\d{2}-\d{2}/.test(l));
    expect(dayLines.filter((l) => l.includes("#"))).toHaveLength(2);
    // Days before, between and after the two: at most three lines, never a row of $0.00.
    expect(dayLines.length).toBeLessThanOrEqual(5);
    expect(chart).toMatch(/days without spend/);
    expect(chart).not.toMatch(/\$0\.0+\s*$/m);

    const json = jsonOut<{ daily: Array<{ day: string; costUsd: number }> }>(
      await runCli(["--json", "usage"], { home: used }),
    );
    expect(json.daily).toHaveLength(30);
    expect(json.daily.filter((d) => d.costUsd > 0)).toHaveLength(2);
  });
});

describe("issue 23 item 3: one precision per money column", () => {
  it("the cost column and the chart's labels each use one number of decimals", async () => {
    for (const by of ["day", "model", "key"]) {
      const r = await runCli(["usage", "--by", by], { home: used });
      expect(r.code, r.stderr).toBe(0);
      const [table = "", chart = ""] = r.stdout.split("Spend per day");
      const decimals = (text: string) =>
        new Set((text.match(/\$\d+\.(\d+)/g) ?? []).map((m) => m.split(".")[1]?.length));
      const tableCosts = table.match(/\$\d+\.\d+/g) ?? [];
      expect(tableCosts.length, table).toBeGreaterThanOrEqual(2);
      expect(decimals(table).size, table).toBe(1);
      expect(decimals(chart).size, chart).toBe(1);
    }
  });
});
