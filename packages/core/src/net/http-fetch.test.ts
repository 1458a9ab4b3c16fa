import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfSignedCertificate } from "../testing/self-signed.ts";
import { httpFetch } from "./http-fetch.ts";

// core's transport against Node's own fetch, on one real server: what a caller can observe must be the same (status,
// headers, body, how each failure rejects), except where http-fetch.ts says it differs on purpose (redirects are
// never followed; only string, URLSearchParams and byte bodies are sent).

type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;
const both: Array<[string, Fetch]> = [
  ["fetch", (input, init) => fetch(input, init)],
  ["httpFetch", httpFetch],
];

const BIG = Buffer.alloc(1 << 20, "0123456789abcdef");
const received: Array<{ method: string; url: string; headers: IncomingMessage["headers"]; body: string }> =
  [];

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
  const status = /^\/status\/(\d+)$/.exec(path);
  if (status) {
    res.writeHead(Number(status[1]), { "content-type": "text/plain" });
    res.end(`status ${status[1]}`);
    return;
  }
  switch (path) {
    case "/json":
      res.writeHead(200, { "content-type": "application/json", "request-id": "req_FAKE_TEST" });
      res.end(JSON.stringify({ ok: true, text: "héllo ✓" }));
      return;
    case "/multi":
      res.setHeader("set-cookie", ["a=1; Path=/", "b=2; Path=/"]);
      res.setHeader("x-multi", ["one", "two"]);
      res.setHeader("X-Mixed-Case", "Value");
      res.end("multi");
      return;
    case "/gzip":
      res.writeHead(200, { "content-encoding": "gzip", "content-type": "text/plain" });
      res.end(gzipSync("compressed with gzip, although nobody asked"));
      return;
    case "/br":
      res.writeHead(200, { "content-encoding": "br", "content-type": "text/plain" });
      res.end(brotliCompressSync("compressed with brotli"));
      return;
    case "/big": {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      // In pieces, so the body arrives in many chunks.
      for (let at = 0; at < BIG.length; at += 64 << 10) res.write(BIG.subarray(at, at + (64 << 10)));
      res.end();
      return;
    }
    case "/echo":
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ method: req.method, headers: req.headers, body }));
      return;
    case "/redirect":
      res.writeHead(302, { location: "/json" });
      res.end();
      return;
    case "/hang-headers":
      return; // never answers
    case "/hang-body":
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("a first part, then nothing");
      return;
    case "/cut":
      res.writeHead(200, { "content-type": "text/plain", "content-length": "100" });
      res.write("ten bytes!");
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    default:
      res.writeHead(404);
      res.end();
  }
}

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => route(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** What a caller can observe of an answer. */
async function observed(res: Response) {
  return {
    isResponse: res instanceof Response,
    status: res.status,
    statusText: res.statusText,
    ok: res.ok,
    url: res.url,
    contentType: res.headers.get("content-type"),
    multi: res.headers.get("x-multi"),
    mixed: res.headers.get("x-mixed-case"),
    cookies: res.headers.getSetCookie(),
    body: res.body === null ? null : Buffer.from(await res.arrayBuffer()).toString("base64"),
  };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("httpFetch answers as fetch does", () => {
  it.each([
    "/json",
    "/multi",
    "/gzip",
    "/br",
    "/big",
    "/status/204",
    "/status/304",
    "/status/404",
    "/status/500",
  ])("GET %s: the same status, headers and body", async (path) => {
    const [a, b] = await Promise.all(both.map(([, f]) => f(`${base}${path}`).then(observed)));
    expect(b).toEqual(a);
    expect(b?.isResponse).toBe(true);
  });

  it("HEAD: no body, the same status and headers", async () => {
    const [a, b] = await Promise.all(
      both.map(([, f]) => f(`${base}/json`, { method: "HEAD" }).then(observed)),
    );
    expect(b).toEqual(a);
    expect(b?.body).toBeNull();
  });

  it.each<[string, RequestInit]>([
    ["a string", { method: "POST", body: '{"a":1}', headers: { "content-type": "application/json" } }],
    ["a string, no content-type", { method: "POST", body: "plain" }],
    [
      "URLSearchParams",
      { method: "POST", body: new URLSearchParams({ grant_type: "refresh_token", x: "é &" }) },
    ],
    ["bytes", { method: "PUT", body: new Uint8Array([0, 1, 2, 255]) }],
    ["no body", { method: "POST" }],
    [
      "a lower-case method and a Headers object",
      { method: "post", body: "x", headers: new Headers({ "X-A": "1" }) },
    ],
  ])("sends %s as fetch sends it: method, body, content-type, content-length", async (_, init) => {
    const [a, b] = await Promise.all(
      both.map(async ([, f]) => {
        const echo = (await (await f(`${base}/echo`, init)).json()) as {
          method: string;
          body: string;
          headers: Record<string, string>;
        };
        // What fetch adds that core's transport does not: it asks for no compression (and still decodes it).
        const {
          "accept-encoding": _,
          "accept-language": __,
          "sec-fetch-mode": ___,
          ...headers
        } = echo.headers;
        return { method: echo.method, body: echo.body, headers };
      }),
    );
    expect(b).toEqual(a);
    expect(Object.keys(b?.headers ?? {})).toContain("user-agent");
  });

  it.each([
    ["a CR LF in a value", { "x-test": "a\r\nx-injected: 1" }],
    ["a LF in a value", { "x-test": "a\nb" }],
    ["a space in a name", { "x test": "a" }],
    ["a non-Latin-1 value", { "x-test": "✓" }],
  ])("refuses %s before anything is sent, as fetch does", async (_, headers) => {
    const before = received.length;
    for (const [, f] of both)
      expect(await rejection(f(`${base}/echo`, { headers }))).toBeInstanceOf(TypeError);
    expect(received.length).toBe(before);
  });

  it("an abort before sending: the signal's reason, nothing sent", async () => {
    const before = received.length;
    const reason = new Error("FAKE_TEST reason");
    for (const [, f] of both)
      expect(await rejection(f(`${base}/json`, { signal: AbortSignal.abort(reason) }))).toBe(reason);
    expect(received.length).toBe(before);
  });

  it("a timeout while waiting for the answer rejects with TimeoutError", async () => {
    for (const [, f] of both) {
      const err = await rejection(f(`${base}/hang-headers`, { signal: AbortSignal.timeout(150) }));
      expect((err as Error).name).toBe("TimeoutError");
    }
  });

  it("a timeout while the body stalls errs the body with TimeoutError", async () => {
    for (const [, f] of both) {
      const res = await f(`${base}/hang-body`, { signal: AbortSignal.timeout(300) });
      expect(res.status).toBe(200);
      expect(((await rejection(res.text())) as Error).name).toBe("TimeoutError");
    }
  });

  it("a connection closed mid-body errs the body with a TypeError", async () => {
    for (const [, f] of both) {
      const res = await f(`${base}/cut`);
      expect(await rejection(res.text())).toBeInstanceOf(TypeError);
    }
  });

  it("nothing listening: TypeError 'fetch failed' with the system error as cause", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    for (const [, f] of both) {
      const err = (await rejection(f(`http://127.0.0.1:${port}/`))) as TypeError & {
        cause: { code: string };
      };
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toBe("fetch failed");
      expect(err.cause.code).toBe("ECONNREFUSED");
    }
  });

  it("redirect 'error' rejects a 3xx, as fetch does", async () => {
    for (const [, f] of both)
      expect(await rejection(f(`${base}/redirect`, { redirect: "error" }))).toBeInstanceOf(TypeError);
  });

  it("https to a certificate nothing trusts is refused, as fetch refuses it", async () => {
    let hits = 0;
    const secure = https.createServer(selfSignedCertificate(), (_req, res) => {
      hits++;
      res.end("should not be reached");
    });
    await new Promise<void>((resolve) => secure.listen(0, "127.0.0.1", resolve));
    try {
      const url = `https://127.0.0.1:${(secure.address() as AddressInfo).port}/`;
      for (const [, f] of both) {
        const err = (await rejection(
          f(url, { headers: { "x-api-key": "sk-ant-api03-FAKE_TEST" } }),
        )) as TypeError & {
          cause: { code: string };
        };
        expect(err.message).toBe("fetch failed");
        expect(err.cause.code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
      }
      expect(hits).toBe(0);
    } finally {
      secure.closeAllConnections();
      await new Promise((resolve) => secure.close(resolve));
    }
  });
});

describe("httpFetch differs from fetch on purpose", () => {
  it("never follows a redirect: the 3xx comes back, and the key is not sent to its target", async () => {
    const before = received.length;
    const res = await httpFetch(`${base}/redirect`, { headers: { "x-api-key": "sk-ant-api03-FAKE_TEST" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/json");
    expect(received.slice(before).map((r) => r.url)).toEqual(["/redirect"]);
    // fetch follows it, and sends the same x-api-key to the target.
    const followed = received.length;
    await (await fetch(`${base}/redirect`, { headers: { "x-api-key": "sk-ant-api03-FAKE_TEST" } })).text();
    expect(received.slice(followed).map((r) => [r.url, r.headers["x-api-key"]])).toEqual([
      ["/redirect", "sk-ant-api03-FAKE_TEST"],
      ["/json", "sk-ant-api03-FAKE_TEST"],
    ]);
  });

  it.each<[string, RequestInit]>([
    ["a stream", { method: "POST", body: new Blob(["x"]).stream(), duplex: "half" } as RequestInit],
    ["a form", { method: "POST", body: new FormData() }],
    ["a Blob", { method: "POST", body: new Blob(["x"]) }],
  ])("refuses %s as a body, and sends nothing", async (_, init) => {
    const before = received.length;
    expect(await rejection(httpFetch(`${base}/echo`, init))).toBeInstanceOf(TypeError);
    expect(received.length).toBe(before);
  });

  it("refuses a Request as input, and anything but http and https", async () => {
    expect(await rejection(httpFetch(new Request(`${base}/json`)))).toBeInstanceOf(TypeError);
    expect(await rejection(httpFetch("file:///etc/passwd"))).toBeInstanceOf(TypeError);
    expect(await rejection(httpFetch("ftp://127.0.0.1/"))).toBeInstanceOf(TypeError);
  });
});
