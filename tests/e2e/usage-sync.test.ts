import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { loadConfig, recordUsageMany, type Store, storeFileIn } from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CLI_PATH,
  cliEnv,
  jsonError,
  jsonOut,
  makeHome,
  type RunOptions,
  runCli,
  type TestHome,
} from "../fixtures/cli.ts";
import {
  type FakeAnthropic,
  orgApiKey,
  type SeededUsage,
  startFakeAnthropic,
} from "../fixtures/fake-anthropic.ts";
import { fakeCostCents } from "../fixtures/fake-cost-report.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeAdminKey, fakeApiKey, keyBody } from "../fixtures/keys.ts";

// `apikey usage sync` end to end against the stand-in's usage report: what Anthropic reports per organization key,
// stored beside what apikey recorded, shown side by side; idempotent, resumable after a failed page, patient with
// a 429.
// The syncs and the usage output that shows them are CLI runs; the keys a test starts with are added in process,
// and so are the read-backs that only compare what a sync stored (app.usage.reported: the rows usage --json prints
// under `reported`, without the key's display name).

const ADMIN = fakeAdminKey("USAGE_SYNC");
const GATEWAY = fakeApiKey("USAGE_SYNC_GATEWAY");
const EXEC = fakeApiKey("USAGE_SYNC_EXEC");
const STRANGER = fakeApiKey("USAGE_SYNC_STRANGER");
const SONNET = "claude-sonnet-4-5-20250929";
const HOUR = 3_600_000;

const ORG_KEYS = [orgApiKey("gateway", GATEWAY), orgApiKey("exec", EXEC), orgApiKey("stranger", STRANGER)];
const [GW_ID, EXEC_ID, STRANGER_ID] = ORG_KEYS.map((k) => k.id) as [string, string, string];

interface Side {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}
interface Reported {
  keyId: string | null;
  key: string | null;
  orgKeyIds: string[];
  recorded: Side | null;
  reported: (Side & { webSearchRequests: number }) | null;
  differenceUsd: number;
}
interface SyncOut {
  organizations: Array<{
    org: string;
    pages: number;
    rows: number;
    matchedKeys: number;
    unmatchedKeys: number;
  }>;
}

let fake: FakeAnthropic;
let home: TestHome;

// A stand-in per test: what it reports and the failures it was asked for start empty.
beforeEach(async () => {
  fake = await startFakeAnthropic({ adminKeys: [ADMIN], validKeys: [GATEWAY, EXEC], orgApiKeys: ORG_KEYS });
  home = await makeHome();
  await inProcess(home, async (app) => {
    for (const [name, secret] of [
      ["admin", ADMIN],
      ["gateway", GATEWAY],
      ["exec", EXEC],
    ] as const)
      await app.keys.add({ name, secret, validate: false });
  });
});
afterEach(async () => {
  await fake.close();
  await home.cleanup();
});

const cli = (args: string[]) => runCli(["--json", ...args], { home, baseUrl: fake.url, timeoutMs: 60_000 });
/**
 * A sync's pauses before trying a dropped connection again (0.5 s, doubling) run 50 times faster
 * (fixtures/fast-timers.cjs; the clock stays real): what the retry test checks is how many tries there are and what
 * they leave stored, not how long the pauses are. Request timeouts (AbortSignal.timeout) are not these timers.
 */
const FAST_TIMERS = fileURLToPath(new URL("../fixtures/fast-timers.cjs", import.meta.url));
const hurried = { nodeArgs: ["--require", FAST_TIMERS], env: { APIKEY_TEST_TIMER_RATE: "50" } };
const ago = (ms: number) => new Date(Date.now() - ms);

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig({ APIKEY_HOME: home.dataDir });
  const store = await openStore({ path: storeFileIn(config.dataDir) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function reportedRows(since = "3d"): Promise<Reported[]> {
  return jsonOut<{ reported?: Reported[] }>(await cli(["usage", "--since", since])).reported ?? [];
}

/** The stored side-by-side rows over the last `days` days (what `usage --since Nd` shows), read in process. */
function storedSideBySide(target: TestHome, days: number) {
  return inProcess(target, (app) => app.usage.reported({ lastDays: days }));
}

describe("issue 24: apikey usage sync", () => {
  /** A fresh stand-in report each test: usage an hour-bucket and a minute-bucket old, plus a stranger and the Workbench. */
  let seeded: SeededUsage[];
  beforeEach(() => {
    const u = (apiKeyId: string | null, at: Date, input: number, output: number): SeededUsage => ({
      apiKeyId,
      model: SONNET,
      at,
      uncachedInput: input,
      output,
    });
    seeded = [
      u(GW_ID, ago(30 * HOUR), 1000, 200),
      u(GW_ID, ago(20 * 60_000), 500, 100),
      u(EXEC_ID, ago(26 * HOUR), 4000, 800),
      { ...u(EXEC_ID, ago(5 * 60_000), 100, 10), webSearches: 2 },
      u(STRANGER_ID, ago(10 * HOUR), 7000, 700),
      u(null, ago(3 * HOUR), 300, 30),
    ];
  });

  it("stores reported usage per key beside what was recorded: agreed, reported only, unknown, Workbench", async () => {
    fake.clearRequests();
    fake.seedReportedUsage(seeded);
    // What the gateway recorded for the same requests of `gateway`.
    await withStore(async (store) => {
      const key = await store.keys.byName("default", "gateway");
      if (!key) throw new Error("no key");
      await recordUsageMany(
        store,
        [
          { at: ago(30 * HOUR), inputTokens: 1000, outputTokens: 200 },
          { at: ago(20 * 60_000), inputTokens: 500, outputTokens: 100 },
        ].map((e) => ({
          ...e,
          keyId: key.id,
          model: SONNET,
          cacheCreationTokens: 0,
          cacheReadTokens: 0,
          requestId: null,
          front: "proxy",
        })),
      );
    });

    const sync = await cli(["usage", "sync", "--since", "3d"]);
    expect(sync.code, sync.stderr).toBe(0);
    const out = jsonOut<SyncOut>(sync);
    expect(out.organizations).toEqual([
      expect.objectContaining({ matchedKeys: 2, unmatchedKeys: 1, pages: 2, rows: 6 }),
    ]);
    for (const r of fake.requests.filter((r) => r.path.startsWith("/v1/organizations/"))) {
      expect(r.keyMasked).toMatch(/^sk-ant-admin01-/);
    }

    const rows = await reportedRows();
    const byKey = (name: string) => rows.find((r) => r.key === `default/${name}`);
    expect(byKey("gateway")).toMatchObject({
      orgKeyIds: [GW_ID],
      recorded: { inputTokens: 1500, outputTokens: 300 },
      reported: { inputTokens: 1500, outputTokens: 300 },
    });
    expect(byKey("gateway")?.differenceUsd).toBeCloseTo(0, 9);
    expect(byKey("exec")).toMatchObject({
      recorded: null,
      reported: { inputTokens: 4100, outputTokens: 810, webSearchRequests: 2 },
    });
    expect(byKey("exec")?.differenceUsd).toBeGreaterThan(0);
    expect(rows.find((r) => r.orgKeyIds.includes(STRANGER_ID))).toMatchObject({
      keyId: null,
      recorded: null,
      reported: { inputTokens: 7000 },
    });
    expect(rows.find((r) => r.orgKeyIds.includes(""))).toMatchObject({
      keyId: null,
      reported: { inputTokens: 300 },
    });

    const human = await runCli(["usage", "--since", "3d"], { home, baseUrl: fake.url });
    expect(human.stdout).toContain("Recorded by apikey vs reported by Anthropic");
    expect(human.stdout).toMatch(/default\/exec\s+-\s+-\s+4,910/);
    expect(human.stdout).toContain("(Console Workbench)");

    // The sync is audited, with no secret in it, and no secret anywhere in what the CLI printed.
    const audit = await withStore((s) => s.audit.list({ limit: 5 }));
    const entry = audit.find((a) => a.action === "usage.sync");
    expect(entry?.details).toMatchObject({ pages: 2, rows: 6, matchedKeys: 2, unmatchedKeys: 1 });
    for (const secret of [ADMIN, GATEWAY, EXEC, STRANGER]) {
      const body = keyBody(secret);
      for (const text of [sync.stdout, sync.stderr, human.stdout, JSON.stringify(audit)]) {
        expect(text).not.toContain(body);
      }
    }
  });

  it("re-running the sync changes nothing", async () => {
    fake.seedReportedUsage(seeded);
    expect((await cli(["usage", "sync", "--since", "3d"])).code).toBe(0);
    const totals = () => withStore((s) => s.reportedUsage.totalsByKey({ since: ago(5 * 24 * HOUR) }));
    const first = await totals();
    const firstRows = await storedSideBySide(home, 3);
    expect(first.length).toBe(4);
    expect((await cli(["usage", "sync"])).code).toBe(0);
    expect((await cli(["usage", "sync", "--since", "3d"])).code).toBe(0);
    expect(await totals()).toEqual(first);
    expect(await storedSideBySide(home, 3)).toEqual(firstRows);
  });

  it("a page that fails mid-sync leaves the pages before it committed, and the next sync completes it", async () => {
    // 20 days of hours: three pages of at most 168 buckets, then the recent minutes.
    const old = [19 * 24, 12 * 24, 4 * 24].map((h) => ({
      apiKeyId: EXEC_ID,
      model: SONNET,
      at: ago(h * HOUR),
      uncachedInput: 1000,
      output: 1,
    }));
    fake.seedReportedUsage(old);
    fake.failUsageReport(3, { status: 500 });
    const failed = await cli(["usage", "sync", "--since", "20d"]);
    expect(failed.code).not.toBe(0);
    expect(jsonError(failed)).toMatchObject({ code: "E_UPSTREAM_FAILED" });
    const exec = async () =>
      (await withStore((s) => s.reportedUsage.totalsByKey({ since: ago(30 * 24 * HOUR) }))).find(
        (t) => t.orgKeyId === EXEC_ID,
      )?.inputTokens;
    // Pages 1 and 2 (the first 336 hours) are in; page 3 (the last 4 days) is not.
    expect(await exec()).toBe(2000);

    // No --since: the sync resumes at the cursor, asking only for what is missing.
    fake.clearRequests();
    const resumed = await cli(["usage", "sync"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await exec()).toBe(3000);
    const starts = fake.requests
      .filter((r) => r.path === "/v1/organizations/usage_report/messages" && r.query.bucket_width === "1h")
      .map((r) => Date.parse(r.query.starting_at ?? ""));
    expect(starts).toHaveLength(1);
    // From where page 3 would have started (5 to 6 days back), not from 20 days back.
    expect(starts[0]).toBeGreaterThan(Date.now() - 6 * 24 * HOUR);
  });

  it("a sync killed (SIGKILL) while a page is in flight leaves whole pages, and the next sync completes it", async () => {
    fake.seedReportedUsage(
      [19 * 24, 12 * 24, 4 * 24].map((h) => ({
        apiKeyId: EXEC_ID,
        model: SONNET,
        at: ago(h * HOUR),
        uncachedInput: 1000,
      })),
    );
    fake.failUsageReport(3, { status: 200, hang: true });
    const child = spawn(process.execPath, [CLI_PATH, "--json", "usage", "sync", "--since", "20d"], {
      cwd: home.homeDir,
      env: cliEnv({ home, baseUrl: fake.url }),
      stdio: "ignore",
    });
    const exited = once(child, "exit");
    const pageRequests = () =>
      fake.requests.filter((r) => r.path === "/v1/organizations/usage_report/messages").length;
    const deadline = Date.now() + 30_000;
    while (pageRequests() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(pageRequests()).toBe(3);
    child.kill("SIGKILL");
    await exited;

    const exec = async () =>
      (await withStore((s) => s.reportedUsage.totalsByKey({ since: ago(30 * 24 * HOUR) }))).find(
        (t) => t.orgKeyId === EXEC_ID,
      )?.inputTokens;
    expect(await exec()).toBe(2000);
    const resumed = await cli(["usage", "sync"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await exec()).toBe(3000);
  });

  it("waits out a 429 as retry-after says, and gives up with a coded error when it keeps coming", async () => {
    fake.seedReportedUsage(seeded);
    fake.failUsageReport(1, { status: 429, retryAfter: 1 });
    const patient = await cli(["usage", "sync", "--since", "3d"]);
    expect(patient.code, patient.stderr).toBe(0);
    expect(patient.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(jsonOut<SyncOut>(patient).organizations[0]?.rows).toBe(6);

    for (let n = 1; n <= 4; n++) fake.failUsageReport(n, { status: 429, retryAfter: 0 });
    const refused = await cli(["usage", "sync"]);
    expect(refused.code).not.toBe(0);
    expect(jsonError(refused)).toMatchObject({ code: "E_UPSTREAM_FAILED" });
  });

  it("issue 24: a dropped connection is tried again; one that keeps failing leaves whole pages, and the next sync completes it", async () => {
    fake.seedReportedUsage(
      [19 * 24, 12 * 24, 4 * 24].map((h) => ({
        apiKeyId: EXEC_ID,
        model: SONNET,
        at: ago(h * HOUR),
        uncachedInput: 1000,
      })),
    );
    const exec = async () =>
      (await withStore((s) => s.reportedUsage.totalsByKey({ since: ago(30 * 24 * HOUR) }))).find(
        (t) => t.orgKeyId === EXEC_ID,
      )?.inputTokens;
    // Page 2 dropped once: tried again, and the sync completes.
    fake.failUsageReport(2, { status: 200, drop: true });
    const flaky = await runCli(["--json", "usage", "sync", "--since", "20d"], {
      home,
      baseUrl: fake.url,
      timeoutMs: 60_000,
      ...hurried,
    });
    expect(flaky.code, flaky.stderr).toBe(0);
    expect(await exec()).toBe(3000);

    // Page 3 dropped on every attempt (four): a coded error, pages 1 and 2 stored, nothing of page 3.
    const other = await makeHome();
    try {
      await inProcess(other, (app) => app.keys.add({ name: "admin", secret: ADMIN, validate: false }));
      const inOther = (args: string[], extra: Partial<RunOptions> = {}) =>
        runCli(["--json", ...args], { home: other, baseUrl: fake.url, timeoutMs: 60_000, ...extra });
      for (let n = 3; n <= 6; n++) fake.failUsageReport(n, { status: 200, drop: true });
      const failed = await inOther(["usage", "sync", "--since", "20d"], hurried);
      expect(failed.code).not.toBe(0);
      const err = jsonError(failed);
      expect(err.code).toBe("E_UPSTREAM_FAILED");
      expect(err.message).toMatch(/could not be reached .*\(4 attempts\)/);
      const reportedIn = async () =>
        (await storedSideBySide(other, 30)).find((r) => r.orgKeyIds.includes(EXEC_ID))?.reported?.inputTokens;
      expect(await reportedIn()).toBe(2000);
      const resumed = await inOther(["usage", "sync"]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(await reportedIn()).toBe(3000);
    } finally {
      await other.cleanup();
    }
  });

  it("issue 24: an Admin API that does not answer in time is reported as a timeout, after how long and what to do", async () => {
    fake.seedReportedUsage(seeded);
    fake.failUsageReport(1, { status: 200, hang: true });
    const r = await runCli(["--json", "usage", "sync", "--since", "3d"], {
      home,
      baseUrl: fake.url,
      timeoutMs: 60_000,
      env: { APIKEY_VALIDATE_TIMEOUT_MS: "500" },
    });
    expect(r.code).not.toBe(0);
    const err = jsonError(r);
    expect(err.code).toBe("E_UPSTREAM_FAILED");
    // The request that hung is the one given up on (nothing before it ran out of its half second).
    expect(String(err.message)).toMatch(/usage_report\/messages within 0\.5 s/);
    expect(String(err.hint)).toMatch(/APIKEY_VALIDATE_TIMEOUT_MS/);
  });

  it("issue 24: --cost fetches the organization's cost report; usage shows its bill beside our estimate, re-syncs replace", async () => {
    fake.seedReportedUsage(seeded);
    const synced = await cli(["usage", "sync", "--since", "3d", "--cost"]);
    expect(synced.code, synced.stderr).toBe(0);
    expect(jsonOut<SyncOut>(synced).organizations[0]).toMatchObject({ costDays: expect.any(Number) });
    expect(
      fake.requests.some((r) => r.path === "/v1/organizations/cost_report" && r.query.bucket_width === "1d"),
    ).toBe(true);
    type Cost = {
      org: string;
      reportedUsd: number;
      estimatedUsd: number;
      differenceUsd: number;
      days: number;
    };
    const usage = async () =>
      jsonOut<{ reported?: Reported[]; cost?: Cost[] }>(await cli(["usage", "--since", "3d"]));
    const first = await usage();
    const billed = fakeCostCents(seeded) / 100;
    const estimated = (first.reported ?? []).reduce((n, r) => n + (r.reported?.costUsd ?? 0), 0);
    expect(first.cost).toHaveLength(1);
    const [cost] = first.cost ?? [];
    expect(cost?.reportedUsd).toBeCloseTo(billed, 9);
    expect(cost?.estimatedUsd).toBeCloseTo(estimated, 9);
    expect(cost?.differenceUsd).toBeCloseTo(billed - estimated, 9);
    expect(cost).toMatchObject({ includesPriorityTier: false, days: 3 });
    // The same days again: replaced, not added (the stored bill read back in process: what usage --json prints
    // under `cost`).
    expect((await cli(["usage", "sync", "--cost"])).code).toBe(0);
    const again = await inProcess(home, (app) => app.usage.costs({ lastDays: 3 }));
    expect(again).toHaveLength(1);
    expect(again[0]?.reportedUsd).toBeCloseTo(billed, 9);
    const text = await runCli(["usage", "--since", "3d"], { home, baseUrl: fake.url });
    expect(text.stdout).toMatch(/cost report/);
    expect(text.stdout).toMatch(/priority-tier costs are not in it/);
    // Without --cost nothing is fetched from it.
    fake.clearRequests();
    expect((await cli(["usage", "sync"])).code).toBe(0);
    expect(fake.requests.some((r) => r.path === "/v1/organizations/cost_report")).toBe(false);
  });

  it("without an Admin key in the store, says so and writes nothing", async () => {
    const other = await makeHome();
    try {
      await inProcess(other, (app) => app.keys.add({ name: "exec", secret: EXEC, validate: false }));
      const r = await runCli(["--json", "usage", "sync"], { home: other, baseUrl: fake.url });
      expect(r.code).not.toBe(0);
      expect(jsonError(r)).toMatchObject({ code: "E_NO_ADMIN_KEY" });
    } finally {
      await other.cleanup();
    }
  });
});
