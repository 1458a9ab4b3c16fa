import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { isApikeyError } from "../errors.ts";
import { fakeAdminKey } from "../test-keys.ts";
import { reportPages } from "./report-client.ts";

const FAKE_ADMIN_KEY = fakeAdminKey("USAGE_CLIENT");

// The client against a real HTTP server on 127.0.0.1 that answers exactly what each test scripts: the pages a
// well-behaved API sends are followed, the ones that would mislead a sync are refused with a coded error.

type Answer = { status: number; body: unknown; headers?: Record<string, string> };
let server: Server | undefined;
const seen: URLSearchParams[] = [];

async function serve(answers: Answer[]): Promise<string> {
  seen.length = 0;
  server = createServer((req, res) => {
    seen.push(new URL(req.url ?? "/", "http://x").searchParams);
    const a = answers.shift() ?? { status: 500, body: {} };
    res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
    res.end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

const H = (n: number) => new Date(Date.UTC(2026, 11, 1, n)).toISOString().replace(".000Z", "Z");
const bucket = (n: number) => ({ starting_at: H(n), ending_at: H(n + 1), results: [] });
const window = { width: "1h" as const, from: new Date(H(0)), until: new Date(H(5)) };

async function pages(baseUrl: string, sleeps: number[] = []) {
  const http = {
    baseUrl,
    adminSecret: FAKE_ADMIN_KEY,
    timeoutMs: 5000,
    sleep: async (ms: number) => void sleeps.push(ms),
  };
  const out = [];
  for await (const p of reportPages(http, window))
    out.push([p.from.toISOString(), p.until.toISOString(), p.buckets.length]);
  return out;
}

async function refusal(promise: Promise<unknown>) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isApikeyError(err, "E_UPSTREAM_FAILED"), String(err)).toBe(true);
  expect(String((err as Error).message)).not.toContain(FAKE_ADMIN_KEY.slice(15, 40));
  return err as { details: Record<string, unknown> };
}

describe("issue 24: the usage report client", () => {
  it("follows next_page, and each page settles the range up to its last bucket (the last page, the window's end)", async () => {
    const url = await serve([
      { status: 200, body: { data: [bucket(0), bucket(1)], has_more: true, next_page: "page_A" } },
      { status: 200, body: { data: [bucket(2)], has_more: false, next_page: null } },
    ]);
    expect(await pages(url)).toEqual([
      [H(0).replace("Z", ".000Z"), H(2).replace("Z", ".000Z"), 2],
      [H(2).replace("Z", ".000Z"), H(5).replace("Z", ".000Z"), 1],
    ]);
    expect(seen[0]?.getAll("group_by[]")).toEqual(["api_key_id", "model"]);
    expect(seen[0]?.get("limit")).toBe("168");
    expect(seen[1]?.get("page")).toBe("page_A");
  });

  it("refuses pages that would make a sync replace the wrong range or loop", async () => {
    const cases: unknown[] = [
      { data: [], has_more: true, next_page: "page_B" },
      { data: [bucket(7)], has_more: false, next_page: null },
      { data: [bucket(1), bucket(0)], has_more: false, next_page: null },
      { data: [{ starting_at: H(0), ending_at: H(2), results: [] }], has_more: false, next_page: null },
      { data: [bucket(0)], has_more: "yes", next_page: null },
    ];
    for (const body of cases) {
      const url = await serve([{ status: 200, body }]);
      await refusal(pages(url));
      await new Promise<void>((r) => server?.close(() => r()));
      server = undefined;
    }
  });

  it("waits out 429s as retry-after says, then gives up after three with a coded, secret-free error", async () => {
    const limited = {
      status: 429,
      body: { type: "error", error: { type: "rate_limit_error", message: "slow" } },
    };
    const ok = { status: 200, body: { data: [bucket(0)], has_more: false, next_page: null } };
    const sleeps: number[] = [];
    let url = await serve([{ ...limited, headers: { "retry-after": "2" } }, ok]);
    expect(await pages(url, sleeps)).toHaveLength(1);
    expect(sleeps).toEqual([2000]);
    await new Promise<void>((r) => server?.close(() => r()));
    url = await serve(Array.from({ length: 4 }, () => ({ ...limited, headers: { "retry-after": "1" } })));
    const err = await refusal(pages(url));
    expect(err.details).toMatchObject({ status: 429, reason: "rate_limited" });
    expect(seen).toHaveLength(4);
  });
});
