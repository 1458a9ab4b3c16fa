import { APIError } from "@anthropic-ai/sdk";
import {
  createAnthropicClient,
  loadConfig,
  meteringFor,
  recordUsageMany,
  type Store,
  storeFileIn,
  Vault,
} from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  jsonError,
  jsonOut,
  type ListedKey,
  makeHome,
  runCli,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Budgets end to end: set and cleared through the CLI (audited), enforced by the instrumented client against a
// real local stand-in of the API, shown by `list`.
const WORK = fakeApiKey("BUDGET_WORK");
const MODEL = "claude-sonnet-4-6"; // $3 per million input tokens

let fake: FakeAnthropic;
let home: TestHome;

beforeAll(async () => {
  fake = await startFakeAnthropic({ validKeys: [WORK] });
});
afterAll(() => fake.close());
beforeEach(async () => {
  home = await makeHome();
  await inProcess(home, (app) => app.keys.add({ name: "work", secret: WORK, validate: false }));
  fake.clearRequests();
});
afterEach(() => home.cleanup());

const cli = (args: string[]) => runCli(["--json", ...args], { home, baseUrl: fake.url });

/** Opens the CLI's store in-process, with a vault whose warnings are collected. */
async function openVault(): Promise<{ store: Store; vault: Vault; warnings: string[] }> {
  const config = loadConfig({
    APIKEY_HOME: home.dataDir,
    APIKEY_MASTER_KEY: TEST_MASTER_KEY,
    ANTHROPIC_BASE_URL: fake.url,
  });
  const store = await openStore({ path: storeFileIn(config.dataDir) });
  const warnings: string[] = [];
  return {
    store,
    warnings,
    vault: new Vault({ store, config, actor: "test", front: "api", onWarning: (m) => warnings.push(m) }),
  };
}

/** Records this month's spend on `work`: $3 per million input tokens. */
async function spend(store: Store, usd: number): Promise<void> {
  const key = await store.keys.byName("default", "work");
  if (!key) throw new Error("no key");
  await recordUsageMany(store, [
    {
      keyId: key.id,
      model: MODEL,
      inputTokens: Math.round((usd / 3) * 1_000_000),
      outputTokens: 0,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      requestId: null,
      front: "test",
    },
  ]);
}

const ask = { model: MODEL, max_tokens: 16, messages: [{ role: "user" as const, content: "hi" }] };
// The budget commands (and `list`'s warning) are what is tested and run the CLI; what they left is read back in
// process: the key as `list --json` shows it, the audit log.
const work = async () =>
  (await inProcess(home, (app) => app.keys.list())).find((k) => k.name === "work") as unknown as ListedKey;
const auditLog = () => inProcess(home, (app) => app.audit({ limit: 50 }));

describe("budget set and clear", () => {
  it("stores the budget and mode on the key, audited as key.budget, and list shows month-to-date use", async () => {
    const set = jsonOut<{ budgetUsd: number; budgetMode: string }>(
      await cli(["budget", "set", "work", "10", "--block"]),
    );
    expect(set).toMatchObject({ budgetUsd: 10, budgetMode: "block" });
    expect(await work()).toMatchObject({
      spendMonthUsd: 0,
      budgetUsd: 10,
      budgetState: "ok",
      budgetMode: "block",
    });

    const { store } = await openVault();
    await spend(store, 8.5);
    await store.close();
    const listed = await runCli(["--json", "list"], { home });
    expect(JSON.parse(listed.stdout).find((k: ListedKey) => k.name === "work")).toMatchObject({
      budgetState: "warn",
      budgetUsd: 10,
    });
    expect((await work()).spendMonthUsd).toBeCloseTo(8.5, 4);
    expect(listed.stderr).toContain("warning:");

    expect(jsonOut(await cli(["budget", "clear", "work"]))).toMatchObject({ budgetUsd: null });
    expect(await work()).toMatchObject({ budgetUsd: null, budgetState: "none" });

    const audit = await auditLog();
    const budgets = audit.filter((e) => e.action === "key.budget");
    expect(budgets.map((e) => e.details)).toEqual([
      { name: "work", budgetUsd: null, mode: "warn", previousBudgetUsd: 10, previousMode: "block" },
      { name: "work", budgetUsd: 10, mode: "block", previousBudgetUsd: null, previousMode: "warn" },
    ]);
  });

  it("refuses bad amounts and unknown keys with a code, writing nothing", async () => {
    const before = (await auditLog()).length;
    for (const amount of ["-5", "0", "ten", "1e3", "12.345"]) {
      const r = await cli(["budget", "set", "work", amount]);
      expect(r.code, amount).toBe(2);
      expect(jsonError(r).code).toBe("E_USAGE");
    }
    const missing = await cli(["budget", "set", "nope", "5"]);
    expect(jsonError(missing).code).toBe("E_KEY_NOT_FOUND");
    expect(jsonError(await cli(["budget", "clear", "nope"])).code).toBe("E_KEY_NOT_FOUND");
    expect((await auditLog()).length).toBe(before);
    expect(await work()).toMatchObject({ budgetUsd: null });
  });
});

describe("the instrumented client and budgets", () => {
  it("in block mode: warns from 80 %, then refuses past 100 % with a 402 billing_error before any network", async () => {
    // The budget is this test's starting state: set in process as `budget set work 10 --block` does.
    await inProcess(home, (app) => app.usage.setBudget({ name: "work", usd: 10, mode: "block" }));
    const { store, vault, warnings } = await openVault();
    try {
      const client = await createAnthropicClient({
        app: { metering: meteringFor(vault) },
        sdk: { maxRetries: 2 },
      });
      await spend(store, 8);
      await client.messages.create(ask);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("80%");

      await spend(store, 2.5);
      const refused = await client.messages.create(ask).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(APIError);
      const err = refused as APIError;
      expect(err.status).toBe(402);
      expect(err.type).toBe("billing_error");
      expect(err.message).toContain("$10.00");
      expect(err.message).toContain("raises or clears the budget");
      // One request reached the fake (the one at 80 %); the refusal was local and not retried.
      expect(fake.requestsFor(WORK)).toHaveLength(1);
      // Refused requests are not usage: only the seeded spend and the one real request are recorded.
      expect(await store.usage.list()).toHaveLength(3);
    } finally {
      await store.close();
    }
    expect(await work()).toMatchObject({ budgetState: "over" });
  });

  it("in warn mode: past 100 % requests still go through, with a warning", async () => {
    await inProcess(home, (app) => app.usage.setBudget({ name: "work", usd: 10, mode: "warn" }));
    const { store, vault, warnings } = await openVault();
    try {
      const client = await createAnthropicClient({
        app: { metering: meteringFor(vault) },
        sdk: { maxRetries: 0 },
      });
      await spend(store, 12);
      const message = await client.messages.create(ask);
      expect(message.type).toBe("message");
      expect(fake.requestsFor(WORK)).toHaveLength(1);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("over");
    } finally {
      await store.close();
    }
  });
});
