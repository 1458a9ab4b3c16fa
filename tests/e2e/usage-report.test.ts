import { loadConfig, storeFileIn } from "@apikey/core";
import { recordUsageMany, type UsageInput } from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonError, jsonOut, makeHome, runCli, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// `apikey usage` over events recorded in the store: totals equal what was recorded, unpriced models are flagged,
// and the window, key filter and grouping hold.
const DAY = 86_400_000;
let home: TestHome;
const recorded: Array<UsageInput & { costUsd: number | null }> = [];

interface Row {
  group: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  costUsd: number;
  unpricedRequests: number;
  unpriced: boolean;
  key?: string;
}
interface Report {
  by: string;
  rows: Row[];
  totals: Omit<Row, "group" | "unpriced" | "key">;
  daily: Array<{ day: string; costUsd: number }>;
}

beforeAll(async () => {
  home = await makeHome();
  // The keys are made in process; the `usage` runs are what is tested.
  await inProcess(home, async (app) => {
    for (const name of ["alpha", "beta"])
      await app.keys.add({ name, secret: fakeApiKey(`REPORT_${name}`), validate: false });
  });
  const config = loadConfig({ APIKEY_HOME: home.dataDir, APIKEY_MASTER_KEY: TEST_MASTER_KEY });
  const store = await openStore({ path: storeFileIn(config.dataDir) });
  const ids = Object.fromEntries((await store.keys.list()).map((k) => [k.name, k.id]));
  const now = Date.now();
  const event = (key: string, daysAgo: number, model: string, n: number): UsageInput => ({
    keyId: ids[key] as string,
    at: new Date(now - daysAgo * DAY),
    model,
    inputTokens: 1000 * n,
    outputTokens: 100 * n,
    cacheCreationTokens: 10 * n,
    cacheReadTokens: n,
    requestId: null,
    front: "test",
  });
  const inputs = [
    event("alpha", 0, "claude-sonnet-4-6", 1),
    event("alpha", 1, "claude-haiku-4-5-20251001", 2),
    event("alpha", 2, "not-a-priced-model", 3),
    event("beta", 3, "claude-opus-4-5", 4),
    event("beta", 10, "claude-sonnet-4-6", 5),
    event("beta", 45, "claude-sonnet-4-6", 6), // outside 30d
  ];
  await recordUsageMany(store, inputs);
  for (const e of await store.usage.list()) recorded.push({ ...e, at: e.at });
  await store.close();
});
afterAll(() => home.cleanup());

const usage = (args: string[]) => runCli(["--json", "usage", ...args], { home });
const inWindow = (days: number) =>
  recorded.filter((e) => (e.at as Date).getTime() >= Date.now() - days * DAY);

describe("apikey usage", () => {
  it("totals the last 30 days to the token and the cent, one row per day", async () => {
    const report = jsonOut<Report>(await usage([]));
    const events = inWindow(29);
    expect(report.by).toBe("day");
    expect(report.totals).toEqual({
      requests: events.length,
      inputTokens: events.reduce((s, e) => s + e.inputTokens, 0),
      outputTokens: events.reduce((s, e) => s + e.outputTokens, 0),
      cacheCreationTokens: events.reduce((s, e) => s + e.cacheCreationTokens, 0),
      cacheReadTokens: events.reduce((s, e) => s + e.cacheReadTokens, 0),
      costUsd: expect.closeTo(
        events.reduce((s, e) => s + (e.costUsd ?? 0), 0),
        9,
      ),
      unpricedRequests: 1,
    });
    expect(report.rows).toHaveLength(5);
    expect(report.daily).toHaveLength(30);
    expect(report.daily.reduce((s, d) => s + d.costUsd, 0)).toBeCloseTo(report.totals.costUsd, 9);
  });

  it("groups by model, flagging the unpriced one, and by key with names", async () => {
    const byModel = jsonOut<Report>(await usage(["--by", "model", "--since", "7d"]));
    expect(byModel.rows.map((r) => [r.group, r.requests, r.unpriced])).toEqual([
      ["claude-haiku-4-5-20251001", 1, false],
      ["claude-opus-4-5", 1, false],
      ["claude-sonnet-4-6", 1, false],
      ["not-a-priced-model", 1, true],
    ]);
    const byKey = jsonOut<Report>(await usage(["--by", "key", "--since", "60d"]));
    expect(byKey.rows.map((r) => [r.key, r.requests])).toEqual(
      expect.arrayContaining([
        ["default/alpha", 3],
        ["default/beta", 3],
      ]),
    );
    expect(byKey.totals.requests).toBe(recorded.length);
  });

  it("filters to one key, and takes a date for --since", async () => {
    const alpha = jsonOut<Report>(await usage(["--key", "alpha", "--since", "2000-01-01"]));
    expect(alpha.totals.requests).toBe(3);
    expect(alpha.totals.inputTokens).toBe(6000);
  });

  it("refuses a bad --since, --by or --key with a code", async () => {
    expect(jsonError(await usage(["--since", "last week"])).code).toBe("E_USAGE");
    expect(jsonError(await usage(["--by", "hour"])).code).toBe("E_USAGE");
    expect(jsonError(await usage(["--key", "gamma"])).code).toBe("E_KEY_NOT_FOUND");
  });

  it("prints a table and a plain-character chart of spend per day for people", async () => {
    const r = await runCli(["usage", "--since", "7d"], { home });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/COST/);
    expect(r.stdout).toMatch(/\*/); // the unpriced footnote mark
    const bars = r.stdout.split("\n").filter((l) => /^\d{4}-\d{2}-\d{2} {2}#/.test(l));
    expect(bars.length).toBeGreaterThanOrEqual(3);
    expect(r.stdout).not.toContain("\u001b[");
  });
});
