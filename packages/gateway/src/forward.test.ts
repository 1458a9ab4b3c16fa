import http, { type IncomingMessage, type Server, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { UsageInput } from "@apikey/core";
import { selfSignedCertificate } from "@apikey/core/testing";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Grant } from "./admission.ts";
import { type ForwardOutcome, forward } from "./forward.ts";
import { requestHeadersForUpstream } from "./headers.ts";
import type { UsageRecorder } from "./recorder.ts";
import { type Upstream, upstreamFor } from "./upstream.ts";

// forward() between two real sockets: a client on one side, an upstream server on 127.0.0.1 on the other
// (plain http, and https with a certificate made for the test). The recorder is a stand-in that keeps what it is
// given and can hold a commit open, so the tests can see what waits for it.

const FAKE_KEY = `sk-ant-api03-${"FAKE_TEST_FORWARD_UNIT_".padEnd(93, "x")}AA`;
const GRANT: Grant = {
  key: { keyId: "key_1", name: "a", kind: "api", secret: FAKE_KEY, budgetUsd: null, blockOverBudget: false },
  token: {
    id: "tok_1",
    name: "unit",
    profile: null,
    models: null,
    budgetUsd: null,
    blockOverBudget: false,
    expiresAt: null,
    revoked: false,
  },
  warning: null,
  hold: null,
};
const sse = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const START = sse("message_start", {
  message: { model: "claude-haiku-4-5", usage: { input_tokens: 7, output_tokens: 1 } },
});
const STOP = sse("message_delta", { delta: {}, usage: { output_tokens: 3 } }) + sse("message_stop", {});

let tls: { key: Buffer; cert: Buffer };
const closers: Array<() => unknown> = [];

beforeAll(() => {
  tls = selfSignedCertificate();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  return (server.address() as AddressInfo).port;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function upstreamServer(handler: Handler, secure = false): Promise<string> {
  const server = secure ? https.createServer(tls, handler) : http.createServer(handler);
  const port = await listen(server);
  return `${secure ? "https" : "http"}://127.0.0.1:${port}`;
}

interface Recorder extends UsageRecorder {
  inputs: UsageInput[];
  /** Called when a commit starts; the commit ends when `release` is called (at once unless held). */
  onRecord: (release: () => void) => void;
}

function recorder(): Recorder {
  const r: Recorder = {
    inputs: [],
    onRecord: (release) => release(),
    record(input) {
      r.inputs.push(input);
      return new Promise((resolve) =>
        r.onRecord(() =>
          resolve({ ...input, at: new Date(), costUsd: 0, tokenId: input.tokenId ?? null } as never),
        ),
      );
    },
    idle: async () => {},
    close: async () => {},
  };
  return r;
}

/** A gateway stand-in: forwards every request as the real one does after admission. */
async function through(
  baseUrl: string,
  rec: Recorder,
  options: { ca?: Buffer; silenceMs?: number } = {},
): Promise<{ url: string; outcomes: ForwardOutcome[]; upstream: Upstream }> {
  const upstream = await upstreamFor(
    baseUrl,
    false,
    { connectMs: 2000, silenceMs: options.silenceMs ?? 10_000 },
    options.ca ? { ca: options.ca } : {},
  );
  closers.push(() => upstream.close());
  const outcomes: ForwardOutcome[] = [];
  const server = http.createServer((req, res) => {
    const headers = requestHeadersForUpstream(req.headers, upstream.host);
    headers["x-api-key"] = FAKE_KEY;
    const ctx = {
      upstream,
      recorder: rec,
      onRecorded: () => {},
      onWarning: () => {},
      closing: () => false,
    };
    void forward({ req, res, headers, body: null, grant: GRANT, target: req.url ?? "/" }, ctx).then((o) =>
      outcomes.push(o),
    );
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, outcomes, upstream };
}

function until(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => (check() ? resolve() : setTimeout(poll, 5));
    poll();
  });
}

describe("the upstream connection", () => {
  it("https with a base path: TLS verified against the CA, the path prefixed, Host the upstream's", async () => {
    const seen: Array<{ url?: string; host?: string; key?: string }> = [];
    const base = await upstreamServer((req, res) => {
      seen.push({ url: req.url, host: req.headers.host, key: req.headers["x-api-key"] as string });
      res.writeHead(200, { "content-type": "application/json" }).end('{"data":[]}');
    }, true);
    const trusted = await through(`${base}/base/`, recorder(), { ca: tls.cert });
    const res = await fetch(`${trusted.url}/v1/models?limit=2`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"data":[]}');
    expect(seen).toEqual([{ url: "/base/v1/models?limit=2", host: new URL(base).host, key: FAKE_KEY }]);

    // Without the CA the certificate is not trusted: the request is refused, nothing reaches the upstream.
    const untrusted = await through(base, recorder());
    const refused = await fetch(`${untrusted.url}/v1/models`);
    expect(refused.status).toBe(502);
    expect(await refused.json()).toMatchObject({ type: "error", error: { type: "api_error" } });
    expect(seen).toHaveLength(1);
  });

  it("a request body streams through: the upstream reads its start before the client has sent the rest", async () => {
    let received = "";
    const base = await upstreamServer((req, res) => {
      req.setEncoding("utf8");
      req.on("data", (c: string) => {
        received += c;
      });
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    });
    const gw = await through(base, recorder());
    const answered = new Promise<number>((resolve, reject) => {
      const req = http.request(`${gw.url}/v1/messages`, { method: "POST" }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.write('{"model":"m","first":"half"');
      void until(() => received.includes("first")).then(() => req.end(',"second":"half"}'));
    });
    expect(await answered).toBe(200);
    expect(received).toBe('{"model":"m","first":"half","second":"half"}');
  });

  it("a client's Expect: 100-continue is answered here and not forwarded", async () => {
    const expects: Array<string | undefined> = [];
    const base = await upstreamServer((req, res) => {
      expects.push(req.headers.expect);
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    });
    const gw = await through(base, recorder());
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${gw.url}/v1/messages`, {
        method: "POST",
        headers: { expect: "100-continue", "content-length": "2" },
      });
      req.on("continue", () => req.end("{}"));
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
    });
    expect(status).toBe(200);
    expect(expects).toEqual([undefined]);
  });
});

describe("streams", () => {
  it("the final chunk waits for the usage commit; everything before it does not", async () => {
    const base = await upstreamServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(START);
      setTimeout(() => res.end(STOP), 20);
    });
    const rec = recorder();
    let release: (() => void) | null = null;
    rec.onRecord = (r) => {
      release = r;
    };
    const gw = await through(base, rec);
    const res = await fetch(`${gw.url}/v1/messages`, { method: "POST", body: "{}" });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let seen = "";
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        seen += Buffer.from(value).toString("utf8");
      }
    })();
    await until(() => release !== null);
    // The commit is open: the client has the start of the stream, and not the bytes that complete it.
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toContain("message_start");
    expect(seen).not.toContain("message_stop");
    (release as unknown as () => void)();
    await reading;
    expect(seen).toContain("message_stop");
    expect(rec.inputs).toMatchObject([{ keyId: "key_1", tokenId: "tok_1", inputTokens: 7, outputTokens: 3 }]);
  });

  it("issue 25: a stream's first chunk goes out before its usage is read, yet counts; a whole stream in one is held", async () => {
    const oneChunk = await upstreamServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" }).end(START + STOP);
    });
    const rec = recorder();
    let release: (() => void) | null = null;
    rec.onRecord = (r) => {
      release = r;
    };
    const gw = await through(oneChunk, rec);
    let seen = "";
    const answered = fetch(`${gw.url}/v1/messages`, { method: "POST", body: "{}" }).then(async (res) => {
      seen = await res.text();
    });
    await until(() => release !== null);
    // The first chunk completes the stream: held like any completing chunk until the commit.
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toBe("");
    (release as unknown as () => void)();
    await answered;
    expect(seen).toBe(START + STOP);
    expect(rec.inputs).toMatchObject([{ inputTokens: 7, outputTokens: 3 }]);

    // A first chunk that cannot end the stream is written first, then read: its input tokens are counted.
    const split = await upstreamServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(START);
      setTimeout(() => res.end(STOP), 20);
    });
    const rec2 = recorder();
    const gw2 = await through(split, rec2);
    const res = await fetch(`${gw2.url}/v1/messages`, { method: "POST", body: "{}" });
    expect(await res.text()).toBe(START + STOP);
    expect(rec2.inputs).toMatchObject([{ keyId: "key_1", inputTokens: 7, outputTokens: 3 }]);
  });

  it("a slow client pauses upstream reading, and a pause longer than the silence timeout is not silence", async () => {
    const chunk = sse("content_block_delta", { delta: { type: "text_delta", text: "x".repeat(16 * 1024) } });
    const total = 32 << 20;
    let written = 0;
    let blocked = false;
    const base = await upstreamServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(START);
      const more = () => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) {
            blocked = true;
            return res.once("drain", more);
          }
        }
        res.end(STOP);
      };
      more();
    });
    const gw = await through(base, recorder(), { silenceMs: 200 });
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${gw.url}/v1/messages`, { method: "POST" }, (res) => {
        // Read nothing for well over the silence timeout: the gateway stops reading the upstream meanwhile.
        res.pause();
        void until(() => blocked)
          .then(() => new Promise((r) => setTimeout(r, 600)))
          .then(() => {
            // Backpressure reached the upstream: what it wrote is a fraction of the stream, not all of it.
            expect(written).toBeLessThan(total / 2);
            const parts: Buffer[] = [];
            res.on("data", (c: Buffer) => parts.push(c));
            res.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
            res.resume();
          });
      });
      req.on("error", reject);
      req.end("{}");
    });
    expect(body.endsWith(sse("message_stop", {}))).toBe(true);
    expect(body).not.toContain("event: error");
    await until(() => gw.outcomes.length === 1);
    expect(gw.outcomes[0]).toMatchObject({ outcome: "ok", status: 200 });
  });

  it("a client that leaves mid-stream aborts the upstream request; the usage reported so far is kept", async () => {
    let upstreamClosed = false;
    const base = await upstreamServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(START);
      res.on("close", () => {
        upstreamClosed = true;
      });
    });
    const rec = recorder();
    const gw = await through(base, rec);
    await new Promise<void>((resolve) => {
      const req = http.request(`${gw.url}/v1/messages`, { method: "POST" }, (res) => {
        res.once("data", () => req.destroy());
      });
      // Destroyed on purpose: its error is the point.
      req.on("error", () => {});
      req.on("close", resolve);
      req.end("{}");
    });
    await until(() => upstreamClosed && gw.outcomes.length === 1);
    expect(gw.outcomes[0]).toMatchObject({ outcome: "client-closed", status: 200 });
    expect(rec.inputs).toMatchObject([{ inputTokens: 7, outputTokens: 1 }]);
  });

  it("an upstream that refuses connections gets the API's error shape with the reason's code", async () => {
    const closed = await upstreamServer(() => {});
    closers.pop()?.();
    const gw = await through(closed, recorder());
    const res = await fetch(`${gw.url}/v1/models`);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({
      type: "error",
      error: { type: "api_error", message: expect.stringContaining("ECONNREFUSED") },
    });
  });
});
