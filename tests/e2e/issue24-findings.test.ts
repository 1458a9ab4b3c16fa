import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { loadConfig, masterKeySource, openApikey, parseSince } from "@apikey/core";
import { openStore } from "@apikey/storage/better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLI_PATH,
  cliEnv,
  jsonOut,
  makeHome,
  type RunOptions,
  runCli,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import { type FakeAnthropic, orgApiKey, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeAdminKey, fakeApiKey, keyBody } from "../fixtures/keys.ts";
import { startProxy, stopAllProxies } from "../fixtures/proxy.ts";

// Issue 24's acceptance, end to end through the built CLI: one key used through the gateway, one through `exec`, a
// third rotated away but still used at the stand-in, and an organization key the store does not hold. The stand-in
// reports the Messages it served (as Anthropic does), two minutes back so the test need not wait for a minute to end.
// The profiles, keys and gateway token the story starts from are made in process; the gateway, `exec`, the syncs and
// what `usage`, `usage check` and `status` show are CLI runs. Where a test only compares what is stored before and
// after a sync, it reads it in process (app.usage.reported and app.usage.findings, what those commands print).

const ADMIN = fakeAdminKey("FINDINGS");
const GATEWAY = fakeApiKey("FINDINGS_GATEWAY");
const EXEC = fakeApiKey("FINDINGS_EXEC");
const OLD = fakeApiKey("FINDINGS_OLD");
const NEW = fakeApiKey("FINDINGS_NEW");
const STRANGER = fakeApiKey("FINDINGS_STRANGER");
const SONNET = "claude-sonnet-4-5-20250929";
const ORG_KEYS = [
  orgApiKey("gateway", GATEWAY),
  orgApiKey("exec", EXEC),
  orgApiKey("ci", OLD),
  orgApiKey("ci-next", NEW),
  orgApiKey("forgotten", STRANGER),
];
const STRANGER_ID = ORG_KEYS[4]?.id as string;

interface Side {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}
interface Reported {
  key: string | null;
  recorded: Side | null;
  reported: Side | null;
}
interface Check {
  findings: Array<
    { kind: string; id: string; message: string; key?: { name: string | null } } & Record<string, unknown>
  >;
  counts: Record<string, number>;
  lastSyncAt: string | null;
  syncDue: boolean;
}

let fake: FakeAnthropic;
let home: TestHome;
let opts: RunOptions;
/** The `exec` key's id, to find its row among the stored side-by-side rows. */
let execKeyId: string;

const cli = (args: string[]) => runCli(["--json", ...args], { ...opts, timeoutMs: 60_000 });
const message = JSON.stringify({
  model: SONNET,
  max_tokens: 16,
  messages: [{ role: "user", content: "hi" }],
});
const headers = (key: string) => ({
  "x-api-key": key,
  "anthropic-version": "2023-06-01",
  "content-type": "application/json",
});

/** A request straight to the stand-in: someone holding a key, outside apikey. */
async function useDirectly(secret: string) {
  const res = await fetch(`${fake.url}/v1/messages`, {
    method: "POST",
    headers: headers(secret),
    body: message,
  });
  expect(res.status).toBe(200);
}

/** One request through `apikey exec`: the child gets the key in ANTHROPIC_API_KEY; nothing is recorded. */
async function useThroughExec() {
  const script =
    "fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', { method: 'POST', headers: { 'x-api-key': " +
    "process.env.ANTHROPIC_API_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }, " +
    `body: ${JSON.stringify(message)} }).then((r) => process.exit(r.status === 200 ? 0 : 1))`;
  const r = await runCli(["exec", "--", process.execPath, "-e", script], opts);
  expect(r.code, r.stderr).toBe(0);
}

const reported = async () =>
  jsonOut<{ reported?: Reported[] }>(await cli(["usage", "--since", "2d"])).reported ?? [];
const check = async () => {
  const r = await cli(["usage", "check"]);
  // Exit 1 when there is a finding: the JSON is on stdout all the same.
  return { code: r.code, out: JSON.parse(r.stdout) as Check };
};
/** The stored side-by-side rows `usage --since 2d` shows, read in process. */
const storedReported = () => inProcess(home, (app) => app.usage.reported({ lastDays: 2 }));
/** The findings `usage check` (its default window, 30d) prints, read in process. */
const storedFindings = async () =>
  (await inProcess(home, (app) => app.usage.findings({ since: parseSince("30d", new Date()) }))).findings;

beforeAll(async () => {
  fake = await startFakeAnthropic({
    adminKeys: [ADMIN],
    validKeys: [GATEWAY, EXEC, OLD, NEW, STRANGER],
    orgApiKeys: ORG_KEYS,
    reportServed: { shiftMs: 2 * 60_000 },
  });
  home = await makeHome();
  opts = { home, baseUrl: fake.url };
  execKeyId = await inProcess(home, async (app) => {
    await app.profiles.create("org");
    await app.profiles.create("team");
    for (const [name, secret, profile] of [
      ["admin", ADMIN, "org"],
      ["gateway", GATEWAY, "team"],
      ["exec", EXEC, "default"],
      ["ci", OLD, "default"],
    ] as const)
      await app.keys.add({ name, secret, profile, validate: false });
    await app.keys.use("exec");
    return (await app.keys.get("exec")).id;
  });

  // `ci` was rotated ten minutes ago (the app's clock is the seam; the CLI has none).
  const store = await openStore({ path: home.storePath });
  const app = openApikey({
    store,
    masterKeys: [masterKeySource(TEST_MASTER_KEY)],
    config: loadConfig({ APIKEY_HOME: home.dataDir, ANTHROPIC_BASE_URL: fake.url }),
    actor: "cli:tester@host",
    front: "cli",
    now: () => new Date(Date.now() - 10 * 60_000),
  });
  try {
    await app.keys.rotate({ name: "ci", newSecret: NEW, validate: false });
  } finally {
    await app.close();
  }

  const { token } = await inProcess(home, (app) => app.tokens.create({ name: "laptop", profile: "team" }));
  const proxy = await startProxy(opts, ["--profile", "team"]);
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${proxy.url}/v1/messages`, {
      method: "POST",
      headers: headers(token),
      body: message,
    });
    expect(res.status, await res.text()).toBe(200);
  }
  await stopAllProxies();
  await useThroughExec();
  await useDirectly(OLD);
});

afterAll(async () => {
  await stopAllProxies();
  await fake?.close();
  await home?.cleanup();
});

describe("issue 24 acceptance: sync, side by side, findings", () => {
  it("without a store, `usage check` reads as empty: nothing to check, exit 0, nothing created", async () => {
    const other = await makeHome();
    try {
      const r = await runCli(["usage", "check"], { home: other, baseUrl: fake.url });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("No Admin key in the store: nothing to check");
      expect(existsSync(other.storePath)).toBe(false);
    } finally {
      await other.cleanup();
    }
  });

  it("before any sync: no findings, and `usage check` says to sync first", async () => {
    const { code, out } = await check();
    expect(code).toBe(0);
    expect(out).toMatchObject({ findings: [], lastSyncAt: null, syncDue: true });
    const human = await runCli(["usage", "check"], opts);
    expect(human.stdout).toContain("Never synced: run `apikey usage sync` first.");
  });

  it("after a sync: recorded and reported agree for the gateway key, the exec key is reported only", async () => {
    const sync = await cli(["usage", "sync", "--since", "1d"]);
    expect(sync.code, sync.stderr).toBe(0);
    const rows = await reported();
    const gateway = rows.find((r) => r.key === "team/gateway");
    expect(gateway?.recorded).toMatchObject({ inputTokens: 24, outputTokens: 14 });
    expect(gateway?.reported).toMatchObject({ inputTokens: 24, outputTokens: 14 });
    expect(gateway?.reported?.costUsd).toBeCloseTo(gateway?.recorded?.costUsd ?? -1, 12);
    expect(rows.find((r) => r.key === "default/exec")).toMatchObject({
      recorded: null,
      reported: { inputTokens: 12, outputTokens: 7 },
    });
  });

  it("the rotated key still in use and the unknown organization key are findings (JSON, text, status)", async () => {
    const { code, out } = await check();
    expect(code).toBe(1);
    expect(out.syncDue).toBe(false);
    expect(out.counts).toEqual({
      "used-after-retired": 1,
      "used-outside-gateway": 0,
      "unknown-org-key": 1,
      "reported-over-budget": 0,
    });
    const [retired, unknown] = out.findings;
    expect(retired).toMatchObject({ kind: "used-after-retired", retired: "rotated", key: { name: "ci" } });
    expect(retired?.id).toMatch(/^used-after-retired:[\w-]+:\d{4}-\d\d-\d\dT/);
    expect(unknown).toMatchObject({
      kind: "unknown-org-key",
      orgKeyId: STRANGER_ID,
      name: "forgotten",
      hint: ORG_KEYS[4]?.partial_key_hint,
    });
    expect(unknown?.id).toMatch(new RegExp(`^unknown-org-key:.+:${STRANGER_ID}$`));
    expect(retired?.message).toContain('Key "default/ci" was rotated');

    const human = await runCli(["usage", "check"], opts);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/used-after-retired\s+default\/ci\s+since /);
    expect(human.stdout).toMatch(/unknown-org-key\s+forgotten \(sk-ant-api03-\S+\)\s+-\s+-\s*\n/);
    expect(human.stdout).toContain("Last sync: ");
    const status = await runCli(["status"], opts);
    expect(status.stdout).toContain(
      "findings:   2 (1 used-after-retired, 1 unknown-org-key): see `apikey usage check`",
    );
    for (const secret of [ADMIN, GATEWAY, EXEC, OLD, NEW, STRANGER]) {
      for (const text of [human.stdout, human.stderr, status.stdout, JSON.stringify(out)]) {
        expect(text).not.toContain(keyBody(secret));
      }
    }
  });

  it("re-running the sync changes nothing", async () => {
    const before = { rows: await storedReported(), findings: await storedFindings() };
    expect((await cli(["usage", "sync"])).code).toBe(0);
    expect((await cli(["usage", "sync", "--since", "1d"])).code).toBe(0);
    expect(await storedReported()).toEqual(before.rows);
    expect(await storedFindings()).toEqual(before.findings);
  });

  it("a SIGKILL mid-sync leaves the store as it was, and the next sync completes it", async () => {
    await useThroughExec();
    const exec = async () =>
      (await storedReported()).find((r) => r.keyId === execKeyId)?.reported?.inputTokens;
    const findingsBefore = await storedFindings();
    // The first report page (the hours) answers; the second (the recent minutes, with the new request) hangs.
    // `--since 2d` starts at yesterday's 00:00 UTC, so there is an hours page at any time of day: `1d` (today from
    // 00:00 UTC) has none before 02:00 UTC, when the whole day is still in the minutes page (usage-sync/plan.ts).
    fake.clearRequests();
    fake.failUsageReport(2, { status: 200, hang: true });
    const child = spawn(process.execPath, [CLI_PATH, "--json", "usage", "sync", "--since", "2d"], {
      cwd: home.homeDir,
      env: cliEnv(opts),
      stdio: "ignore",
    });
    const exited = once(child, "exit");
    const pages = () =>
      fake.requests.filter((r) => r.path === "/v1/organizations/usage_report/messages").length;
    // Shorter than the test's own limit, so a sync that never asks for the second page fails here, saying so.
    const deadline = Date.now() + 20_000;
    while (pages() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(pages(), "report pages asked for before the kill").toBe(2);
    child.kill("SIGKILL");
    await exited;

    expect(await exec()).toBe(12);
    expect(await storedFindings()).toEqual(findingsBefore);
    const resumed = await cli(["usage", "sync"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await exec()).toBe(24);
    expect(await storedFindings()).toEqual(findingsBefore);
  });
});
