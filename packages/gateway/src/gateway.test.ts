import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, request, type Server } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createToken,
  loadConfig,
  meteringFor,
  revokeToken,
  rotateToken,
  type Store,
  seal,
  Vault,
} from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./gateway.ts";

// The gateway in-process over a real store file and a real upstream on 127.0.0.1.

const FAKE_KEY = `sk-ant-api03-${"FAKE_TEST_GATEWAY_UNIT_".padEnd(93, "x")}AA`;
const USAGE = {
  input_tokens: 11,
  output_tokens: 5,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};
const sse = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

let dir: string;
let store: Store;
let vault: Vault;
let upstream: Server;
let gateway: Gateway;
let token: string;
const seenAuth: string[] = [];

function answer(req: IncomingMessage, res: import("node:http").ServerResponse, body: string) {
  seenAuth.push(String(req.headers["x-api-key"] ?? req.headers.authorization));
  if (body.includes('"stream":true')) {
    res.writeHead(200, { "content-type": "text/event-stream", "request-id": "req_up_stream" });
    res.write(
      sse("message_start", { message: { model: "claude-haiku-4-5", usage: { ...USAGE, output_tokens: 1 } } }),
    );
    setTimeout(
      () => {
        res.write(sse("message_delta", { delta: {}, usage: { output_tokens: USAGE.output_tokens } }));
        res.write(sse("message_stop", {}));
        setTimeout(() => res.end(), Number(req.headers["x-test-end-delay"] ?? 0));
      },
      Number(req.headers["x-test-delay"] ?? 0),
    );
    return;
  }
  const json = JSON.stringify({ model: "claude-haiku-4-5", usage: USAGE });
  res.writeHead(200, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(json),
    "request-id": "req_up_json",
  });
  res.end(json);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "apikey-gateway-"));
  const config = loadConfig({ APIKEY_HOME: dir, APIKEY_MASTER_KEY: Buffer.alloc(32, 7).toString("base64") });
  store = await openStore({ path: join(dir, "apikey.db") });
  vault = new Vault({ store, config, actor: "test", front: "api" });
  await vault.add({ name: "a", secret: FAKE_KEY, validate: false });
  upstream = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => answer(req, res, body));
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  token = (await createToken(vault, { name: "unit" })).token;
  gateway = await startGateway({
    app: { metering: meteringFor(vault) },
    port: 0,
    upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
  });
});

const upstreamUrl = () => `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

afterAll(async () => {
  await gateway?.close({ graceMs: 100 });
  upstream?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: object, headers: Record<string, string> = {}) =>
  fetch(`${gateway.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": token, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

/** Events as another process sees them: through a second connection to the same file. */
async function eventsFromOutside() {
  const other = await openStore({ path: join(dir, "apikey.db") });
  try {
    return await other.usage.list();
  } finally {
    await other.close();
  }
}

describe("usage is committed before the response completes", () => {
  it.each([
    ["JSON", { stream: false }, "req_up_json"],
    ["SSE", { stream: true }, "req_up_stream"],
  ])(
    "%s: a client that has read the whole response finds its event stored",
    async (_kind, extra, requestId) => {
      const before = (await eventsFromOutside()).length;
      const res = await post({ model: "m", ...extra });
      await res.text();
      const events = await eventsFromOutside();
      expect(events.length - before).toBe(1);
      expect(events[0]).toMatchObject({ requestId, inputTokens: 11, outputTokens: 5, front: "gateway" });
      expect(seenAuth.at(-1)).toBe(FAKE_KEY);
    },
  );
});

it("SSE: a client that has seen message_stop finds the event stored, before the stream itself ends", async () => {
  const before = (await eventsFromOutside()).length;
  const res = await post({ model: "m", stream: true }, { "x-test-end-delay": "1500" });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let seen = "";
  while (!seen.includes("event: message_stop")) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += Buffer.from(value).toString("utf8");
  }
  expect((await eventsFromOutside()).length - before).toBe(1);
  await reader.cancel();
});

describe("gateway tokens", () => {
  it("are stored only as a keyed hash, audited, and a rotation made elsewhere replaces the value at once", async () => {
    const { token: rotating } = await createToken(vault, { name: "rotating" });
    expect((await post({ model: "m" }, { "x-api-key": rotating })).status).toBe(200);
    for (const file of ["apikey.db", "apikey.db-wal"].map((f) => join(dir, f)).filter(existsSync))
      for (const t of [token, rotating])
        expect(readFileSync(file).includes(Buffer.from(t.slice(7)))).toBe(false);
    // Another connection (as another process would): its commit moves data_version.
    const other = await openStore({ path: join(dir, "apikey.db") });
    const elsewhere = new Vault({ store: other, config: vault.config, actor: "test:other", front: "api" });
    try {
      const { token: rotated } = await rotateToken(elsewhere, "rotating");
      expect((await post({ model: "m" }, { "x-api-key": rotating })).status).toBe(401);
      expect((await post({ model: "m" }, { "x-api-key": rotated })).status).toBe(200);
      await revokeToken(elsewhere, "rotating");
      const refused = await post({ model: "m" }, { "x-api-key": rotated });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({
        type: "error",
        error: { type: "authentication_error", message: expect.stringContaining("revoked") },
      });
    } finally {
      await other.close();
    }
    const actions = (await store.audit.list()).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(["gateway.token.create", "gateway.token.rotate", "gateway.token.revoke"]),
    );
    expect(JSON.stringify(await store.audit.list())).not.toContain(token.slice(7));
  });

  it("adopt a store's single pre-0004 token as `default`: the same value keeps working, and is then only hashed", async () => {
    const legacy = "apk-gw-LEGACY_TEST_TOKEN_0123456789abcdefghijklmnopq";
    const sealed = seal(await vault.unlock(), Buffer.from(legacy), "apikey:secret:v1:gateway-token");
    await store.secrets.put({ name: "gateway-token", ...sealed, updatedAt: new Date() });
    const other = await startGateway({
      app: { metering: meteringFor(vault) },
      port: 0,
      upstream: upstreamUrl(),
    });
    try {
      const res = await fetch(`${other.url}/v1/models`, { headers: { "x-api-key": legacy } });
      expect(res.status).toBe(200);
    } finally {
      await other.close({ graceMs: 100 });
    }
    expect(await store.secrets.get("gateway-token")).toBeNull();
    expect(await store.tokens.byName("default")).toMatchObject({ profile: null, revokedAt: null });
    for (const file of ["apikey.db", "apikey.db-wal"].map((f) => join(dir, f)).filter(existsSync))
      expect(readFileSync(file).includes(Buffer.from(legacy.slice(7)))).toBe(false);
  });

  it("records the token on each usage event", async () => {
    await (await post({ model: "m" })).text();
    const [event] = await eventsFromOutside();
    const unit = await store.tokens.byName("unit");
    expect(event?.tokenId).toBe(unit?.id);
    expect(unit?.lastUsedAt).not.toBeNull();
  });
});

describe("last-used times", () => {
  it("are written at most once a minute per key and token, so busy commits do not rewrite the same rows", async () => {
    let clock = Date.parse("2031-01-01T00:00:00Z");
    const other = await startGateway({
      app: { metering: meteringFor(vault) },
      port: 0,
      upstream: upstreamUrl(),
      now: () => new Date(clock),
    });
    const lastUsed = async () => {
      const key = (await store.keys.list()).find((k) => k.name === "a");
      const unit = await store.tokens.byName("unit");
      return [key?.lastUsedAt?.getTime(), unit?.lastUsedAt?.getTime()];
    };
    const ask = async () => {
      const res = await fetch(`${other.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": token, "content-type": "application/json" },
        body: JSON.stringify({ model: "m" }),
      });
      expect(res.status).toBe(200);
      await res.text();
    };
    try {
      const first = clock;
      await ask();
      expect(await lastUsed()).toEqual([first, first]);
      clock += 30_000;
      await ask();
      expect(await lastUsed()).toEqual([first, first]);
      clock += 31_000;
      await ask();
      expect(await lastUsed()).toEqual([clock, clock]);
    } finally {
      await other.close({ graceMs: 100 });
    }
  });
});

describe("shutdown", () => {
  it("lets an in-flight stream finish, then refuses new connections", async () => {
    const other = await startGateway({
      app: { metering: meteringFor(vault) },
      port: 0,
      upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    });
    const res = await fetch(`${other.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": token, "x-test-delay": "300" },
      body: JSON.stringify({ model: "m", stream: true }),
    });
    const closing = other.close({ graceMs: 5000 });
    const text = await res.text();
    expect(text).toContain("message_stop");
    await closing;
    await expect(fetch(`${other.url}/v1/models`)).rejects.toThrow();
  });
});

describe("item 7: the Host header", () => {
  const raw = (host: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: gateway.port,
          path: "/v1/models",
          headers: { host, "x-api-key": token },
          setHost: false,
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });

  it("item 7: a request naming another host is refused with 403 before the token check", async () => {
    expect(await raw(`evil.example:${gateway.port}`)).toBe(403);
    expect(await raw(`localhost:${gateway.port}`)).toBe(200);
  });
});

describe("item 7: upstream timeouts", () => {
  it("item 7: a TLS handshake that never completes ends in a 504 timeout_error after the connect timeout", async () => {
    // Accepts TCP connections and never says a word: the https client waits for the server's TLS hello.
    const mute = createNetServer(() => {});
    await new Promise<void>((r) => mute.listen(0, "127.0.0.1", r));
    const other = await startGateway({
      app: { metering: meteringFor(vault) },
      port: 0,
      upstream: `https://127.0.0.1:${(mute.address() as AddressInfo).port}`,
      timeouts: { connectMs: 300, silenceMs: 60_000 },
    });
    try {
      const res = await fetch(`${other.url}/v1/models`, { headers: { "x-api-key": token } });
      expect(res.status).toBe(504);
      expect(await res.json()).toMatchObject({
        type: "error",
        error: { type: "timeout_error", message: expect.stringContaining("connect") },
      });
    } finally {
      await other.close({ graceMs: 100 });
      mute.close();
    }
  });
});
