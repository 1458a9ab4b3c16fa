import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { fakeAdminKey } from "../test-keys.ts";
import { centsToUsd, costWindow, fetchDailyCost } from "./cost-report.ts";

const FAKE_ADMIN_KEY = fakeAdminKey("COST_REPORT");

describe("issue 24: the cost report's amounts, cents as decimal strings, parsed strictly", () => {
  it("reads plain decimals of cents as USD", () => {
    expect(centsToUsd("123.45")).toBeCloseTo(1.2345, 10);
    expect(centsToUsd("0")).toBe(0);
    expect(centsToUsd("7")).toBe(0.07);
    expect(centsToUsd("-250.5")).toBeCloseTo(-2.505, 10);
    expect(centsToUsd("0.000300")).toBeCloseTo(0.000003, 12);
  });

  it.each([
    "1e3",
    "1E-2",
    "+5",
    " 5",
    "5 ",
    "5.",
    ".5",
    "0x10",
    "1,000.00",
    "NaN",
    "Infinity",
    "",
    "01.5",
    "--1",
    "1_000",
    "١٢",
  ])("refuses %j with a coded error", (amount) => {
    expect(() => centsToUsd(amount)).toThrow(expect.objectContaining({ code: "E_UPSTREAM_FAILED" }));
  });
});

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(pages: unknown[]): Promise<{ url: string; seen: URLSearchParams[] }> {
  const seen: URLSearchParams[] = [];
  server = createServer((req, res) => {
    seen.push(new URL(req.url ?? "/", "http://x").searchParams);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(pages.shift() ?? {}));
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const day = (d: number) => ({
  starting_at: `2026-12-0${d}T00:00:00Z`,
  ending_at: `2026-12-0${d + 1}T00:00:00Z`,
});
const result = (amount: string, over: Record<string, unknown> = {}) => ({
  currency: "USD",
  amount,
  workspace_id: null,
  description: null,
  ...over,
});

describe("issue 24: the cost report fetched page by page", () => {
  const window = { from: new Date("2026-12-01T00:00:00Z"), until: new Date("2026-12-04T00:00:00Z") };
  const http = (baseUrl: string) => ({ baseUrl, adminSecret: FAKE_ADMIN_KEY, timeoutMs: 5000 });

  it("follows next_page and sums each day's results", async () => {
    const { url, seen } = await serve([
      { data: [{ ...day(1), results: [result("100"), result("50.5")] }], has_more: true, next_page: "p2" },
      {
        data: [
          { ...day(2), results: [] },
          { ...day(3), results: [result("1")] },
        ],
        has_more: false,
        next_page: null,
      },
    ]);
    const days = await fetchDailyCost(http(url), window);
    expect([...days]).toEqual([
      ["2026-12-01", 1.505],
      ["2026-12-02", 0],
      ["2026-12-03", 0.01],
    ]);
    expect(seen[0]?.get("bucket_width")).toBe("1d");
    expect(seen[0]?.get("starting_at")).toBe("2026-12-01T00:00:00.000Z");
    expect(seen[1]?.get("page")).toBe("p2");
  });

  it("refuses an amount in exponent notation, or another currency", async () => {
    const a = await serve([
      { data: [{ ...day(1), results: [result("1e2")] }], has_more: false, next_page: null },
    ]);
    await expect(fetchDailyCost(http(a.url), window)).rejects.toMatchObject({ code: "E_UPSTREAM_FAILED" });
    await new Promise<void>((r) => server?.close(() => r()));
    const b = await serve([
      {
        data: [{ ...day(1), results: [result("1", { currency: "EUR" })] }],
        has_more: false,
        next_page: null,
      },
    ]);
    await expect(fetchDailyCost(http(b.url), window)).rejects.toMatchObject({ code: "E_UPSTREAM_FAILED" });
  });

  it("covers whole UTC days up to the end of today", () => {
    const w = costWindow(new Date("2026-12-01T13:30:00Z"), new Date("2026-12-05T08:00:00Z"));
    expect(w).toEqual({ from: new Date("2026-12-01T00:00:00Z"), until: new Date("2026-12-06T00:00:00Z") });
  });
});
