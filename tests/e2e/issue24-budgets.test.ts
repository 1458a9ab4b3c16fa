import { type Apikey, loadConfig, masterKeySource, openApikey } from "@apikey/core";
import type { Store } from "@apikey/core/store";
import { startGateway } from "@apikey/gateway";

const BUDGET_WARNING_HEADER = "apikey-budget-warning";

import { openStore } from "@apikey/storage/better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeHome, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Issue 24, item 3: a key's month spend is the larger of what apikey recorded and what Anthropic reported, in the
// one place budgets are computed — so the key list (every front's), the 80 % warning and the gateway's block all
// follow usage that never went through apikey. In process, against a real SQLite file.

const REPORTED_KEY = fakeApiKey("BUDGET_REPORTED");
const BOTH_KEY = fakeApiKey("BUDGET_BOTH");
const SONNET = "claude-sonnet-4-5-20250929";

let home: TestHome;
let store: Store;
let app: Apikey;
let fake: FakeAnthropic;
beforeEach(async () => {
  fake = await startFakeAnthropic({ validKeys: [REPORTED_KEY, BOTH_KEY] });
  home = await makeHome();
  store = await openStore({ path: home.storePath });
  app = openApikey({
    store,
    masterKeys: [masterKeySource(TEST_MASTER_KEY)],
    config: loadConfig({ APIKEY_HOME: home.dataDir, ANTHROPIC_BASE_URL: fake.url }),
    actor: "cli:tester@host",
    front: "cli",
  });
});
afterEach(async () => {
  await app.close();
  await fake.close();
  await home.cleanup();
});

const HOUR = 3_600_000;
const thisHour = () => new Date(Math.floor(Date.now() / HOUR) * HOUR);

/** What a sync would store: one hour of the key's usage as Anthropic reported it, at `costUsd` (an org per key). */
async function reported(keyId: string, costUsd: number, bucketStart = thisHour()) {
  const org = `org-${keyId}`;
  await store.transaction((tx) =>
    tx.reportedUsage.replaceRange(org, bucketStart, new Date(bucketStart.getTime() + HOUR), [
      {
        org,
        orgKeyId: `apikey_${keyId.slice(0, 8)}`,
        model: SONNET,
        bucketStart,
        bucketMinutes: 60,
        keyId,
        uncachedInputTokens: 1000,
        cacheCreation5mTokens: 0,
        cacheCreation1hTokens: 0,
        cacheReadTokens: 0,
        outputTokens: 100,
        webSearchRequests: 0,
        costUsd,
        syncedAt: new Date(),
      },
    ]),
  );
}

const recorded = (keyId: string, costUsd: number) =>
  store.usage.record({
    keyId,
    at: new Date(),
    model: SONNET,
    inputTokens: 10,
    outputTokens: 10,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    costUsd,
    requestId: null,
    front: "proxy",
  });

describe("issue 24: budgets follow reported spend", () => {
  it("the key list counts the larger of recorded and reported, never their sum, and only this month's", async () => {
    const a = (await app.keys.add({ name: "exec-only", secret: REPORTED_KEY, validate: false })).key;
    const b = (await app.keys.add({ name: "gateway", secret: BOTH_KEY, validate: false })).key;
    await app.usage.setBudget({ name: "exec-only", usd: 1 });
    await app.usage.setBudget({ name: "gateway", usd: 1 });
    await recorded(a.id, 0.2);
    await reported(a.id, 1.5);
    // Last month's report does not count this month.
    await reported(
      a.id,
      50,
      new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1) - HOUR),
    );
    await recorded(b.id, 0.9);
    await reported(b.id, 0.85);
    const keys = await app.keys.list();
    expect(keys.find((k) => k.id === a.id)).toMatchObject({
      spendMonthUsd: 1.5,
      spendMonthRecordedUsd: 0.2,
      spendMonthReportedUsd: 1.5,
      budgetState: "over",
    });
    expect(keys.find((k) => k.id === a.id)?.budgetMessage).toContain("over its $1.00 monthly budget");
    expect(keys.find((k) => k.id === b.id)).toMatchObject({
      spendMonthUsd: 0.9,
      spendMonthRecordedUsd: 0.9,
      spendMonthReportedUsd: 0.85,
      budgetState: "warn",
    });
    // And the finding says so, for the key whose report passed the budget.
    const { findings } = await app.usage.findings();
    expect(findings.filter((f) => f.kind === "reported-over-budget").map((f) => f.id)).toEqual([
      `reported-over-budget:${a.id}:${new Date().toISOString().slice(0, 7)}`,
    ]);
  });

  it("the gateway blocks a key whose reported spend is past its blocking budget, and warns at 80 %", async () => {
    const key = (await app.keys.add({ name: "exec-only", secret: REPORTED_KEY, validate: false })).key;
    await app.usage.setBudget({ name: "exec-only", usd: 1, mode: "block" });
    const { token } = await app.tokens.create({ name: "laptop", profile: "default" });
    const gateway = await startGateway({
      app,
      port: 0,
      upstream: fake.url,
      profile: "default",
      log: () => {},
      warn: () => {},
      refreshMs: 0,
    });
    const post = async () => {
      const res = await fetch(`${gateway.url}/v1/messages`, {
        method: "POST",
        headers: {
          "x-api-key": token,
          "anthropic-version": "2023-06-01",
          "content-type": "application/json",
        },
        body: JSON.stringify({ model: SONNET, max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
      });
      return { status: res.status, warning: res.headers.get(BUDGET_WARNING_HEADER), text: await res.text() };
    };
    try {
      await reported(key.id, 0.85);
      const warned = await post();
      expect(warned.status).toBe(200);
      expect(warned.warning).toContain("85%");
      await reported(key.id, 1.25);
      const refused = await post();
      expect(refused.status, refused.text).toBe(402);
      expect(refused.text).toContain("monthly budget");
      expect(fake.requests.filter((r) => r.path === "/v1/messages")).toHaveLength(1);
    } finally {
      await gateway.close({ graceMs: 0 });
    }
  });
});
