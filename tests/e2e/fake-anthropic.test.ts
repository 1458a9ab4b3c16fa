import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ANTHROPIC_VERSION,
  type FakeAnthropic,
  type FakeStatus,
  fingerprint,
  orgApiKey,
  startFakeAnthropic,
} from "../fixtures/fake-anthropic.ts";
import { fakeAdminKey, fakeApiKey, fakeOauthToken, keyBody } from "../fixtures/keys.ts";

const VALID = fakeApiKey("FIXTURE_VALID");
const UNKNOWN = fakeApiKey("FIXTURE_UNKNOWN");
const ADMIN = fakeAdminKey("FIXTURE_ADMIN");
const OAUTH = fakeOauthToken("FIXTURE_OAUTH");

let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic({ validKeys: [VALID, OAUTH], adminKeys: [ADMIN] });
});
afterAll(async () => {
  await fake.close();
});

function get(path: string, headers: Record<string, string>, init: RequestInit = {}) {
  return fetch(`${fake.url}${path}`, { ...init, headers });
}
const withKey = (key: string) => ({ "x-api-key": key, "anthropic-version": ANTHROPIC_VERSION });

interface ErrorBody {
  type: string;
  error: { type: string; message: string };
  request_id: string;
}

async function expectErrorShape(res: Response, status: number, type: string): Promise<ErrorBody> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  const requestId = res.headers.get("request-id");
  expect(requestId).toMatch(/^req_[A-Za-z0-9]{24}$/);
  const body = (await res.json()) as ErrorBody;
  expect(Object.keys(body).sort()).toEqual(["error", "request_id", "type"]);
  expect(body.type).toBe("error");
  expect(Object.keys(body.error).sort()).toEqual(["message", "type"]);
  expect(body.error.type).toBe(type);
  expect(body.error.message).toEqual(expect.any(String));
  expect(body.request_id).toBe(requestId);
  return body;
}

describe("fake key generators", () => {
  it("produce the documented lengths and alphabets, visibly fake and deterministic", () => {
    expect(VALID).toHaveLength(108);
    expect(VALID).toMatch(/^sk-ant-api03-[A-Za-z0-9_-]{93}AA$/);
    expect(ADMIN).toHaveLength(110);
    expect(ADMIN).toMatch(/^sk-ant-admin01-[A-Za-z0-9_-]{93}AA$/);
    expect(OAUTH).toMatch(/^sk-ant-oat01-[A-Za-z0-9_-]{93}AA$/);
    expect(keyBody(VALID)).toMatch(/^FAKE_TEST_FIXTURE_VALID_/);
    expect(fakeApiKey("X")).toBe(fakeApiKey("X"));
    expect(fakeApiKey("X")).not.toBe(fakeApiKey("Y"));
    expect(() => fakeApiKey("no spaces")).toThrow();
  });
});

describe("GET /v1/models", () => {
  it("lists models in the documented page shape for a known key", async () => {
    const res = await get("/v1/models", withKey(VALID));
    expect(res.status).toBe(200);
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    const body = (await res.json()) as {
      data: Array<Record<string, unknown>>;
      has_more: boolean;
      first_id: string;
      last_id: string;
    };
    expect(body.has_more).toBe(false);
    expect(body.data.length).toBeGreaterThan(0);
    for (const m of body.data) {
      expect(Object.keys(m).sort()).toEqual(["created_at", "display_name", "id", "type"]);
      expect(m.type).toBe("model");
    }
    expect(body.first_id).toBe(body.data[0]?.id);
    expect(body.last_id).toBe(body.data.at(-1)?.id);
  });

  it("pages with limit and after_id", async () => {
    const first = (await (await get("/v1/models?limit=1", withKey(VALID))).json()) as {
      data: Array<{ id: string }>;
      has_more: boolean;
      last_id: string;
    };
    expect(first.data).toHaveLength(1);
    expect(first.has_more).toBe(true);
    const next = (await (
      await get(`/v1/models?limit=1&after_id=${first.last_id}`, withKey(VALID))
    ).json()) as {
      data: Array<{ id: string }>;
    };
    expect(next.data[0]?.id).not.toBe(first.last_id);
  });

  it("rejects an unknown key with 401 authentication_error 'invalid x-api-key'", async () => {
    const body = await expectErrorShape(
      await get("/v1/models", withKey(UNKNOWN)),
      401,
      "authentication_error",
    );
    expect(body.error.message).toBe("invalid x-api-key");
  });

  it("rejects a request with no credential", async () => {
    await expectErrorShape(
      await get("/v1/models", { "anthropic-version": ANTHROPIC_VERSION }),
      401,
      "authentication_error",
    );
  });

  it("requires anthropic-version", async () => {
    await expectErrorShape(await get("/v1/models", { "x-api-key": VALID }), 400, "invalid_request_error");
  });

  it("takes API keys as x-api-key or a bearer token, OAuth tokens only as a bearer token with the OAuth beta", async () => {
    const bearer = (t: string) => ({ authorization: `Bearer ${t}`, "anthropic-version": ANTHROPIC_VERSION });
    const oauthBeta = { "anthropic-beta": "files-api-2025-04-14, oauth-2025-04-20" };
    expect((await get("/v1/models", bearer(VALID))).status).toBe(200);
    expect((await get("/v1/models", { ...bearer(OAUTH), ...oauthBeta })).status).toBe(200);
    // issue 26: the real API refuses an OAuth token sent without `anthropic-beta: oauth-2025-04-20`.
    await expectErrorShape(await get("/v1/models", bearer(OAUTH)), 401, "authentication_error");
    await expectErrorShape(await get("/v1/models", withKey(OAUTH)), 401, "authentication_error");
    await expectErrorShape(await get("/v1/models", bearer(UNKNOWN)), 401, "authentication_error");
    expect(fake.requestsFor(OAUTH).map((r) => r.auth)).toEqual(["bearer", "bearer", "x-api-key"]);
  });

  it("accepts the 2023-06-01 and 2026-10-21 API versions and rejects others", async () => {
    const v = (version: string) => get("/v1/models", { "x-api-key": VALID, "anthropic-version": version });
    expect((await v("2026-10-21")).status).toBe(200);
    await expectErrorShape(await v("1999-01-01"), 400, "invalid_request_error");
  });
});

describe("configured behaviours", () => {
  const cases: Array<[Exclude<FakeStatus, 200>, string]> = [
    [400, "invalid_request_error"],
    [401, "authentication_error"],
    [402, "billing_error"],
    [403, "permission_error"],
    [404, "not_found_error"],
    [413, "request_too_large"],
    [429, "rate_limit_error"],
    [500, "api_error"],
    [504, "timeout_error"],
    [529, "overloaded_error"],
  ];
  for (const [status, type] of cases) {
    it(`${status} answers ${type} in the documented error shape`, async () => {
      const key = fakeApiKey(`STATUS_${status}`);
      fake.setBehaviour(key, { status });
      await expectErrorShape(await get("/v1/models", withKey(key)), status, type);
    });
  }

  it("429 carries retry-after (default 1, or as configured)", async () => {
    const a = fakeApiKey("RETRY_DEFAULT");
    const b = fakeApiKey("RETRY_SET");
    fake.setBehaviour(a, { status: 429 });
    fake.setBehaviour(b, { status: 429, retryAfter: 42 });
    expect((await get("/v1/models", withKey(a))).headers.get("retry-after")).toBe("1");
    expect((await get("/v1/models", withKey(b))).headers.get("retry-after")).toBe("42");
    expect((await get("/v1/models", withKey(VALID))).headers.get("retry-after")).toBeNull();
  });

  it("a 200 behaviour makes an unknown key valid; clearing it restores 401", async () => {
    const key = fakeApiKey("TOGGLE");
    fake.setBehaviour(key, { status: 200 });
    expect((await get("/v1/models", withKey(key))).status).toBe(200);
    fake.clearBehaviour(key);
    expect((await get("/v1/models", withKey(key))).status).toBe(401);
    fake.addValidKey(key);
    expect((await get("/v1/models", withKey(key))).status).toBe(200);
  });

  it("delayMs delays the answer", async () => {
    const key = fakeApiKey("SLOW");
    fake.setBehaviour(key, { status: 200, delayMs: 300 });
    const t0 = performance.now();
    const res = await get("/v1/models", withKey(key));
    expect(res.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(280);
  });

  it("hang never answers, so the client's timeout fires", async () => {
    const key = fakeApiKey("HANG");
    fake.setBehaviour(key, { status: 200, hang: true });
    const err = await get("/v1/models", withKey(key), { signal: AbortSignal.timeout(300) }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).name).toBe("TimeoutError");
    const rec = fake.requestsFor(key);
    expect(rec).toHaveLength(1);
    expect(rec[0]?.status).toBeNull();
  });
});

describe("request log", () => {
  it("records method, path, version and a fingerprint — never the secret", async () => {
    const key = fakeApiKey("LOGGED");
    fake.addValidKey(key);
    await get("/v1/models?limit=2", withKey(key));
    const [rec] = fake.requestsFor(key);
    expect(rec).toMatchObject({
      method: "GET",
      path: "/v1/models",
      query: { limit: "2" },
      auth: "x-api-key",
      anthropicVersion: ANTHROPIC_VERSION,
      keyFingerprint: fingerprint(key),
      status: 200,
    });
    expect(rec?.keyMasked).toBe(`sk-ant-api03-…${key.slice(-4)}`);
    const log = JSON.stringify(fake.requests);
    for (const secret of [VALID, UNKNOWN, ADMIN, OAUTH, key]) expect(log).not.toContain(keyBody(secret));
  });
});

describe("admin api_keys", () => {
  it("lists org keys for an admin key in the documented shape, with paging and status filter", async () => {
    fake.setOrgApiKeys([
      orgApiKey("one", fakeApiKey("ORG1")),
      orgApiKey("two", fakeApiKey("ORG2"), { status: "inactive" }),
      orgApiKey("three", fakeApiKey("ORG3")),
    ]);
    const res = await get("/v1/organizations/api_keys?limit=2", withKey(ADMIN));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: Array<Record<string, unknown>>;
      has_more: boolean;
      first_id: string;
      last_id: string;
    };
    expect(body.data).toHaveLength(2);
    expect(body.has_more).toBe(true);
    expect(Object.keys(body.data[0] ?? {}).sort()).toEqual([
      "created_at",
      "created_by",
      "id",
      "name",
      "partial_key_hint",
      "status",
      "type",
      "workspace_id",
    ]);
    expect(body.data[0]?.type).toBe("api_key");
    expect(body.data[0]?.partial_key_hint).toMatch(/^sk-ant-api03-.{3}\.\.\..{4}$/);
    expect(body.first_id).toBe(body.data[0]?.id);

    const inactive = (await (
      await get("/v1/organizations/api_keys?status=inactive", withKey(ADMIN))
    ).json()) as {
      data: Array<{ name: string }>;
    };
    expect(inactive.data.map((k) => k.name)).toEqual(["two"]);
  });

  it("updates name and status with POST /v1/organizations/api_keys/{id}", async () => {
    const row = orgApiKey("rotate-me", fakeApiKey("ORG_UPD"));
    fake.setOrgApiKeys([row]);
    const res = await fetch(`${fake.url}/v1/organizations/api_keys/${row.id}`, {
      method: "POST",
      headers: { ...withKey(ADMIN), "content-type": "application/json" },
      body: JSON.stringify({ status: "inactive", name: "retired" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: row.id, status: "inactive", name: "retired" });
    const missing = await fetch(`${fake.url}/v1/organizations/api_keys/apikey_nope`, {
      method: "POST",
      headers: withKey(ADMIN),
      body: "{}",
    });
    await expectErrorShape(missing, 404, "not_found_error");
  });

  it("refuses a non-admin key", async () => {
    await expectErrorShape(
      await get("/v1/organizations/api_keys", withKey(VALID)),
      401,
      "authentication_error",
    );
  });
});

describe("POST /v1/messages", () => {
  it("answers a non-streaming message with a usage object", async () => {
    fake.setUsage({ input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 5 });
    const res = await fetch(`${fake.url}/v1/messages`, {
      method: "POST",
      headers: { ...withKey(VALID), "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-haiku-4-5",
        max_tokens: 16,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-haiku-4-5",
      stop_reason: "end_turn",
      usage: {
        input_tokens: 100,
        output_tokens: 20,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 5,
      },
    });
    expect(body.id).toMatch(/^msg_/);
  });

  it("rejects a body without model/max_tokens/messages", async () => {
    const res = await fetch(`${fake.url}/v1/messages`, {
      method: "POST",
      headers: withKey(VALID),
      body: JSON.stringify({ model: "x" }),
    });
    await expectErrorShape(res, 400, "invalid_request_error");
  });

  it("answers unknown routes with not_found_error", async () => {
    await expectErrorShape(await get("/v1/nope", withKey(VALID)), 404, "not_found_error");
  });
});
