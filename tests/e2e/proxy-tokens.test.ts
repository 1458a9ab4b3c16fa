import Anthropic from "@anthropic-ai/sdk";
import { type CreateTokenInput, masterKeySource, openApikey, parseExpiry } from "@apikey/core";
import { openStore } from "@apikey/storage";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  filesContaining,
  jsonOut,
  makeHome,
  type RunOptions,
  runCli,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import { type FakeAnthropic, fingerprint, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";
import {
  type RunningProxy,
  startProxy,
  stopAllProxies,
  usageEvents,
  usageFolded,
} from "../fixtures/proxy.ts";

// Issue 10's acceptance: gateway tokens per person or app, through one `apikey proxy` (a child process) in front
// of the fake Anthropic API, with the official SDK as the client. Tokens are made, revoked and edited by other
// processes (this test's own, through the use cases the CLI's commands call, or a second store connection) while
// the gateway runs.

const KEY_DEFAULT = fakeApiKey("TOKENS_DEFAULT");
const KEY_WORK = fakeApiKey("TOKENS_WORK");
const SONNET = "claude-sonnet-4-6";
const HAIKU = "claude-haiku-4-5";
// $1.50 of output per sonnet request: a $1 budget allows one, then refuses.
const USAGE = {
  input_tokens: 1000,
  output_tokens: 100_000,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};

let fake: FakeAnthropic;
let home: TestHome;
let opts: RunOptions;
let proxy: RunningProxy;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

const sdk = (token: string) => new Anthropic({ apiKey: token, baseURL: proxy.url, maxRetries: 0 });
const ask = (token: string, model = SONNET) =>
  sdk(token).messages.create({ model, max_tokens: 64, messages: [{ role: "user", content: "hi" }] });
const askStreaming = (token: string, model = SONNET) =>
  sdk(token)
    .messages.stream({ model, max_tokens: 64, messages: [{ role: "user", content: "hi" }] })
    .finalMessage();

/** A raw request, to see the gateway's answer exactly as a client receives it. */
async function post(token: string, model = SONNET) {
  const res = await fetch(`${proxy.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": token, "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: JSON.stringify({ model, max_tokens: 8, messages: [{ role: "user", content: "hi" }] }),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      type: string;
      error?: { type: string; message: string };
      request_id?: string;
    },
  };
}

// Keys, profiles and tokens are set up, and revoked or rotated by "another process", in process: this test's process
// is another process than the gateway's, which is what is tested.

/** `[--profile PROFILE] proxy token create NAME [limits]`, in process (no --profile: bound to none). */
async function create(
  name: string,
  limits: Omit<CreateTokenInput, "name" | "profile"> = {},
  profile?: string,
) {
  const { token } = await inProcess(home, (app) =>
    app.tokens.create({ name, profile: profile ?? null, ...limits }),
  );
  tokens[name] = token;
  expect(tokens[name]).toMatch(/^apk-gw-[A-Za-z0-9_-]{43}$/);
}

const tokenList = () => inProcess(home, (app) => app.tokens.list());

beforeAll(async () => {
  fake = await startFakeAnthropic({ validKeys: [KEY_DEFAULT, KEY_WORK], usage: USAGE });
  home = await makeHome();
  opts = { home, baseUrl: fake.url };
  await inProcess(home, async (app) => {
    await app.keys.add({ name: "personal", secret: KEY_DEFAULT, validate: false });
    await app.profiles.create("work");
    await app.keys.add({ name: "team", secret: KEY_WORK, profile: "work", validate: false });
  });
  await create("alice", {}, "default");
  await create("bob", {}, "work");
  await create("carol", { models: ["claude-haiku-*"] }, "work");
  const listed = await tokenList();
  for (const t of listed) ids[t.name] = t.id;
  expect(listed.map((t) => [t.name, t.profile])).toEqual([
    ["alice", "default"],
    ["bob", "work"],
    ["carol", "work"],
  ]);
  proxy = await startProxy(opts);
});

afterEach(() => fake.clearRequests());

afterAll(async () => {
  await stopAllProxies();
  await fake?.close();
  await home?.cleanup();
});

/** Nothing reached the upstream, and the answer is the API's own error shape with the given type. */
function expectRefused(r: Awaited<ReturnType<typeof post>>, status: number, type: string, says: string) {
  expect(r.status).toBe(status);
  expect(r.body).toMatchObject({ type: "error", error: { type, message: expect.stringContaining(says) } });
  expect(r.body.request_id).toMatch(/^req_/);
  expect(fake.requests).toEqual([]);
}

describe("three tokens on two profiles through one gateway", () => {
  it("swaps in each token's profile key and attributes usage per token (the official SDK, two personal tokens)", async () => {
    const before = (await usageEvents(home)).length;
    fake.clearRequests();
    await ask(tokens.alice as string);
    await askStreaming(tokens.alice as string);
    await ask(tokens.bob as string);
    await askStreaming(tokens.bob as string);
    await ask(tokens.bob as string);
    await ask(tokens.carol as string, HAIKU);
    expect(fake.requests.map((r) => r.keyFingerprint)).toEqual([
      fingerprint(KEY_DEFAULT),
      fingerprint(KEY_DEFAULT),
      fingerprint(KEY_WORK),
      fingerprint(KEY_WORK),
      fingerprint(KEY_WORK),
      fingerprint(KEY_WORK),
    ]);

    const events = (await usageEvents(home)).slice(0, (await usageEvents(home)).length - before);
    const perToken = (id: string | undefined) => events.filter((e) => e.tokenId === id).length;
    expect([perToken(ids.alice), perToken(ids.bob), perToken(ids.carol)]).toEqual([2, 3, 1]);
    for (const e of events) expect(e.outputTokens).toBe(USAGE.output_tokens);

    const report = jsonOut<{ rows: Array<{ token: string; requests: number; costUsd: number }> }>(
      await runCli(["--json", "usage", "--by", "token"], opts),
    );
    expect(report.rows.map((r) => [r.token, r.requests])).toEqual(
      expect.arrayContaining([
        ["alice", 2],
        ["bob", 3],
        ["carol", 1],
      ]),
    );
    const listed = await tokenList();
    const alice = listed.find((t) => t.name === "alice");
    expect(alice?.monthSpendUsd).toBeCloseTo((2 * (1000 * 3 + 100_000 * 15)) / 1e6, 6);
    expect(alice?.lastUsedAt).not.toBeNull();
  });
});

describe("refusals: the API's error shape, nothing forwarded", () => {
  it("a model the token may not use gets 403 permission_error; an allowed one goes through", async () => {
    expectRefused(await post(tokens.carol as string, SONNET), 403, "permission_error", "may not use model");
    const batch = await fetch(`${proxy.url}/v1/messages/batches`, {
      method: "POST",
      headers: { "x-api-key": tokens.carol as string, "content-type": "application/json" },
      body: JSON.stringify({ requests: [{ custom_id: "a", params: { model: SONNET } }] }),
    });
    expect(batch.status).toBe(403);
    expect(fake.requests).toEqual([]);
    expect((await post(tokens.carol as string, HAIKU)).status).toBe(200);
  });

  it("an expired token gets 401 authentication_error from the next request on", async () => {
    await create("erin", { expiresAt: parseExpiry("30d", new Date()) });
    expect((await post(tokens.erin as string)).status).toBe(200);
    fake.clearRequests();
    // Another connection moves its expiry into the past, as the passing of 30 days would.
    const store = await openStore({ path: home.storePath });
    const erin = await store.tokens.byName("erin");
    await store.tokens.update(erin?.id as string, { expiresAt: new Date(Date.now() - 1000) });
    await store.close();
    expectRefused(await post(tokens.erin as string), 401, "authentication_error", "expired");
  });

  it("a token over its blocking budget gets 402 billing_error, with x-should-retry: false", async () => {
    await create("dave", { budgetUsd: 1, block: true }, "work");
    expect((await post(tokens.dave as string)).status).toBe(200);
    fake.clearRequests();
    const refused = await ask(tokens.dave as string).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Anthropic.APIError);
    const e = refused as InstanceType<typeof Anthropic.APIError>;
    expect(e.status).toBe(402);
    expect(e.error).toMatchObject({ type: "error", error: { type: "billing_error" } });
    expect(e.headers?.get("x-should-retry")).toBe("false");
    expect(fake.requests).toEqual([]);
    // The other tokens on the same profile and key are not affected.
    expect((await post(tokens.bob as string)).status).toBe(200);
  });

  it("a revocation by another process applies to the very next request, even to requests already queued", async () => {
    expect((await post(tokens.bob as string)).status).toBe(200);
    await inProcess(home, (app) => app.tokens.revoke("bob"));
    fake.clearRequests();
    const refused = await Promise.all(Array.from({ length: 8 }, () => post(tokens.bob as string)));
    for (const r of refused) expectRefused(r, 401, "authentication_error", "revoked");
    // Alice never noticed.
    expect((await post(tokens.alice as string)).status).toBe(200);
  });

  it("a rotated token's old value is refused and the new one works, keeping the token's usage", async () => {
    const fresh = (await inProcess(home, (app) => app.tokens.rotate("alice"))).token;
    expectRefused(await post(tokens.alice as string), 401, "authentication_error", "not valid");
    expect((await post(fresh)).status).toBe(200);
    tokens.alice = fresh;
    expect((await usageEvents(home))[0]?.tokenId).toBe(ids.alice);
  });
});

describe("the front API", () => {
  it("creates, lists and revokes tokens for another front (one process, audited with its actor)", async () => {
    const app = openApikey({
      store: await openStore({ path: home.storePath }),
      masterKeys: [masterKeySource(TEST_MASTER_KEY)],
      actor: "slack:T1/U1",
      front: "slack",
    });
    try {
      const { token, view } = await app.tokens.create({
        name: "slackbot",
        profile: "work",
        models: ["claude-haiku-*"],
      });
      tokens.slackbot = token;
      expect(view).toMatchObject({
        name: "slackbot",
        profile: "work",
        state: "active",
        models: ["claude-haiku-*"],
      });
      expect((await post(token, HAIKU)).status).toBe(200);
      // The gateway folds its usage journal into the store within ~50 ms (issue 25).
      await usageFolded(home);
      const listed = await app.tokens.list();
      expect(listed.find((t) => t.name === "slackbot")?.monthSpendUsd).toBeGreaterThan(0);
      expect(JSON.stringify(listed)).not.toContain(token.slice(7));
      await app.tokens.revoke("slackbot");
      fake.clearRequests();
      expectRefused(await post(token, HAIKU), 401, "authentication_error", "revoked");
      const audit = await app.audit({ limit: 5 });
      expect(audit.find((e) => e.action === "gateway.token.revoke")).toMatchObject({ actor: "slack:T1/U1" });
      await expect(app.tokens.revoke("slackbot")).rejects.toMatchObject({ code: "E_TOKEN_NOT_FOUND" });
      // A token pasted where its name goes: refused for its shape, never echoed back in a "not found" message.
      for (const act of [app.tokens.revoke, app.tokens.rotate]) {
        const err = await act(token).then(
          () => null,
          (e: unknown) => e as { code: string; message: string; details: unknown },
        );
        expect(err).toMatchObject({ code: "E_NAME_INVALID" });
        expect(`${err?.message} ${JSON.stringify(err?.details)}`).not.toContain(token.slice(7));
      }
    } finally {
      await app.close();
    }
  });
});

describe("secrecy", () => {
  it("the store, its WAL, the audit log and the gateway's log hold no token in clear (canary scan)", async () => {
    const values = Object.values(tokens);
    expect(values.length).toBeGreaterThanOrEqual(5);
    // The random part alone, and its raw bytes, so no encoding slips through.
    const needles = values.flatMap((t) => [t, t.slice(7), Buffer.from(t.slice(7), "base64url")]);
    expect(await filesContaining(home.root, needles)).toEqual([]);
    const rows = await inProcess(home, (app) => app.audit({ limit: 50 }));
    const audit = { stdout: JSON.stringify(rows.map((e) => ({ ...e, at: e.at.toISOString() }))) };
    const actions = rows.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(["gateway.token.create", "gateway.token.revoke", "gateway.token.rotate"]),
    );
    for (const t of values) {
      expect(audit.stdout).not.toContain(t.slice(7));
      expect(proxy.stderr()).not.toContain(t.slice(7));
    }
  });
});
