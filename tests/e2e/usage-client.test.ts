import { APIError } from "@anthropic-ai/sdk";
import {
  costOf,
  createAnthropicClient,
  loadConfig,
  meteringFor,
  type Store,
  storeFileIn,
  Vault,
} from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeHome, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// The instrumented client from @apikey/core/usage: the official SDK, bound to the store's active key, against a
// real local HTTP stand-in of the API, recording into a real SQLite file.
const WORK = fakeApiKey("USAGE_WORK");
const SPARE = fakeApiKey("USAGE_SPARE");
const SONNET = "claude-sonnet-4-6";
const USAGE = {
  input_tokens: 120,
  output_tokens: 45,
  cache_creation_input_tokens: 30,
  cache_read_input_tokens: 60,
};

let fake: FakeAnthropic;
let home: TestHome;
let store: Store;
let vault: Vault;
const warnings: string[] = [];

beforeAll(async () => {
  fake = await startFakeAnthropic({ validKeys: [WORK, SPARE], usage: USAGE, stream: { chunks: 5 } });
});
afterAll(() => fake.close());

beforeEach(async () => {
  home = await makeHome();
  const config = loadConfig({
    APIKEY_HOME: home.dataDir,
    APIKEY_MASTER_KEY: TEST_MASTER_KEY,
    ANTHROPIC_BASE_URL: fake.url,
  });
  store = await openStore({ path: storeFileIn(config.dataDir) });
  warnings.length = 0;
  vault = new Vault({ store, config, actor: "test", front: "api", onWarning: (m) => warnings.push(m) });
  await vault.add({ name: "work", secret: WORK, validate: false });
  await vault.add({ name: "spare", secret: SPARE, validate: false });
  fake.clearRequests();
});
afterEach(async () => {
  await store.close();
  await home.cleanup();
});

const ask = { max_tokens: 64, messages: [{ role: "user" as const, content: "hi" }] };
const keyId = async (name: string) => (await store.keys.byName("default", name))?.id;

describe("the instrumented client", () => {
  it("records a JSON response's usage to the token, with cost and request id, and moves last-used", async () => {
    const client = await createAnthropicClient({
      app: { metering: meteringFor(vault) },
      sdk: { maxRetries: 0 },
    });
    const message = await client.messages.create({ model: SONNET, ...ask });
    expect(message.usage).toMatchObject(USAGE);

    const [event] = await store.usage.list();
    const [request] = fake.requestsFor(WORK);
    expect(event).toMatchObject({
      keyId: await keyId("work"),
      model: SONNET,
      inputTokens: 120,
      outputTokens: 45,
      cacheCreationTokens: 30,
      cacheReadTokens: 60,
      requestId: request?.requestId,
      front: "client",
    });
    expect(event?.costUsd).toBeCloseTo(
      costOf({
        model: SONNET,
        inputTokens: 120,
        outputTokens: 45,
        cacheCreationTokens: 30,
        cacheReadTokens: 60,
      }) ?? -1,
      12,
    );
    expect(request).toMatchObject({ auth: "bearer", path: "/v1/messages" });
    expect((await store.keys.byName("default", "work"))?.lastUsedAt).toEqual(event?.at);
    // The placeholder credential never leaves the process: every request carried the real key.
    expect(fake.requests.every((r) => r.keyFingerprint === request?.keyFingerprint)).toBe(true);
  });

  it("records a stream: input from message_start, output from the last cumulative message_delta", async () => {
    const client = await createAnthropicClient({
      app: { metering: meteringFor(vault) },
      sdk: { maxRetries: 0 },
    });
    const stream = await client.messages.create({ model: "claude-haiku-4-5", ...ask, stream: true });
    let deltas = 0;
    for await (const event of stream) if (event.type === "message_delta") deltas++;
    expect(deltas).toBe(5);
    // Recorded before the stream reported its end: no wait needed.
    const events = await store.usage.list();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      model: "claude-haiku-4-5",
      inputTokens: 120,
      outputTokens: 45,
      cacheReadTokens: 60,
    });

    const helper = client.messages.stream({ model: SONNET, ...ask });
    const final = await helper.finalMessage();
    expect(final.usage.output_tokens).toBe(45);
    expect((await store.usage.list()).map((e) => e.outputTokens)).toEqual([45, 45]);
  });

  it("records an error answer as a request with no tokens, model from the request", async () => {
    fake.setBehaviour(WORK, { status: 529 });
    const client = await createAnthropicClient({
      app: { metering: meteringFor(vault) },
      sdk: { maxRetries: 0 },
    });
    const failure = await client.messages.create({ model: SONNET, ...ask }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).status).toBe(529);
    fake.clearBehaviour(WORK);
    const [event] = await store.usage.list();
    expect(event).toMatchObject({ model: SONNET, inputTokens: 0, outputTokens: 0, costUsd: 0 });
    expect(event?.requestId).toBe(fake.requestsFor(WORK)[0]?.requestId);
  });

  it("records nothing for endpoints that spend no tokens, and unknown models with a null cost", async () => {
    const client = await createAnthropicClient({
      app: { metering: meteringFor(vault) },
      sdk: { maxRetries: 0 },
    });
    await client.models.list();
    expect(await store.usage.list()).toEqual([]);
    await client.messages.create({ model: "claude-imaginary-9", ...ask });
    expect(await store.usage.list()).toMatchObject([
      { model: "claude-imaginary-9", inputTokens: 120, costUsd: null },
    ]);
  });

  it("follows a switch of active key on the next request, and records to the key that made it", async () => {
    const client = await createAnthropicClient({
      app: { metering: meteringFor(vault) },
      sdk: { maxRetries: 0 },
    });
    await client.messages.create({ model: SONNET, ...ask });
    await vault.use("spare");
    await client.messages.create({ model: SONNET, ...ask });
    expect(fake.requestsFor(WORK)).toHaveLength(1);
    expect(fake.requestsFor(SPARE)).toHaveLength(1);
    const events = await store.usage.list();
    expect(events.map((e) => e.keyId).sort()).toEqual([await keyId("spare"), await keyId("work")].sort());
  });
});
