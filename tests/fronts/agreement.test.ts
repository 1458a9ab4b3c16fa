import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@apikey/core";
import type { Store } from "@apikey/core/store";
import { openStore } from "@apikey/storage/node-sqlite";
import { createElement } from "react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RotateForm } from "../../apps/raycast/src/components/rotate-form.tsx";
import { openService } from "../../apps/raycast/src/data/service.ts";
import type { KeysSnapshot, UsageSummary } from "../../apps/raycast/src/data/types.ts";
import { render } from "../../apps/raycast/test/render.tsx";
import { type Fixture, makeFixture } from "../../apps/raycast/test/store-fixture.ts";
import { openBotCore } from "../../apps/slack-bot/src/core-adapter.ts";
import { type Harness, OPS, startHarness, TEAM } from "../../apps/slack-bot/test/harness.ts";
import { CLI_PATH, cliEnv, TEST_MASTER_KEY } from "../fixtures/cli.ts";
import { fakeAdminKey, fakeApiKey } from "../fixtures/keys.ts";

// Issue 21: one store, rendered through the three fronts — the CLI's `list --json` / `usage --json` (a process, its
// clock fixed by a preload), the Slack bot's list, status, usage and rotate form (signed requests to its real
// receiver, answers read from the fake Slack), and Raycast's data module and rotate form (the @raycast/api mock).
// Every field they share must agree: the rules behind them live in core only.

const NOW = "2026-12-03T12:00:00.000Z";
const CLOCK = fileURLToPath(new URL("../fixtures/fixed-clock.cjs", import.meta.url));
const POLICY = `
workspaces: { teams: [${TEAM}] }
profiles:
  default:
    operate: { users: [U0OPS] }
  prod:
    operate: { users: [U0OPS] }
`;

let f: Fixture;
let slack: Harness;
let slackStore: Store;
let closeBot: () => Promise<void>;

/** The CLI on the workspace's Node (better-sqlite3 is built for it), its clock fixed at NOW. */
function cli(args: string[], stdin = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.APIKEY_CLI_NODE || "node", ["--require", CLOCK, CLI_PATH, ...args], {
      cwd: f.home.homeDir,
      env: cliEnv({ home: f.home, baseUrl: f.fake.url, env: { APIKEY_TEST_FIXED_NOW: NOW } }),
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`apikey ${args.join(" ")}: ${code} ${err}`)),
    );
    child.stdin.end(stdin);
  });
}

/** A slash command as OPS; the answer the bot posted to response_url, as its section texts. */
async function slackSays(text: string): Promise<string> {
  const before = slack.slack.callsTo("response_url").length;
  expect((await slack.command(OPS, text)).status).toBe(200);
  const posts = await slack.slack.waitFor("response_url", before + 1);
  const blocks = (posts[before]?.args.blocks ?? []) as Array<{
    text?: { text?: string };
    elements?: unknown[];
  }>;
  return blocks
    .flatMap((b) => [b.text?.text, ...((b.elements ?? []) as Array<{ text?: string }>).map((e) => e.text)])
    .filter((t): t is string => typeof t === "string")
    .join("\n");
}

/** The budget state a Slack line shows: its mark (red circle over, warning near), or a budget without either. */
function slackState(line: string | undefined): string {
  if (line === undefined) return "(missing)";
  if (line.includes(":red_circle:")) return "over";
  if (line.includes(":warning:")) return "warn";
  return /\/ \$|%/.test(line) ? "ok" : "none";
}

/** The line of a Slack answer about a key (`and`: the one that also says this, e.g. status's budget bar). */
const lineOf = (text: string, name: string, and = "") =>
  text.split("\n").find((l) => l.includes(`*${name}*`) && l.includes(and));

/** Whether the rotate form Slack opens for a key offers deactivating the old key at Anthropic. */
async function slackCanDeactivate(ref: string): Promise<boolean> {
  const opens = slack.slack.callsTo("views.open").length;
  await slack.command(OPS, `rotate ${ref}`);
  const opened = await slack.slack.waitForForm(opens + 1);
  const id = (opened.response?.view as { id?: string } | undefined)?.id ?? "";
  return JSON.stringify(slack.slack.currentView(id)).includes('"block_id":"upstream"');
}

/** Whether Raycast's rotate form, pushed from a key, says the old key is deactivated at Anthropic. */
async function raycastCanDeactivate(snapshot: KeysSnapshot, profile: string, name: string): Promise<boolean> {
  const initial = snapshot.keys.find((k) => k.profile === profile && k.name === name);
  const view = await render(createElement(RotateForm, { initial }));
  await view.waitFor(() => view.all("Form.Dropdown.Item").length > 0);
  // Whatever else the form loads (an older build asked the store separately) has time to land.
  await new Promise((r) => setTimeout(r, 500));
  const text = String(view.one("Form.Description").props.text);
  view.unmount();
  return text.startsWith("An Admin key is stored");
}

const COUNTERS = ["inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens"];

interface CliReported {
  reported: { inputTokens: number; outputTokens: number; costUsd: number } | null;
  differenceUsd: number;
}

async function cliUsage(): Promise<{
  since: string;
  totals: Record<string, number>;
  reported?: CliReported[];
}> {
  return JSON.parse(await cli(["--json", "usage", "--since", "7d", "--by", "key"]));
}

interface CliKey {
  id: string;
  name: string;
  profile: string;
  masked: string;
  active: boolean;
  spendMonthUsd: number | null;
  budgetUsd: number | null;
  budgetState: string;
  canDeactivateUpstream?: boolean;
}

let cliKeys: CliKey[];
let raycast: KeysSnapshot;
let raycastUsage: UsageSummary;
let slackList: string;
let slackStatus: string;

beforeAll(async () => {
  f = await makeFixture();
  const add = (name: string, secret: string, profile = "default") =>
    cli(["--profile", profile, "--json", "add", "--no-validate", name], secret);
  await add("at100", fakeApiKey("AGREE_AT100"));
  await add("above", fakeApiKey("AGREE_ABOVE"));
  await add("window", fakeApiKey("AGREE_WINDOW"));
  await cli(["profile", "create", "prod"]);
  await add("prodkey", fakeApiKey("AGREE_PROD"), "prod");
  await add("admin", fakeAdminKey("AGREE_ADMIN"), "prod");
  await cli(["budget", "set", "at100", "10"]);
  await cli(["budget", "set", "above", "10"]);
  const ids = new Map(
    (JSON.parse(await cli(["--json", "list"])) as CliKey[]).map((k) => [`${k.profile}/${k.name}`, k.id]),
  );
  const id = (ref: string) => ids.get(ref) ?? "";

  // The bot on the same file (node:sqlite, as a second process would be), its clock at NOW.
  const now = () => new Date(NOW);
  slackStore = await openStore({ path: f.home.storePath });
  const core = await openBotCore(
    loadConfig({
      APIKEY_HOME: f.home.dataDir,
      APIKEY_MASTER_KEY: TEST_MASTER_KEY,
      ANTHROPIC_BASE_URL: f.fake.url,
    }),
    { store: slackStore, now },
  );
  closeBot = () => core.close();
  slack = await startHarness({ policy: POLICY, core: core.coreFor, claims: core.claims, clock: { now } });

  const event = (keyId: string, at: string, costUsd: number, cache = 0) => ({
    keyId,
    at: new Date(at),
    model: "claude-agreement-test",
    inputTokens: 100,
    outputTokens: 10,
    cacheCreationTokens: cache,
    cacheReadTokens: cache * 3,
    costUsd,
    requestId: null,
    front: "api",
  });
  await slackStore.usage.recordMany([
    // Exactly at the budget, and a cent past it (this month, UTC).
    event(id("default/at100"), "2026-12-02T10:00:00Z", 10, 5),
    event(id("default/above"), "2026-12-02T10:00:00Z", 10.01),
    // The last 7 days of 2026-12-03 start on 2026-11-27 at 00:00 UTC, across the month boundary: the first is out
    // (inside a rolling 7 × 24 h window, though), the others in.
    event(id("default/window"), "2026-11-26T18:00:00Z", 1, 1000),
    event(id("default/window"), "2026-11-27T00:30:00Z", 2, 20),
    event(id("default/window"), "2026-11-30T23:00:00Z", 3, 7),
  ]);

  // What Anthropic reported (issue 24), as `usage sync` stores it: a key recorded too, one never recorded, an
  // organization key the store lacks and the Workbench; one bucket before the 7-day window.
  const reported = (orgKeyId: string, keyId: string | null, at: string, input: number, output: number) => ({
    org: "org_agreement",
    orgKeyId,
    model: "claude-sonnet-4-5",
    bucketStart: new Date(at),
    bucketMinutes: 60 as const,
    keyId,
    uncachedInputTokens: input,
    cacheCreation5mTokens: 0,
    cacheCreation1hTokens: 0,
    cacheReadTokens: 0,
    outputTokens: output,
    webSearchRequests: 0,
    costUsd: (input * 3 + output * 15) / 1e6,
    syncedAt: new Date(NOW),
  });
  await slackStore.transaction((tx) =>
    tx.reportedUsage.replaceRange("org_agreement", new Date("2026-11-01T00:00:00Z"), new Date(NOW), [
      reported("apikey_window", id("default/window"), "2026-11-26T18:00:00Z", 9_000_000, 0),
      reported("apikey_window", id("default/window"), "2026-11-30T23:00:00Z", 1_000_000, 100_000),
      reported("apikey_prod", id("prod/prodkey"), "2026-12-01T10:00:00Z", 2_000_000, 20_000),
      reported("apikey_stranger", null, "2026-12-02T10:00:00Z", 100_000, 0),
      reported("", null, "2026-12-03T09:00:00Z", 10_000, 1_000),
    ]),
  );

  cliKeys = JSON.parse(await cli(["--json", "list"]));
  const service = await openService({ directory: f.home.dataDir, masterKey: TEST_MASTER_KEY }, { now });
  try {
    raycast = await service.snapshot();
    raycastUsage = await service.usage(7);
  } finally {
    await service.close();
  }
  slackList = await slackSays("list");
  slackStatus = await slackSays("status");
}, 180_000);

afterAll(async () => {
  await slack?.close();
  await closeBot?.();
  await f?.cleanup();
});

describe("issue 21: the CLI, the Slack bot and Raycast agree on one store", () => {
  it("budget state at exactly 100 % (not over) and a cent above (over), and the spend shown", () => {
    for (const name of ["at100", "above"]) {
      const fromCli = cliKeys.find((k) => k.name === name);
      const fromRaycast = raycast.keys.find((k) => k.name === name);
      const states = {
        cli: fromCli?.budgetState,
        raycast: fromRaycast?.budgetState,
        slackList: slackState(lineOf(slackList, name)),
        slackStatus: slackState(lineOf(slackStatus, name, " of $")),
      };
      const expected = name === "at100" ? "warn" : "over";
      expect(states, name).toEqual({
        cli: expected,
        raycast: expected,
        slackList: expected,
        slackStatus: expected,
      });
      expect(fromRaycast?.spendMonthUsd).toBe(fromCli?.spendMonthUsd);
      expect(lineOf(slackList, name)).toContain(`$${fromCli?.spendMonthUsd?.toFixed(2)} / $10.00 this month`);
      expect(fromRaycast?.masked).toBe(fromCli?.masked);
      expect(lineOf(slackList, name)).toContain(fromCli?.masked ?? "(no key)");
    }
  });

  it("can-deactivate-upstream is per profile: not in default (no Admin key) while prod has one", async () => {
    const decisions = async (profile: string, name: string) => ({
      cli: cliKeys.find((k) => k.profile === profile && k.name === name)?.canDeactivateUpstream,
      slack: await slackCanDeactivate(`${profile}/${name}`),
      raycast: await raycastCanDeactivate(raycast, profile, name),
    });
    expect(await decisions("default", "at100")).toEqual({ cli: false, slack: false, raycast: false });
    expect(await decisions("prod", "prodkey")).toEqual({ cli: true, slack: true, raycast: true });
  });

  it("the last 7 days across a month boundary: one window, the same requests and spend", async () => {
    const fromCli = await cliUsage();
    expect(fromCli.since).toBe("2026-11-27T00:00:00.000Z");
    expect(raycastUsage.since).toBe(fromCli.since);
    expect(fromCli.totals.requests).toBe(4);
    const fromSlack = /Total \$([\d.]+) · (\d+) requests/.exec(await slackSays("usage 7d by key"));
    expect({
      raycast: [raycastUsage.totals.requests, raycastUsage.totals.costUsd.toFixed(2)],
      slack: [Number(fromSlack?.[2]), fromSlack?.[1]],
    }).toEqual({
      raycast: [fromCli.totals.requests, fromCli.totals.costUsd?.toFixed(2)],
      slack: [fromCli.totals.requests, fromCli.totals.costUsd?.toFixed(2)],
    });
  });

  it("cache writes and reads are in every front's usage totals", async () => {
    const fromCli = await cliUsage();
    const pick = (t: Record<string, unknown>) => Object.fromEntries(COUNTERS.map((k) => [k, t[k]]));
    expect(pick(fromCli.totals)).toEqual({
      inputTokens: 400,
      outputTokens: 40,
      cacheCreationTokens: 32,
      cacheReadTokens: 96,
    });
    const fromSlack = await slackSays("usage 7d by key");
    const total = /Total .*· (\d+) in \/ (\d+) out \/ (\d+) cache write \/ (\d+) cache read/.exec(fromSlack);
    expect({
      raycast: pick(raycastUsage.totals as unknown as Record<string, unknown>),
      slack: Object.fromEntries(COUNTERS.map((k, n) => [k, Number(total?.[n + 1])])),
    }).toEqual({ raycast: pick(fromCli.totals), slack: pick(fromCli.totals) });
  });

  it("issue 24: the reported totals beside the recorded ones — one window, the same spend, tokens and unseen spend", async () => {
    const rows = (await cliUsage()).reported ?? [];
    const fromCli = {
      costUsd: rows.reduce((n, r) => n + (r.reported?.costUsd ?? 0), 0).toFixed(2),
      tokens: rows.reduce(
        (n, r) => n + (r.reported ? r.reported.inputTokens + r.reported.outputTokens : 0),
        0,
      ),
      notRecordedUsd: rows.reduce((n, r) => n + Math.max(0, r.differenceUsd), 0).toFixed(2),
    };
    // The bucket before the window is out: 1.1M + 2.02M + 0.1M + 11k tokens inside it.
    expect(fromCli.tokens).toBe(3_231_000);
    const slackText = await slackSays("usage 7d by key");
    const total =
      /\*Reported total\* \$([\d.]+) · ([\d,]+) tokens · recorded \$[\d.]+ · not recorded \$([\d.]+)/.exec(
        slackText,
      );
    const r = raycastUsage.reported?.totals;
    expect({
      slack: {
        costUsd: total?.[1],
        tokens: Number(total?.[2]?.replace(/,/g, "")),
        notRecordedUsd: total?.[3],
      },
      raycast: {
        costUsd: r?.reported.costUsd.toFixed(2),
        tokens: r ? r.reported.inputTokens + r.reported.outputTokens : null,
        notRecordedUsd: r?.notRecordedUsd.toFixed(2),
      },
    }).toEqual({ slack: fromCli, raycast: fromCli });
  });
});
