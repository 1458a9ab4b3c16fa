import { createAnthropicClient, loadConfig, meteringFor, storeFileIn, Vault } from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  addKey,
  jsonError,
  makeHome,
  type RunOptions,
  runCli,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import { type FakeAnthropic, fingerprint, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import { rawRequest, sharedProxy, startProxy, stopAllProxies, usageEvents } from "../fixtures/proxy.ts";

// Issue 12, items 5–8: what an adversarial pass found in the gateway (paths, freshness, upstream timeouts and
// transport, usage figures). The real CLI runs the gateway; the fake API records every request it receives, so
// "nothing was forwarded" is checked where it matters, at the upstream.

const KEY_A = fakeApiKey("HARDEN_A");
const MODEL = "claude-sonnet-4-5-20250929";
const USAGE = {
  input_tokens: 100,
  output_tokens: 40,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};

let fake: FakeAnthropic;
let home: TestHome;
let opts: RunOptions;
let token: string;
/**
 * The gateway on the file's own options, which the tests about what a running gateway does talk to: one start for
 * all of them (its start is the subject only where a test starts its own).
 */
const gateway = sharedProxy(() => opts);

const messageBody = JSON.stringify({
  model: MODEL,
  max_tokens: 8,
  messages: [{ role: "user", content: "hi" }],
});

function post(
  port: number,
  credential: string,
  extra: { path?: string; host?: string; stream?: boolean } = {},
) {
  return rawRequest(port, {
    method: "POST",
    path: extra.path ?? "/v1/messages",
    headers: {
      "x-api-key": credential,
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
      ...(extra.host !== undefined ? { host: extra.host } : {}),
    },
    body: extra.stream ? JSON.stringify({ ...JSON.parse(messageBody), stream: true }) : messageBody,
  });
}

function anthropicError(body: string): { type: string; error: { type: string; message: string } } {
  return JSON.parse(body) as { type: string; error: { type: string; message: string } };
}

beforeAll(async () => {
  fake = await startFakeAnthropic({ validKeys: [KEY_A], usage: USAGE });
  home = await makeHome();
  opts = { home, baseUrl: fake.url };
  // The key and token are set up in process. The changes "another process" makes below are made in process too:
  // this test's process is another process than the gateway's, which is what is tested.
  token = await inProcess(home, async (app) => {
    await app.keys.add({ name: "a", secret: KEY_A, validate: false });
    return (await app.tokens.create({ name: "default", profile: null })).token;
  });
});

/** `budget set a USD --block`, or `budget clear a` for null, in process. */
const budget = (usd: number | null) =>
  inProcess(home, async (app) => {
    if (usd === null) await app.usage.clearBudget("a");
    else await app.usage.setBudget({ name: "a", usd, mode: "block" });
  });

afterEach(async () => {
  await stopAllProxies();
  fake.clearBehaviour(KEY_A);
  fake.setUsage(USAGE);
});

afterAll(async () => {
  await gateway.stop();
  await fake?.close();
  await home?.cleanup();
});

describe("item 5: gateway paths", () => {
  // Each of these would reach the upstream outside /v1/ (or mean different things to different servers).
  const HOSTILE = [
    "/v1/../admin",
    "/v1/./../admin",
    "/v1/messages/../../admin",
    "/../v1/messages",
    "/v1/%2e%2e/admin",
    "/v1/%2E%2E/admin",
    "/v1/.%2e/admin",
    "/v1/%2e./admin",
    "/v1/%2e/messages",
    "/v1/..%2f..%2fadmin",
    "/v1/..%2F..%2Fadmin",
    "/v1/%2fadmin",
    "/v1/..%5cadmin",
    "/v1/..%5C..%5Cadmin",
    "/v1/%252e%252e/admin",
    "/v1/..;/admin",
    "/v1/%zz/admin",
    "/v1\\..\\admin",
    "/v1/messages\\..\\..\\admin",
    "/admin",
    "/v1",
    "/v1/",
    "http://evil.example/v1/messages",
  ];

  it("item 5: /v1/../admin and every encoded or backslash variant are refused and nothing is forwarded", async () => {
    const proxy = await gateway.get();
    fake.clearRequests();
    for (const path of HOSTILE) {
      const res = await post(proxy.port, token, { path });
      expect([400, 404], path).toContain(res.status);
      const body = anthropicError(res.body);
      expect(body.type, path).toBe("error");
      expect(["invalid_request_error", "not_found_error"], path).toContain(body.error.type);
    }
    expect(fake.requests).toEqual([]);
  });

  it("item 5: a dot segment that stays under /v1/ is resolved, then forwarded", async () => {
    const proxy = await gateway.get();
    fake.clearRequests();
    const res = await rawRequest(proxy.port, {
      path: "/v1/whatever/../models?limit=1",
      headers: { "x-api-key": token, "anthropic-version": "2023-06-01" },
    });
    expect(res.status).toBe(200);
    expect(fake.requests.map((r) => [r.path, r.query])).toEqual([["/v1/models", { limit: "1" }]]);
  });
});

describe("item 6: gateway freshness", () => {
  it("item 6: a token rotated by another process is refused on the very next request", async () => {
    const proxy = await gateway.get();
    expect((await post(proxy.port, token)).status).toBe(200);
    const rotated = await inProcess(home, (app) => app.tokens.rotate("default"));
    const previous = token;
    token = rotated.token;
    fake.clearRequests();
    // Several at once: none may slip through while the gateway is re-reading the token.
    const old = await Promise.all(Array.from({ length: 8 }, () => post(proxy.port, previous)));
    expect(old.map((r) => r.status)).toEqual(Array(8).fill(401));
    expect(fake.requests).toEqual([]);
    expect((await post(proxy.port, token)).status).toBe(200);
  });

  it("item 6: a key disabled by another process is not forwarded on the very next request", async () => {
    const proxy = await gateway.get();
    expect((await post(proxy.port, token)).status).toBe(200);
    await inProcess(home, (app) => app.keys.disable("a"));
    try {
      fake.clearRequests();
      const refused = await Promise.all(Array.from({ length: 8 }, () => post(proxy.port, token)));
      for (const res of refused) {
        expect(res.status).toBe(503);
        expect(anthropicError(res.body).error.message).toContain("disabled");
      }
      expect(fake.requests).toEqual([]);
    } finally {
      await inProcess(home, (app) => app.keys.enable("a"));
    }
    expect((await post(proxy.port, token)).status).toBe(200);
  });

  it("item 6: a blocking budget set by another process applies to the very next request", async () => {
    const proxy = await gateway.get();
    // One expensive answer ($15 of output), then a budget below it.
    fake.setUsage({ output_tokens: 1_000_000 });
    expect((await post(proxy.port, token)).status).toBe(200);
    await budget(0.01);
    try {
      fake.clearRequests();
      const res = await post(proxy.port, token);
      expect(res.status).toBe(402);
      expect(anthropicError(res.body).error.type).toBe("billing_error");
      expect(fake.requests).toEqual([]);
    } finally {
      await budget(null);
    }
  });
});

describe("item 7: gateway upstream", () => {
  // The gateway's upstream timeouts are undici's, whose timers tick every 499 ms: any timeout below 1 s fires after
  // 0.5–1 s of silence (1000 ms after 1–1.5 s), so a smaller one would not be quicker. 500 ms leaves a loaded
  // machine room for its lag under a flowing stream's 100 ms gaps.
  const UPSTREAM_TIMEOUT_MS = "500";

  it("item 7: a hanging upstream gets a 504 timeout_error after APIKEY_UPSTREAM_TIMEOUT_MS", async () => {
    const proxy = await startProxy({ ...opts, env: { APIKEY_UPSTREAM_TIMEOUT_MS: UPSTREAM_TIMEOUT_MS } });
    fake.setBehaviour(KEY_A, { status: 200, hang: true });
    const res = await post(proxy.port, token);
    expect(res.status).toBe(504);
    expect(anthropicError(res.body)).toMatchObject({ type: "error", error: { type: "timeout_error" } });
  });

  it("item 7: a stream that stalls mid-way ends with a timeout_error event; one whose bytes keep flowing outlives the timeout", async () => {
    const stalling = await startFakeAnthropic({
      validKeys: [KEY_A],
      usage: USAGE,
      stream: { chunks: 2, chunkDelayMs: 20_000 },
    });
    const flowing = await startFakeAnthropic({
      validKeys: [KEY_A],
      usage: USAGE,
      stream: { chunks: 10, chunkDelayMs: 100 },
    });
    try {
      const env = { APIKEY_UPSTREAM_TIMEOUT_MS: UPSTREAM_TIMEOUT_MS };
      // Two gateways, started together and streaming at the same time.
      const [stalled, alive] = await Promise.all([
        startProxy({ ...opts, baseUrl: stalling.url, env }),
        startProxy({ ...opts, baseUrl: flowing.url, env }),
      ]);
      const [cut, whole] = await Promise.all([
        post(stalled.port, token, { stream: true }),
        post(alive.port, token, { stream: true }),
      ]);
      expect(cut.status).toBe(200);
      expect(cut.body).toContain("event: message_start");
      expect(cut.body).toContain("event: error");
      expect(cut.body).toContain('"type":"timeout_error"');
      expect(cut.body).not.toContain("message_stop");

      // 10 chunks 100 ms apart: 1 s in all, longer than the timeout takes to fire on silence (0.5–1 s), never
      // silent for as long as the timeout.
      expect(whole.body).toContain("chunk 9");
      expect(whole.body).toContain("event: message_stop");
      expect(whole.body).not.toContain("event: error");
    } finally {
      await stalling.close();
      await flowing.close();
    }
  });

  // 0.0.0.0 reaches this machine on Linux but is not a loopback name: it stands in for a remote host here, so
  // the fake API can show what would have been sent.
  const remoteHttp = () => `http://0.0.0.0:${fake.port}`;

  it("item 7: add validation refuses a plain http:// ANTHROPIC_BASE_URL to a remote host and sends nothing", async () => {
    const other = await makeHome();
    try {
      fake.clearRequests();
      const refused = await addKey("x", KEY_A, { home: other, baseUrl: remoteHttp() });
      expect(refused.code).toBe(2);
      expect(jsonError(refused).code).toBe("E_USAGE");
      expect(jsonError(refused).message).toContain("ANTHROPIC_BASE_URL");
      expect(refused.stderr).not.toContain("0.0.0.0");
      expect(fake.requests).toEqual([]);

      const optedIn = await addKey("x", KEY_A, {
        home: other,
        baseUrl: remoteHttp(),
        env: { APIKEY_ALLOW_INSECURE_BASE_URL: "1" },
      });
      expect(optedIn.code).toBe(0);
      expect(fake.requests.map((r) => r.keyFingerprint)).toEqual([fingerprint(KEY_A)]);
    } finally {
      await other.cleanup();
    }
  });

  it("item 7: the gateway refuses to start with a plain http:// upstream on a remote host unless opted in", async () => {
    const refused = await runCli(["--json", "proxy", "--port", "0"], { ...opts, baseUrl: remoteHttp() });
    expect(refused.code).toBe(2);
    expect(jsonError(refused).code).toBe("E_USAGE");

    const proxy = await startProxy({
      ...opts,
      baseUrl: remoteHttp(),
      env: { APIKEY_ALLOW_INSECURE_BASE_URL: "1" },
    });
    fake.clearRequests();
    expect((await post(proxy.port, token)).status).toBe(200);
    expect(fake.requests).toHaveLength(1);
  });

  it("item 7: a request whose Host is not the gateway's own address gets 403 before the token check", async () => {
    const proxy = await gateway.get();
    fake.clearRequests();
    for (const host of [
      "evil.example",
      `evil.example:${proxy.port}`,
      `127.0.0.1.evil.example:${proxy.port}`,
      `localhost:${proxy.port + 1}`,
      `127.0.0.1`,
      "",
    ]) {
      // Without a token and with a wrong one: the answer must not tell whether the token was right.
      for (const credential of ["", "apk-gw-wrong", token]) {
        const res = await post(proxy.port, credential, { host });
        expect(res.status, host).toBe(403);
        expect(anthropicError(res.body).error.type).toBe("permission_error");
      }
    }
    expect(fake.requests).toEqual([]);
    for (const host of [`127.0.0.1:${proxy.port}`, `localhost:${proxy.port}`, `LOCALHOST:${proxy.port}`]) {
      expect((await post(proxy.port, token, { host })).status, host).toBe(200);
    }
    expect((await post(proxy.port, token, { host: `[::1]:${proxy.port}` })).status).not.toBe(403);
  });
});

describe("item 8: usage figures", () => {
  it.each([
    ["JSON", false],
    ["SSE", true],
  ])(
    "item 8 (%s): output_tokens 1e308 is recorded with no tokens and no cost, and does not trip a blocking budget",
    async (_kind, stream) => {
      await budget(100);
      try {
        const proxy = await gateway.get();
        const logged = proxy.stderr().length;
        const before = (await usageEvents(home)).length;
        fake.setUsage({ output_tokens: 1e308 });
        const res = await post(proxy.port, token, { stream });
        expect(res.status).toBe(200);
        fake.setUsage(USAGE);
        const events = await usageEvents(home);
        expect(events.length - before).toBe(1);
        expect(events[0]).toMatchObject({
          inputTokens: 0,
          outputTokens: 0,
          cacheCreationTokens: 0,
          cacheReadTokens: 0,
          costUsd: null,
        });
        expect(proxy.stderr().slice(logged)).toContain("usage refused");
        // The budget still lets requests through, and nothing shows an infinite spend.
        expect((await post(proxy.port, token)).status).toBe(200);
        const listed = await runCli(["--json", "list"], opts);
        expect(listed.stdout).not.toMatch(/Infinity|NaN|e\+/);
        const a = (await inProcess(home, (app) => app.keys.list())).find((k) => k.name === "a");
        expect(a?.budgetState).not.toBe("over");
      } finally {
        await budget(null);
      }
    },
  );

  it.each([
    ["a negative count", { input_tokens: -5 }],
    ["a fraction", { output_tokens: 2.5 }],
    ["a count above 10^9", { cache_read_input_tokens: 2_000_000_000 }],
  ])("item 8: %s is refused the same way", async (_what, usage) => {
    const proxy = await gateway.get();
    const before = (await usageEvents(home)).length;
    fake.setUsage(usage as Partial<typeof USAGE>);
    expect((await post(proxy.port, token)).status).toBe(200);
    const events = await usageEvents(home);
    expect(events.length - before).toBe(1);
    expect(events[0]).toMatchObject({ inputTokens: 0, outputTokens: 0, costUsd: null });
  });

  it.each([
    ["JSON", false],
    ["SSE", true],
  ])(
    "item 8 (%s): the instrumented client records out-of-range figures with no tokens and no cost, and warns",
    async (_kind, stream) => {
      const own = await makeHome();
      const config = loadConfig({
        APIKEY_HOME: own.dataDir,
        APIKEY_MASTER_KEY: TEST_MASTER_KEY,
        ANTHROPIC_BASE_URL: fake.url,
      });
      const store = await openStore({ path: storeFileIn(config.dataDir) });
      const warnings: string[] = [];
      try {
        const vault = new Vault({
          store,
          config,
          actor: "test",
          front: "api",
          onWarning: (m) => warnings.push(m),
        });
        await vault.add({ name: "a", secret: KEY_A, validate: false });
        const key = await store.keys.byName("default", "a");
        await store.keys.update(key?.id as string, { monthlyBudgetUsd: 5, budgetMode: "block" });
        fake.setUsage({ output_tokens: 1e308, input_tokens: -1 });
        const client = await createAnthropicClient({
          app: { metering: meteringFor(vault) },
          sdk: { maxRetries: 0 },
        });
        const params = { model: MODEL, max_tokens: 8, messages: [{ role: "user" as const, content: "hi" }] };
        if (stream) await client.messages.stream(params).finalMessage();
        else await client.messages.create(params);
        const [event] = await store.usage.list();
        expect(event).toMatchObject({ inputTokens: 0, outputTokens: 0, costUsd: null, front: "client" });
        expect(warnings.join("\n")).toMatch(/usage figures/i);
        fake.setUsage(USAGE);
        // Not blocked: the refused figures added nothing to the month's spend.
        await expect(client.messages.create(params)).resolves.toBeDefined();
      } finally {
        await store.close();
        await own.cleanup();
      }
    },
  );
});
