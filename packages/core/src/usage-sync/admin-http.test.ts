import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { fakeAdminKey } from "../test-keys.ts";
import { adminGet } from "./admin-http.ts";

const FAKE_ADMIN_KEY = fakeAdminKey("ADMIN_HTTP");
const Answer = z.object({ ok: z.boolean() });

// The Admin API client against real servers on 127.0.0.1 that stall or fail in the ways a network does.

let server: Server | undefined;
const sockets = new Set<import("node:net").Socket>();
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

const get = (baseUrl: string, over: { timeoutMs?: number; sleeps?: number[] } = {}) =>
  adminGet(
    {
      baseUrl,
      adminSecret: FAKE_ADMIN_KEY,
      timeoutMs: over.timeoutMs ?? 300,
      sleep: async (ms) => void over.sleeps?.push(ms),
    },
    "/v1/organizations/usage_report/messages",
    [],
    Answer,
  );

describe("issue 24: Admin API timeouts are reported as timeouts", () => {
  it("no answer at all: E_UPSTREAM_FAILED, reason timeout, saying after how long", async () => {
    const url = await serve(() => {});
    const err = await get(url, { timeoutMs: 1500 }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "E_UPSTREAM_FAILED",
      details: { reason: "timeout", timeoutSeconds: 1.5 },
    });
    expect(String((err as Error).message)).toMatch(/did not answer .* within 1\.5 s/);
    expect((err as { hint?: string }).hint).toMatch(/APIKEY_VALIDATE_TIMEOUT_MS/);
    expect(JSON.stringify(err)).not.toContain(FAKE_ADMIN_KEY);
  });

  it("headers sent, then the body stalls: a timeout too, not a bad answer", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"ok":');
    });
    await expect(get(url)).rejects.toMatchObject({
      code: "E_UPSTREAM_FAILED",
      details: { reason: "timeout" },
    });
  });
});

describe("issue 24: a failed connection is tried again, a bounded number of times, with a growing pause", () => {
  it("a dropped connection, then an answer: the answer, after one pause", async () => {
    let n = 0;
    const url = await serve((req, res) => {
      n += 1;
      if (n === 1) return void req.socket.destroy();
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
    const sleeps: number[] = [];
    await expect(get(url, { sleeps })).resolves.toEqual({ ok: true });
    expect(n).toBe(2);
    expect(sleeps).toEqual([500]);
  });

  it("connections that keep failing: four attempts, pauses doubling, then unreachable with the count", async () => {
    let n = 0;
    const url = await serve((req) => {
      n += 1;
      req.socket.destroy();
    });
    const sleeps: number[] = [];
    const err = await get(url, { sleeps }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "E_UPSTREAM_FAILED", details: { reason: "unreachable", attempts: 4 } });
    expect(n).toBe(4);
    expect(sleeps).toEqual([500, 1000, 2000]);
  });

  it("a 429 without retry-after waits the same growing pause; with one, as it says", async () => {
    let n = 0;
    const url = await serve((_req, res) => {
      n += 1;
      if (n === 1) res.writeHead(429, { "content-type": "application/json" });
      else if (n === 2) res.writeHead(429, { "content-type": "application/json", "retry-after": "7" });
      else res.writeHead(200, { "content-type": "application/json" });
      res.end(n <= 2 ? '{"type":"error","error":{"type":"rate_limit_error"}}' : '{"ok":true}');
    });
    const sleeps: number[] = [];
    await expect(get(url, { sleeps })).resolves.toEqual({ ok: true });
    expect(sleeps).toEqual([500, 7000]);
  });
});
