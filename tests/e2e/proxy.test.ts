import { createServer } from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import { openStore } from "@apikey/storage";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { jsonError, makeHome, type RunOptions, runCli, type TestHome } from "../fixtures/cli.ts";
import { type FakeAnthropic, fingerprint, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey, keyBody } from "../fixtures/keys.ts";
import {
  type RunningProxy,
  sharedProxy,
  startProxy,
  stopAllProxies,
  usageEvents,
} from "../fixtures/proxy.ts";

// `apikey proxy` end to end: the real CLI as a child process, the fake Anthropic API as its upstream, and the
// official SDK (a client we did not write) pointed at the gateway with the gateway token as its API key.

const KEY_A = fakeApiKey("PROXY_A");
const KEY_B = fakeApiKey("PROXY_B");
const MODEL = "claude-sonnet-4-5-20250929";
const USAGE = {
  input_tokens: 120,
  output_tokens: 45,
  cache_creation_input_tokens: 8,
  cache_read_input_tokens: 30,
};

function sdk(proxy: RunningProxy, apiKey: string): Anthropic {
  return new Anthropic({ apiKey, baseURL: proxy.url, maxRetries: 0 });
}

const ask = (client: Anthropic) =>
  client.messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: "user", content: "hi" }] });

const askStreaming = (client: Anthropic) =>
  client.messages
    .stream({ model: MODEL, max_tokens: 64, messages: [{ role: "user", content: "hi" }] })
    .finalMessage();

let fake: FakeAnthropic;
let home: TestHome;
let opts: RunOptions;
let token: string;
let ids: Record<string, string>;
/**
 * The gateway on the file's own options that the tests about what a running gateway does talk to: one start for
 * all of them. The tests about a start (budgets already set, a kill and the next start, SIGTERM, profiles) start
 * their own.
 */
const gateway = sharedProxy(() => opts);

beforeAll(async () => {
  fake = await startFakeAnthropic({ validKeys: [KEY_A, KEY_B], usage: USAGE });
  home = await makeHome();
  opts = { home, baseUrl: fake.url };
  // The keys are set up in process; the gateway (and the commands whose output is tested) run the CLI.
  ids = await inProcess(home, async (app) => {
    await app.keys.add({ name: "a", secret: KEY_A, validate: false });
    await app.keys.add({ name: "b", secret: KEY_B, validate: false });
    return Object.fromEntries((await app.keys.list()).map((k) => [k.name, k.id]));
  });
  const printed = await runCli(["proxy", "token", "create", "default"], opts);
  expect(printed.code).toBe(0);
  token = printed.stdout.trim();
});

afterEach(async () => {
  await stopAllProxies();
  fake.clearBehaviour(KEY_A);
  fake.clearBehaviour(KEY_B);
  await inProcess(home, (app) => app.keys.use("a"));
});

afterAll(async () => {
  await gateway.stop();
  await fake?.close();
  await home?.cleanup();
});

describe("apikey proxy token", () => {
  it("prints the `default` token once (made by `token create default`), not shaped like an Anthropic key, and never again", async () => {
    expect(token).toMatch(/^apk-gw-[A-Za-z0-9_-]{43}$/);
    const again = await runCli(["--json", "proxy", "token", "create", "default"], opts);
    expect(again.code).toBe(1);
    expect(again.stdout).not.toContain(token);
    const { listed, audit } = await inProcess(home, async (app) => ({
      listed: await app.tokens.list(),
      audit: await app.audit({ limit: 50 }),
    }));
    expect(listed).toEqual([expect.objectContaining({ name: "default", profile: null })]);
    expect(audit.some((e) => e.action === "gateway.token.create")).toBe(true);
    expect(JSON.stringify(audit) + JSON.stringify(listed)).not.toContain(token);
  });
});

describe("forwarding and accounting", () => {
  it("records a JSON and a streamed response from the official SDK to the active key", async () => {
    const proxy = await gateway.get();
    const before = (await usageEvents(home)).length;
    const client = sdk(proxy, token);
    const message = await ask(client);
    expect(message.usage).toMatchObject(USAGE);
    const streamed = await askStreaming(client);
    expect(streamed.usage).toMatchObject({
      output_tokens: USAGE.output_tokens,
      input_tokens: USAGE.input_tokens,
    });

    const events = (await usageEvents(home)).slice(0, (await usageEvents(home)).length - before);
    expect(events).toHaveLength(2);
    const upstream = fake.requestsFor(KEY_A).slice(-2);
    for (const e of events) {
      expect(e).toMatchObject({
        keyId: ids.a,
        model: MODEL,
        inputTokens: USAGE.input_tokens,
        outputTokens: USAGE.output_tokens,
        cacheCreationTokens: USAGE.cache_creation_input_tokens,
        cacheReadTokens: USAGE.cache_read_input_tokens,
        front: "gateway",
      });
      expect(e.costUsd).toBeGreaterThan(0);
      expect(upstream.map((r) => r.requestId)).toContain(e.requestId);
    }
    const a = (await inProcess(home, (app) => app.keys.list())).find((k) => k.name === "a");
    expect(a?.lastUsedAt).not.toBeNull();
  });

  it("sends the real key upstream, never the gateway token, and never shows the real key to the client", async () => {
    const proxy = await gateway.get();
    fake.clearRequests();
    // Both ways a client may send its key: the SDK's Bearer, and x-api-key as curl examples do.
    await ask(sdk(proxy, token));
    const raw = await fetch(`${proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": token, "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, max_tokens: 8, messages: [{ role: "user", content: "hi" }] }),
    });
    const text = await raw.text();
    expect(raw.status).toBe(200);

    expect(fake.requests).toHaveLength(2);
    expect(fake.requests.map((r) => r.keyFingerprint)).toEqual([fingerprint(KEY_A), fingerprint(KEY_A)]);
    expect(fake.requests.map((r) => r.auth)).toEqual(["bearer", "x-api-key"]);
    expect(fake.requests.some((r) => r.keyFingerprint === fingerprint(token))).toBe(false);
    const seen = JSON.stringify([...raw.headers]) + text + proxy.stderr();
    expect(seen).not.toContain(keyBody(KEY_A));
    expect(proxy.stderr()).not.toContain(token);
  });

  it("answers a missing or wrong token with a 401 in Anthropic's error shape, without calling upstream", async () => {
    const proxy = await gateway.get();
    fake.clearRequests();
    const none = await fetch(`${proxy.url}/v1/messages`, { method: "POST", body: "{}" });
    expect(none.status).toBe(401);
    const body = (await none.json()) as { type: string; error: { type: string }; request_id: string };
    expect(body).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect(body.request_id).toMatch(/^req_/);

    const wrong = await ask(sdk(proxy, `apk-gw-${"x".repeat(43)}`)).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((wrong as InstanceType<typeof Anthropic.AuthenticationError>).status).toBe(401);
    // A real Anthropic key is no gateway token either.
    const real = await ask(sdk(proxy, KEY_A)).catch((e: unknown) => e);
    expect(real).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(fake.requests).toHaveLength(0);
  });

  it("passes upstream errors through unchanged", async () => {
    const proxy = await gateway.get();
    fake.setBehaviour(KEY_A, { status: 529 });
    const res = await fetch(`${proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": token, "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, max_tokens: 8, messages: [] }),
    });
    expect(res.status).toBe(529);
    expect(res.headers.get("x-should-retry")).toBe("true");
    const last = fake.requests.at(-1);
    expect(await res.json()).toEqual({
      type: "error",
      error: { type: "overloaded_error", message: "Overloaded" },
      request_id: last?.requestId,
    });
    expect(res.headers.get("request-id")).toBe(last?.requestId);

    const viaSdk = await ask(sdk(proxy, token)).catch((e: unknown) => e);
    expect(viaSdk).toBeInstanceOf(Anthropic.APIError);
    expect((viaSdk as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
  });

  it("forwards other /v1 paths with their query string", async () => {
    const proxy = await gateway.get();
    const page = await sdk(proxy, token).models.list({ limit: 2 });
    expect(page.data).toHaveLength(2);
    expect(fake.requests.at(-1)).toMatchObject({ path: "/v1/models", query: { limit: "2" } });
  });

  it("records every request from several concurrent clients", async () => {
    const proxy = await gateway.get();
    const before = (await usageEvents(home)).length;
    const clients = Array.from({ length: 4 }, () => sdk(proxy, token));
    await Promise.all(
      clients.map(async (client, c) => {
        for (let i = 0; i < 25; i++) await (i % 2 === c % 2 ? ask(client) : askStreaming(client));
      }),
    );
    const events = await usageEvents(home);
    expect(events.length - before).toBe(100);
    expect(new Set(events.map((e) => e.requestId)).size).toBe(events.length);
  });

  it("loses nothing when killed with SIGKILL right after the responses completed", async () => {
    const proxy = await startProxy(opts);
    const before = (await usageEvents(home)).length;
    const client = sdk(proxy, token);
    for (let i = 0; i < 5; i++) {
      await ask(client);
      await askStreaming(client);
    }
    proxy.child.kill("SIGKILL");
    expect((await proxy.exited).signal).toBe("SIGKILL");
    // Usage not folded yet when it was killed is in its journal; the next gateway started folds it (issue 25).
    await startProxy(opts);
    expect((await usageEvents(home)).length - before).toBe(10);
  });

  it("uses a key switched with `apikey use` in another process from the next request on", async () => {
    const proxy = await gateway.get();
    const client = sdk(proxy, token);
    await ask(client);
    expect((await runCli(["use", "b"], opts)).code).toBe(0);
    fake.clearRequests();
    await ask(client);
    expect(fake.requests.map((r) => r.keyFingerprint)).toEqual([fingerprint(KEY_B)]);
    expect((await usageEvents(home))[0]?.keyId).toBe(ids.b);
  });

  it("takes a rotated token at once and refuses the old one", async () => {
    const proxy = await gateway.get();
    const rotated = await runCli(["proxy", "token", "--rotate"], opts);
    expect(rotated.code).toBe(0);
    const fresh = rotated.stdout.trim();
    expect(fresh).not.toBe(token);
    await ask(sdk(proxy, fresh));
    const old = await ask(sdk(proxy, token)).catch((e: unknown) => e);
    expect(old).toBeInstanceOf(Anthropic.AuthenticationError);
    token = fresh;
  });
});

describe("budgets", () => {
  it("refuses requests for a key over a blocking budget with an Anthropic-shaped error", async () => {
    const store = await openStore({ path: home.storePath });
    // Already spent more than this during the earlier tests this month.
    await store.keys.update(ids.a as string, { monthlyBudgetUsd: 0.000001, budgetMode: "block" });
    await store.close();
    try {
      const proxy = await startProxy(opts);
      fake.clearRequests();
      const refused = await ask(sdk(proxy, token)).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(Anthropic.APIError);
      const e = refused as InstanceType<typeof Anthropic.APIError>;
      expect(e.status).toBe(402);
      expect(e.error).toMatchObject({ type: "error", error: { type: "billing_error" } });
      expect(fake.requests).toHaveLength(0);
    } finally {
      const reopened = await openStore({ path: home.storePath });
      await reopened.keys.update(ids.a as string, { monthlyBudgetUsd: null, budgetMode: "warn" });
      await reopened.close();
    }
  });

  it("warns in a response header from 80% of a warn-only budget", async () => {
    const store = await openStore({ path: home.storePath });
    await store.keys.update(ids.a as string, { monthlyBudgetUsd: 0.000001, budgetMode: "warn" });
    await store.close();
    try {
      const proxy = await startProxy(opts);
      const { response } = await sdk(proxy, token)
        .messages.create({ model: MODEL, max_tokens: 8, messages: [{ role: "user", content: "hi" }] })
        .withResponse();
      expect(response.status).toBe(200);
      expect(response.headers.get("apikey-budget-warning")).toContain("budget");
    } finally {
      const reopened = await openStore({ path: home.storePath });
      await reopened.keys.update(ids.a as string, { monthlyBudgetUsd: null });
      await reopened.close();
    }
  });
});

describe("lifecycle", () => {
  it("lets an in-flight stream finish on SIGTERM, then exits 0", async () => {
    const slow = await startFakeAnthropic({
      validKeys: [KEY_A, KEY_B],
      usage: USAGE,
      stream: { chunks: 5, chunkDelayMs: 150 },
    });
    try {
      const proxy = await startProxy({ ...opts, baseUrl: slow.url });
      const before = (await usageEvents(home)).length;
      const stream = sdk(proxy, token).messages.stream({
        model: MODEL,
        max_tokens: 64,
        messages: [{ role: "user", content: "hi" }],
      });
      const started = new Promise<void>((resolve) => stream.on("streamEvent", () => resolve()));
      const final = stream.finalMessage();
      await started;
      proxy.child.kill("SIGTERM");
      const message = await final;
      expect(message.content[0]).toMatchObject({ text: "chunk 0 chunk 1 chunk 2 chunk 3 chunk 4 " });
      expect(await proxy.exited).toEqual({ code: 0, signal: null });
      expect((await usageEvents(home)).length - before).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it("refuses a non-loopback host unless --allow-remote is given", async () => {
    const r = await runCli(["--json", "proxy", "--port", "0", "--host", "0.0.0.0"], opts);
    expect(r.code).toBe(1);
    expect(jsonError(r).code).toBe("E_PROXY_UNSAFE_HOST");
  });

  it("refuses a profile that was never created, before it listens", async () => {
    const r = await runCli(["--json", "--profile", "nope", "proxy", "--port", "0"], opts);
    expect(r.code).toBe(1);
    expect(jsonError(r).code).toBe("E_PROFILE_NOT_FOUND");
  });

  it("starts on a profile with no active key yet, and says so", async () => {
    await inProcess(home, (app) => app.profiles.create("idle"));
    const proxy = await startProxy(opts, ["--profile", "idle"]);
    await expect.poll(() => proxy.stderr()).toContain('"idle" has no active key yet');
    // The default profile has one: no such warning (the warning is written before any request is answered). The
    // gateway on it is the one the tests above talk to: its stderr since it started.
    const other = await gateway.get();
    await ask(sdk(other, token));
    expect(other.stderr()).not.toContain("no active key");
  });

  it("reports a port in use as E_PROXY_BIND", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runCli(["--json", "proxy", "--port", String(port)], opts);
      expect(r.code).toBe(1);
      expect(jsonError(r).code).toBe("E_PROXY_BIND");
    } finally {
      blocker.close();
    }
  });
});
