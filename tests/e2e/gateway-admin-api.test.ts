import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { addKey, jsonOut, makeHome, type RunOptions, runCli, type TestHome } from "../fixtures/cli.ts";
import {
  type FakeAnthropic,
  fingerprint,
  orgApiKey,
  startFakeAnthropic,
} from "../fixtures/fake-anthropic.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeAdminKey, fakeApiKey } from "../fixtures/keys.ts";
import {
  type RawResponse,
  type RunningProxy,
  rawRequest,
  startProxy,
  stopAllProxies,
} from "../fixtures/proxy.ts";

// Issue 20, item 2 (gateway tokens reached the Admin API) and the gateway's part of item 13 (its request log wrote
// an upstream's model name raw). The real CLI runs the gateway in front of the fake API, which records every
// request that reaches it: "never forwarded" is checked there, at the upstream.

const KEY = fakeApiKey("ADMINAPI_KEY");
const ADMIN = fakeAdminKey("ADMINAPI_ADMIN");
const HAIKU = "claude-haiku-4-5-20251001";
const OPUS = "claude-opus-4-5-20251101";
const VICTIM = orgApiKey("victim", KEY);

let fake: FakeAnthropic;
let home: TestHome;
let opts: RunOptions;
let proxy: RunningProxy;
const tokens: Record<string, string> = {};

// The starting store (keys, profiles, tokens) is made in process, and read back in process; the adds and `use`
// whose output is tested, and the gateway, run the CLI.

/** `--profile PROFILE proxy token create NAME [--models …]`, in process. */
async function createToken(name: string, profile: string, models: string[] | null = null) {
  tokens[name] = (await inProcess(home, (app) => app.tokens.create({ name, profile, models }))).token;
}

function call(
  token: string,
  method: string,
  path: string,
  body?: string | object,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return rawRequest(proxy.port, {
    method,
    path,
    headers: {
      "x-api-key": token,
      "anthropic-version": "2023-06-01",
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    body: typeof body === "string" || body === undefined ? body : JSON.stringify(body),
  });
}

const message = (model: string) => ({ model, max_tokens: 8, messages: [{ role: "user", content: "hi" }] });

function errorOf(res: RawResponse): { type: string; message: string } {
  const body = JSON.parse(res.body) as { type: string; error: { type: string; message: string } };
  expect(body.type).toBe("error");
  return body.error;
}

/** Whether a recorded path is the Admin API in any spelling the upstream could read. */
const isAdminApi = (path: string) => {
  let p = path;
  for (let i = 0; i < 3; i++) p = decodeURIComponent(p);
  return /organization/i.test(p.normalize("NFKC"));
};

beforeAll(async () => {
  fake = await startFakeAnthropic({ validKeys: [KEY], adminKeys: [ADMIN], orgApiKeys: [VICTIM] });
  home = await makeHome();
  opts = { home, baseUrl: fake.url };
  await inProcess(home, async (app) => {
    await app.keys.add({ name: "work", secret: KEY, validate: false });
    await app.profiles.create("org");
  });
  await createToken("open", "default");
  await createToken("haiku", "default", ["claude-haiku-*"]);
  await createToken("org-open", "org");
  await createToken("org-haiku", "org", ["claude-haiku-*"]);
  proxy = await startProxy(opts);
});

afterEach(() => fake.clearRequests());

afterAll(async () => {
  await stopAllProxies();
  await fake?.close();
  await home?.cleanup();
});

describe("issue 20 item 2: an Admin key is never made active by default", () => {
  it("the first key of a profile, when it is an Admin key, is not made active, and the CLI says why", async () => {
    const added = await runCli(["--profile", "org", "add", "admin"], { ...opts, stdin: ADMIN });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/not made the active key of profile org: an Admin key/);
    expect(added.stdout).toContain("apikey --profile org use admin");
    const org = await inProcess(home, (app) => app.keys.list({ profile: "org" }));
    expect(org.find((k) => k.name === "admin")).toMatchObject({
      kind: "admin",
      active: false,
    });
    const current = await runCli(["--profile", "org", "current"], opts);
    expect(current.code).not.toBe(0);
    expect(current.stdout).not.toContain(ADMIN);
  });

  it("--json reports it as notActivated: admin_key; an API key added next becomes active", async () => {
    await inProcess(home, (app) => app.profiles.create("org2"));
    const admin = jsonOut<{ key: { active: boolean }; notActivated: string | null }>(
      await addKey("admin2", fakeAdminKey("ADMINAPI_ADMIN2"), opts, ["--profile", "org2", "--no-validate"]),
    );
    expect(admin).toMatchObject({ key: { active: false }, notActivated: "admin_key" });
    const api = jsonOut<{ key: { active: boolean }; notActivated: string | null }>(
      await addKey("api2", fakeApiKey("ADMINAPI_API2"), opts, ["--profile", "org2", "--no-validate"]),
    );
    expect(api).toMatchObject({ key: { active: true }, notActivated: null });
  });
});

describe("issue 20 item 2: the gateway never sends an Admin key upstream", () => {
  it("with an Admin key made active on purpose, every token gets 503 saying what to do, and nothing goes upstream", async () => {
    const chosen = await runCli(["--profile", "org", "use", "admin"], opts);
    expect(chosen.code).toBe(0);
    expect(chosen.stderr).toMatch(/admin is an Admin key: .*the gateway refuses to send it upstream/);
    for (const t of ["org-open", "org-haiku"]) {
      for (const [method, path, body] of [
        ["POST", "/v1/messages", message(HAIKU)],
        ["POST", "/v1/messages/count_tokens", message(HAIKU)],
        ["GET", "/v1/models", undefined],
        ["GET", `/v1/models/${HAIKU}`, undefined],
        ["GET", "/v1/messages/batches", undefined],
      ] as const) {
        const res = await call(tokens[t] as string, method, path, body);
        expect(res.status, `${t} ${method} ${path}`).toBe(503);
        expect(res.headers["x-should-retry"]).toBe("false");
        const error = errorOf(res);
        expect(error.type).toBe("api_error");
        expect(error.message).toMatch(/Admin key/);
        expect(error.message).toMatch(/make an ordinary API key the profile's active key/);
        expect(res.body).not.toContain(ADMIN.slice(15, 40));
      }
    }
    expect(fake.requests).toEqual([]);
    expect(fake.requestsFor(ADMIN)).toEqual([]);
  });

  it("the issue's repro: a haiku-only token cannot set an organization key inactive, in any spelling", async () => {
    const hostile = [
      `/v1/organizations/api_keys/${VICTIM.id}`,
      `/v1/Organizations/api_keys/${VICTIM.id}`,
      `/v1/ORGANIZATIONS/api_keys/${VICTIM.id}`,
      `/v1/%6frganizations/api_keys/${VICTIM.id}`,
      `/v1/%6F%52GANIZATIONS/api_keys/${VICTIM.id}`,
      `/v1/%256frganizations/api_keys/${VICTIM.id}`,
      `/v1//organizations//api_keys/${VICTIM.id}/`,
      `/v1/messages/../organizations/api_keys/${VICTIM.id}`,
      `/v1/./organizations/./api_keys/${VICTIM.id}`,
      `/v1/models/x/../../organizations/api_keys/${VICTIM.id}`,
      `/v1/organizations%2fapi_keys/${VICTIM.id}`,
      `/v1/%2e%2e/v1/organizations/api_keys/${VICTIM.id}`,
      `/v1/organizations;x/api_keys/${VICTIM.id}`,
      `/v1/messages#/../../organizations/api_keys/${VICTIM.id}`,
      `/v1/organizations/api_keys/${VICTIM.id}?model=${HAIKU}`,
    ];
    // On both profiles: the Admin key active on `org` (chosen above), the API key on `default`.
    for (const t of ["haiku", "open", "org-haiku", "org-open"]) {
      for (const path of hostile) {
        for (const method of ["POST", "GET", "DELETE"]) {
          const body = method === "GET" ? undefined : { status: "inactive", model: "claude-haiku-4-5" };
          const res = await call(tokens[t] as string, method, path, body);
          expect([400, 403, 404], `${t} ${method} ${path}`).toContain(res.status);
          errorOf(res);
        }
      }
      const plain = await call(tokens[t] as string, "POST", `/v1/organizations/api_keys/${VICTIM.id}`, {
        status: "inactive",
        model: "claude-haiku-4-5",
      });
      expect(plain.status).toBe(403);
      expect(errorOf(plain)).toMatchObject({
        type: "permission_error",
        message: expect.stringMatching(/Admin API/),
      });
    }
    expect(fake.requests.filter((r) => isAdminApi(r.target) || isAdminApi(r.path))).toEqual([]);
    expect(fake.requests).toEqual([]);
    const list = await fetch(`${fake.url}/v1/organizations/api_keys`, {
      headers: { "x-api-key": ADMIN, "anthropic-version": "2023-06-01" },
    });
    expect(((await list.json()) as { data: Array<{ status: string }> }).data[0]?.status).toBe("active");
  });

  it("the Admin key stays usable where it belongs: chosen by name, `current` prints it", async () => {
    const current = await runCli(["--profile", "org", "current"], opts);
    expect(current.code).toBe(0);
    expect(current.stdout.trim()).toBe(ADMIN);
  });
});

describe("issue 20 item 2: only endpoints the gateway can check and meter are forwarded", () => {
  it("messages, count_tokens, models and batches reach the upstream, with the path the gateway checked", async () => {
    const t = tokens.open as string;
    expect((await call(t, "POST", "/v1/messages?beta=true", message(OPUS))).status).toBe(200);
    expect((await call(t, "POST", "/v1/messages/count_tokens", message(OPUS))).status).toBe(200);
    expect((await call(t, "GET", "/v1/models?limit=2")).status).toBe(200);
    expect((await call(t, "GET", `/v1/models/${OPUS}`)).status).toBe(200);
    const created = await call(t, "POST", "/v1/messages/batches", {
      requests: [{ custom_id: "a", params: message(OPUS) }],
    });
    expect(created.status).toBe(200);
    const id = (JSON.parse(created.body) as { id: string }).id;
    expect((await call(t, "GET", "/v1/messages/batches")).status).toBe(200);
    expect((await call(t, "GET", `/v1/messages/batches/${id}`)).status).toBe(200);
    expect((await call(t, "GET", `/v1/messages/batches/${id}/results`)).status).toBe(200);
    expect((await call(t, "POST", `/v1/messages/batches/${id}/cancel`)).status).toBe(200);
    expect((await call(t, "DELETE", `/v1/messages/batches/${id}`)).status).toBe(200);
    expect(fake.requests.map((r) => `${r.method} ${r.target}`)).toEqual([
      "POST /v1/messages?beta=true",
      "POST /v1/messages/count_tokens",
      "GET /v1/models?limit=2",
      `GET /v1/models/${OPUS}`,
      "POST /v1/messages/batches",
      "GET /v1/messages/batches",
      `GET /v1/messages/batches/${id}`,
      `GET /v1/messages/batches/${id}/results`,
      `POST /v1/messages/batches/${id}/cancel`,
      `DELETE /v1/messages/batches/${id}`,
    ]);
    expect(fake.requests.every((r) => r.keyFingerprint === fingerprint(KEY))).toBe(true);
  });

  it.each([
    ["GET", "/v1/messages"],
    ["POST", "/v1/complete"],
    ["POST", "/v1/files"],
    ["GET", "/v1/files/file_011CNha8iCJcU1wXNR6q4V8w/content"],
    ["POST", "/v1/skills"],
    ["POST", "/v1/Messages"],
    ["POST", "/v1/m%65ssages"],
    ["POST", "/v1/messages;x=1"],
    ["DELETE", `/v1/models/${HAIKU}`],
    ["GET", "/v1/models/%63laude-haiku-4-5"],
    ["POST", "/v1/oauth/token"],
    ["GET", "/v1/whatever"],
  ])(
    "%s %s gets 404 not_found_error naming what is forwarded, and nothing goes upstream",
    async (method, path) => {
      for (const t of ["open", "haiku"]) {
        const res = await call(
          tokens[t] as string,
          method,
          path,
          method === "GET" ? undefined : message(HAIKU),
        );
        expect(res.status, `${t} ${method} ${path}`).toBe(404);
        const error = errorOf(res);
        expect(error.type).toBe("not_found_error");
        expect(error.message).toContain("POST /v1/messages, POST /v1/messages/count_tokens, GET /v1/models");
      }
      expect(fake.requests).toEqual([]);
    },
  );
});

describe("issue 20 item 2: a model list applies to every endpoint", () => {
  it("GET /v1/models/{id}: allowed models only; the list itself is not filtered", async () => {
    const t = tokens.haiku as string;
    expect((await call(t, "GET", `/v1/models/${HAIKU}`)).status).toBe(200);
    for (const model of [OPUS, "claude-sonnet-4-5", "CLAUDE-HAIKU-4-5", "claude-haik"]) {
      const res = await call(t, "GET", `/v1/models/${model}`);
      expect(res.status, model).toBe(403);
      expect(errorOf(res).type).toBe("permission_error");
    }
    // Listing spends nothing and names only public model ids: a limited token sees the whole catalogue.
    expect((await call(t, "GET", "/v1/models")).status).toBe(200);
    expect(fake.requests.map((r) => r.target)).toEqual([`/v1/models/${HAIKU}`, "/v1/models"]);
  });

  it("count_tokens and batch entries are checked like messages", async () => {
    const t = tokens.haiku as string;
    expect((await call(t, "POST", "/v1/messages/count_tokens", message(OPUS))).status).toBe(403);
    const mixed = {
      requests: [
        { custom_id: "a", params: message(HAIKU) },
        { custom_id: "b", params: message(OPUS) },
      ],
    };
    expect((await call(t, "POST", "/v1/messages/batches", mixed)).status).toBe(403);
    // A batch's top-level model is not what runs: it cannot vouch for its requests.
    const decoy = { model: HAIKU, Requests: [{ custom_id: "a", params: message(OPUS) }] };
    expect((await call(t, "POST", "/v1/messages/batches", decoy)).status).toBe(403);
    expect(fake.requests).toEqual([]);
    expect((await call(t, "POST", "/v1/messages/count_tokens", message(HAIKU))).status).toBe(200);
  });
});

describe("issue 20 item 2: a body with a key twice is refused as ambiguous", () => {
  const rest = '"max_tokens":8,"messages":[{"role":"user","content":"hi"}]';
  const AMBIGUOUS: Array<[string, string, string]> = [
    ["/v1/messages", "same key twice", `{"model":"${HAIKU}","model":"${OPUS}",${rest}}`],
    ["/v1/messages", "the other order", `{"model":"${OPUS}",${rest},"model":"${HAIKU}"}`],
    ["/v1/messages", "an escaped spelling", `{"model":"${HAIKU}","mod\\u0065l":"${OPUS}",${rest}}`],
    [
      "/v1/messages",
      "all escapes",
      `{"\\u006d\\u006f\\u0064\\u0065\\u006c":"${OPUS}","model":"${HAIKU}",${rest}}`,
    ],
    ["/v1/messages", "another case", `{"model":"${HAIKU}","Model":"${OPUS}",${rest}}`],
    ["/v1/messages", "fullwidth", `{"model":"${HAIKU}","ｍｏｄｅｌ":"${OPUS}",${rest}}`],
    ["/v1/messages", "a NUL tail", `{"model":"${HAIKU}","model\\u0000":"${OPUS}",${rest}}`],
    [
      "/v1/messages",
      "nested",
      `{"model":"${HAIKU}","max_tokens":8,"messages":[{"role":"user","role":"assistant","content":"hi"}]}`,
    ],
    ["/v1/messages/count_tokens", "same key twice", `{"model":"${HAIKU}","model":"${OPUS}",${rest}}`],
    [
      "/v1/messages/batches",
      "in requests[].params",
      `{"requests":[{"custom_id":"a","params":{"model":"${HAIKU}","model":"${OPUS}",${rest}}}]}`,
    ],
    [
      "/v1/messages/batches",
      "params twice",
      `{"requests":[{"custom_id":"a","params":{"model":"${HAIKU}",${rest}},"params":{"model":"${OPUS}",${rest}}}]}`,
    ],
    [
      "/v1/messages/batches",
      "requests twice",
      `{"requests":[{"custom_id":"a","params":{"model":"${HAIKU}",${rest}}}],"requests":[{"custom_id":"b","params":{"model":"${OPUS}",${rest}}}]}`,
    ],
  ];

  it.each(AMBIGUOUS)(
    "%s with %s: 400 invalid_request_error, nothing forwarded",
    async (path, _what, body) => {
      const res = await call(tokens.haiku as string, "POST", path, body);
      expect(res.status).toBe(400);
      expect(errorOf(res)).toMatchObject({
        type: "invalid_request_error",
        message: expect.stringMatching(/more than once/),
      });
      expect(fake.requests).toEqual([]);
    },
  );
});

describe("issue 20 item 13: the gateway's log escapes what came from outside", () => {
  const HOSTILE_MODELS = [
    `claude-x\u001b[31mRED\u0007\nPOST /v1/messages ok 200 1.0ms token=admin key=root`,
    "claude-y\r\nFORGED LINE",
    "claude-z\u009b2J\u2028FORGED AFTER LS\u202eevil",
  ];

  it.each([
    ["JSON", false],
    ["SSE", true],
  ])(
    "(%s) a model name the upstream reports with ESC, BEL, CR, LF, C1 and U+2028 is logged escaped",
    async (_k, stream) => {
      const before = proxy.stderr().length;
      for (const model of HOSTILE_MODELS) {
        const res = await call(tokens.open as string, "POST", "/v1/messages", { ...message(model), stream });
        expect(res.status).toBe(200);
      }
      // The request log is written in batches of up to 100 ms.
      const logged = () => proxy.stderr().slice(before);
      await expect.poll(logged, { timeout: 5_000 }).toContain("FORGED AFTER LS");
      const log = logged();
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
      expect(log).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
      for (const line of log.split("\n")) {
        expect(line).not.toMatch(/^(POST \/v1\/messages ok 200 1\.0ms token=admin|FORGED)/);
      }
      // Each model is one quoted field of its request's line.
      const lines = log.split("\n").filter((l) => l.startsWith("POST /v1/messages ok 200"));
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/ token=open key=work "claude-x\\u001b\[31mRED\\u0007\\nPOST .*root" in=/);
      expect(lines[2]).toContain('"claude-z\\x9b2J\\u2028FORGED AFTER LS\\u202eevil"');
    },
  );
});
