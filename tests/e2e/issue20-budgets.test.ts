import {
  createAnthropicClient,
  loadConfig,
  meteringFor,
  storeFileIn,
  Vault,
  worstCaseCost,
} from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHome, type RunOptions, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { type RunningProxy, startProxy, stopAllProxies, usageEvents } from "../fixtures/proxy.ts";

// Issue 20 items 3 and 4, through `apikey proxy` (a child process) in front of the fake Anthropic API.
//
// Item 3: a `--budget 0.02 --block` token let 50 parallel requests all through ($0.69) and 200 spend $2.77, as
// admission saw only the spend already recorded. Each admitted request now holds its worst case until its usage
// is recorded, so however many arrive at once, what they spend together stays within the budget plus one
// request's worst case; the rest are refused with the budget's error.
//
// Item 4: message batches are not metered, so a token with a budget (or a key with a blocking budget) cannot
// create one; tokens without a budget still can.

const KEY = fakeApiKey("ISSUE20_BUDGETS");
const KEY_CAPPED = fakeApiKey("ISSUE20_KEY_BUDGET");
const KEY_CLIENT = fakeApiKey("ISSUE20_CLIENT_BUDGET");
const MODEL = "claude-sonnet-4-6";
const MAX_TOKENS = 400;
// What the fake reports for every request: within max_tokens and within the body's bytes, as a real API's
// usage is. $0.0066 per request at sonnet prices, so a $0.02 budget covers three.
const USAGE = {
  input_tokens: 200,
  output_tokens: MAX_TOKENS,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};
const BUDGET = 0.02;

let fake: FakeAnthropic;
let home: TestHome;
let opts: RunOptions;
let proxy: RunningProxy;

const body = (i: number, stream: boolean) =>
  JSON.stringify({
    model: MODEL,
    max_tokens: MAX_TOKENS,
    stream,
    messages: [{ role: "user", content: `request ${String(i).padStart(4, "0")}: ${"hello ".repeat(40)}` }],
  });

async function post(token: string, path: string, payload: string, init: RequestInit = {}) {
  const res = await fetch(`${proxy.url}${path}`, {
    method: "POST",
    headers: { "x-api-key": token, "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: payload,
    ...init,
  });
  const text = await res.text();
  return { status: res.status, text };
}

// The keys, profiles, budgets and tokens are set up in process (the use cases `add`, `profile create`, `budget set`
// and `proxy token create` call); what is tested is the running gateway (a CLI child) and the instrumented client.

/** `--profile PROFILE proxy token create NAME [--budget USD] [--block]`, in process. */
async function createToken(
  name: string,
  limits: { budgetUsd?: number; block?: boolean },
  profile = "default",
): Promise<{ token: string; id: string }> {
  const { token, view } = await inProcess(home, (app) =>
    app.tokens.create({ name, profile, budgetUsd: limits.budgetUsd ?? null, block: limits.block === true }),
  );
  return { token, id: view.id };
}

const blockingBudget = (profile: string, name: string) =>
  inProcess(home, (app) => app.usage.setBudget({ name, profile, usd: BUDGET, mode: "block" }));

/** Fires `n` requests at once (half of them streamed) and sorts the answers. */
async function burst(token: string, n: number) {
  const answers = await Promise.all(
    Array.from({ length: n }, (_, i) => post(token, "/v1/messages", body(i, i % 2 === 1))),
  );
  const refused = answers.filter((a) => a.status !== 200);
  return { ok: answers.length - refused.length, refused };
}

const spentBy = async (pick: (e: { tokenId?: string | null; keyId: string }) => boolean) =>
  (await usageEvents(home)).filter(pick).reduce((sum, e) => sum + (e.costUsd ?? 0), 0);

// The most one request of the burst can cost (its body is the largest of them).
const worstCase = worstCaseCost({
  model: MODEL,
  maxTokens: MAX_TOKENS,
  bodyBytes: Buffer.byteLength(body(9999, true)),
});

beforeAll(async () => {
  fake = await startFakeAnthropic({ validKeys: [KEY, KEY_CAPPED, KEY_CLIENT], usage: USAGE });
  home = await makeHome();
  opts = { home, baseUrl: fake.url };
  await inProcess(home, async (app) => {
    await app.keys.add({ name: "main", secret: KEY, validate: false });
    await app.profiles.create("capped");
    await app.keys.add({ name: "capped", secret: KEY_CAPPED, profile: "capped", validate: false });
    await app.profiles.create("client");
    await app.keys.add({ name: "client", secret: KEY_CLIENT, profile: "client", validate: false });
  });
  proxy = await startProxy(opts);
});

afterAll(async () => {
  await stopAllProxies();
  await fake?.close();
  await home?.cleanup();
});

function expectBudgetRefusals(refused: Array<{ status: number; text: string }>) {
  expect(refused.length).toBeGreaterThan(0);
  for (const r of refused) {
    // 402 once the recorded spend is past the budget; 429 (retry shortly) while requests in flight hold the rest.
    expect([402, 429], r.text).toContain(r.status);
    const doc = JSON.parse(r.text) as { type: string; error: { type: string; message: string } };
    expect(doc.type).toBe("error");
    expect(doc.error.type).toBe(r.status === 402 ? "billing_error" : "rate_limit_error");
    expect(doc.error.message).toContain("monthly budget");
  }
}

describe("issue 20 item 3: --block budgets hold under concurrency", () => {
  for (const n of [50, 200]) {
    it(`${n} parallel requests on a --budget ${BUDGET} --block token spend at most the budget plus one request's worst case`, async () => {
      // A few requests fit: the bound below is tight enough to catch an overshoot of one request.
      expect(worstCase).toBeLessThan(BUDGET / 2);
      const { token, id } = await createToken(`burst${n}`, { budgetUsd: BUDGET, block: true });
      const before = fake.requests.length;
      const { ok, refused } = await burst(token, n);
      const spent = await spentBy((e) => e.tokenId === id);
      console.log(
        `${n} parallel: ${ok} admitted, ${refused.length} refused, $${spent.toFixed(4)} spent of $${BUDGET} (one request's worst case $${worstCase.toFixed(4)})`,
      );
      expect(spent).toBeGreaterThan(0);
      expect(spent).toBeLessThanOrEqual(BUDGET + worstCase + 1e-9);
      expect(ok).toBeGreaterThanOrEqual(2);
      expectBudgetRefusals(refused);
      // Refused requests never reached the upstream.
      expect(fake.requests.length - before).toBe(ok);
    });
  }

  it("the same for a key's blocking budget, whatever tokens its requests come with", async () => {
    await blockingBudget("capped", "capped");
    const a = await createToken("capped-a", {}, "capped");
    const b = await createToken("capped-b", {}, "capped");
    const [ra, rb] = await Promise.all([burst(a.token, 50), burst(b.token, 50)]);
    const keyId = (await usageEvents(home)).find((e) => e.tokenId === a.id || e.tokenId === b.id)?.keyId;
    const spent = await spentBy((e) => e.keyId === keyId);
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(BUDGET + worstCase + 1e-9);
    expectBudgetRefusals([...ra.refused, ...rb.refused]);
  });
});

describe("issue 20 item 3: the instrumented client holds the same way", () => {
  it("50 parallel calls on a key with a blocking budget spend at most the budget plus one call's worst case", async () => {
    await blockingBudget("client", "client");
    const config = loadConfig({
      APIKEY_HOME: home.dataDir,
      APIKEY_MASTER_KEY: TEST_MASTER_KEY,
      ANTHROPIC_BASE_URL: fake.url,
    });
    const store = await openStore({ path: storeFileIn(config.dataDir) });
    try {
      const vault = new Vault({ store, config, actor: "test", front: "api", onWarning: () => {} });
      const client = await createAnthropicClient({
        app: { metering: meteringFor(vault) },
        profile: "client",
        sdk: { maxRetries: 0 },
      });
      const calls = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => {
          const { stream: _s, ...params } = JSON.parse(body(i, false)) as {
            stream: boolean;
            model: string;
            max_tokens: number;
            messages: [];
          };
          return client.messages.create(params);
        }),
      );
      const refused = calls
        .filter((c) => c.status === "rejected")
        .map((c) => (c as PromiseRejectedResult).reason as { status?: number; message?: string });
      const key = await store.keys.byName("client", "client");
      const spent = (await store.usage.list())
        .filter((e) => e.keyId === key?.id)
        .reduce((sum, e) => sum + (e.costUsd ?? 0), 0);
      expect(spent).toBeGreaterThan(0);
      expect(spent).toBeLessThanOrEqual(BUDGET + worstCase + 1e-9);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect([402, 429]).toContain(r.status);
        expect(r.message).toContain("monthly budget");
      }
    } finally {
      await store.close();
    }
  });
});

describe("issue 20 item 4: message batches are refused where they could not be metered", () => {
  const batch = JSON.stringify({
    requests: [
      {
        custom_id: "a",
        params: { model: MODEL, max_tokens: 64_000, messages: [{ role: "user", content: "hi" }] },
      },
    ],
  });
  const spellings = [
    "/v1/messages/batches",
    "/v1/messages/batches/",
    "/v1//messages/batches",
    "/v1/messages/%62atches",
    "/v1/messages/batches?beta=true",
  ];

  it("refuses batch creation for a token with any budget (block or warn), with an Anthropic-shaped error, forwarding nothing", async () => {
    for (const [label, limits] of [
      ["3", { budgetUsd: 0.01, block: true }],
      ["2", { budgetUsd: 100 }],
    ] as const) {
      const { token } = await createToken(`batch${label}`, limits);
      const before = fake.requests.length;
      for (const path of spellings) {
        const r = await post(token, path, batch);
        const doc = JSON.parse(r.text) as { type: string; error: { type: string; message: string } };
        // A spelling the endpoint allowlist does not know (`%62atches`) is refused before any budget is looked at.
        if (r.status === 404) {
          expect(path, path).toContain("%");
          expect(doc).toMatchObject({ type: "error", error: { type: "not_found_error" } });
          continue;
        }
        expect(r.status, path).toBe(403);
        expect(doc).toMatchObject({ type: "error", error: { type: "permission_error" } });
        expect(doc.error.message).toContain("budget");
        expect(doc.error.message).toContain("batches");
      }
      expect(fake.requests.length).toBe(before);
    }
  });

  it("refuses it for a key with a blocking budget, and lets a token without a budget create one", async () => {
    const capped = await createToken("batch-capped", {}, "capped");
    const before = fake.requests.length;
    expect((await post(capped.token, "/v1/messages/batches", batch)).status).toBe(403);
    expect(fake.requests.length).toBe(before);

    const free = await createToken("batch-free", {});
    const r = await post(free.token, "/v1/messages/batches", batch);
    expect(fake.requests.length).toBe(before + 1);
    expect(fake.requests.at(-1)?.path).toBe("/v1/messages/batches");
    expect(r.status).toBe(200);
  });
});
