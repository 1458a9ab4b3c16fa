import type { ReportedUsageRow } from "@apikey/core/store";
import { recordUsage } from "@apikey/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { blockActionBody, postSigned } from "../../../tests/fixtures/fake-slack-requests.ts";
import { fakeApiKey } from "../../../tests/fixtures/keys.ts";
import { DEV, OPS, TEAM } from "./harness.ts";
import { type StoreHarness, startStoreHarness } from "./store-harness.ts";

// Issue 24: the bot's usage answer sets what Anthropic reported (synced rows in the store, written by the storage
// repository `usage sync` uses) beside what apikey recorded, per key, with the difference — through the real
// receiver on signed requests, the fake Slack refusing whatever Slack would.

const POLICY = `
workspaces: { teams: [${TEAM}] }
profiles:
  prod:
    view: { groups: [S0ENG] }
    operate: { users: [U0OPS] }
  default:
    operate: { users: [U0OPS] }
`;

const ORG = "org_slack_test";
const MODEL = "claude-sonnet-4-5"; // $3 input, $15 output per million tokens
const AT = new Date("2026-11-01T10:00:00Z"); // inside the harness clock's last 7 days (it is 2026-11-02)

let h: StoreHarness;
beforeEach(async () => {
  h = await startStoreHarness({ policy: POLICY });
});
afterEach(async () => {
  expect(h.slack.refused().map((c) => `${c.method}: ${c.problems?.slice(0, 3).join("; ")}`)).toEqual([]);
  await h.close();
});

async function addKey(profile: string, name: string): Promise<string> {
  await h.core.system.profiles.create(profile).catch(() => undefined);
  const { key } = await h.core.system.keys.add({
    name,
    profile,
    secret: fakeApiKey(`RPT_${profile}_${name}`),
    validate: false,
  });
  return key.id;
}

function reportedRow(
  orgKeyId: string,
  keyId: string | null,
  input: number,
  output: number,
): ReportedUsageRow {
  return {
    org: ORG,
    orgKeyId,
    model: MODEL,
    bucketStart: AT,
    bucketMinutes: 60,
    keyId,
    uncachedInputTokens: input,
    cacheCreation5mTokens: 0,
    cacheCreation1hTokens: 0,
    cacheReadTokens: 0,
    outputTokens: output,
    webSearchRequests: 0,
    costUsd: (input * 3 + output * 15) / 1e6,
    syncedAt: AT,
  };
}

async function report(rows: ReportedUsageRow[]) {
  await h.store.transaction((tx) =>
    tx.reportedUsage.replaceRange(ORG, AT, new Date(AT.getTime() + 3_600_000), rows),
  );
}

async function record(keyId: string, inputTokens: number, outputTokens: number) {
  await recordUsage(h.store, {
    keyId,
    at: AT,
    model: MODEL,
    inputTokens,
    outputTokens,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    requestId: null,
    front: "gateway",
  });
}

/** The texts of every page of the answer, following "Show more". */
async function answer(person: typeof OPS, text: string): Promise<string> {
  let before = h.slack.callsTo("response_url").length;
  expect((await h.command(person, text)).status).toBe(200);
  const texts: string[] = [];
  for (let guard = 0; guard < 30; guard++) {
    const post = (await h.slack.waitFor("response_url", before + 1))[before];
    const blocks = (post?.args.blocks ?? []) as Array<Record<string, unknown>>;
    texts.push(JSON.stringify(blocks));
    const more = blocks
      .flatMap((b) => (b.elements as Array<{ action_id?: string; value?: string }> | undefined) ?? [])
      .find((e) => e.action_id === "apikey_more");
    if (!more?.value) return texts.join("\n");
    before = h.slack.callsTo("response_url").length;
    await postSigned(
      h.url,
      blockActionBody(
        person,
        { action_id: "apikey_more", value: more.value },
        { responseUrl: h.slack.responseUrl() },
      ),
    );
  }
  throw new Error("more than 30 pages");
}

describe("issue 24: the Slack usage answer shows recorded and reported side by side", () => {
  it("per key: recorded, reported and not recorded; the Workbench and an unknown key; the reported total", async () => {
    const gateway = await addKey("prod", "gateway");
    const exec = await addKey("default", "exec");
    await record(gateway, 100_000, 10_000); // $0.45
    await report([
      reportedRow("apikey_gw", gateway, 100_000, 10_000), // $0.45: agrees
      reportedRow("apikey_exec", exec, 1_000_000, 100_000), // $4.50: reported only
      reportedRow("apikey_stranger", null, 200_000, 0), // $0.60
      reportedRow("", null, 1000, 100), // $0.0045: the Workbench
    ]);
    const text = await answer(OPS, "usage 7d by key");
    expect(text).toContain("Recorded by apikey vs reported by Anthropic");
    // One precision for the whole answer (an amount under a cent is there): core's money rule.
    expect(text).toContain(
      "prod/gateway: recorded $0.4500 (110,000 tokens) · reported $0.4500 (110,000 tokens) · not recorded $0.0000",
    );
    expect(text).toContain(
      "default/exec: recorded — · reported $4.5000 (1,100,000 tokens) · not recorded $4.5000",
    );
    expect(text).toContain("(not in the store: apikey_stranger): recorded — · reported $0.6000");
    expect(text).toContain("(Console Workbench): recorded — · reported $0.0045 (1,100 tokens)");
    expect(text).toContain(
      "*Reported total* $5.5545 · 1,411,100 tokens · recorded $0.4500 · not recorded $5.1045",
    );
    // The recorded report is still there, with its own total.
    expect(text).toContain("Total $0.45 · 1 requests");
  });

  it("someone who sees only some keys sees their reported rows and totals, never the others'", async () => {
    const gateway = await addKey("prod", "gateway");
    const exec = await addKey("default", "exec");
    await report([
      reportedRow("apikey_gw", gateway, 100_000, 10_000),
      reportedRow("apikey_exec", exec, 1_000_000, 100_000),
      reportedRow("apikey_stranger", null, 200_000, 0),
      reportedRow("", null, 1000, 100),
    ]);
    const text = await answer(DEV, "usage by key");
    expect(text).toContain("prod/gateway: recorded — · reported $0.45 (110,000 tokens) · not recorded $0.45");
    expect(text).not.toContain("exec");
    expect(text).not.toContain("stranger");
    expect(text).not.toContain("Workbench");
    expect(text).toContain("*Reported total* $0.45 · 110,000 tokens");
    // A key asked for by name: its row only.
    const one = await answer(OPS, "usage key default/exec");
    expect(one).toContain("default/exec: recorded — · reported $4.50");
    expect(one).not.toContain("prod/gateway:");
    expect(one).not.toContain("stranger");
  });

  it("a key apikey no longer uses (disabled, rotated) is named so beside its reported spend", async () => {
    const old = await addKey("prod", "old");
    await h.core.system.keys.disable("old", "prod");
    await report([reportedRow("apikey_old", old, 1000, 0)]);
    expect(await answer(OPS, "usage by key")).toContain("prod/old (disabled): recorded —");
  });

  it("nothing reported in the window: no side-by-side section", async () => {
    const gateway = await addKey("prod", "gateway");
    await record(gateway, 100_000, 10_000);
    expect(await answer(OPS, "usage by key")).not.toContain("reported by Anthropic");
  });

  it("300 keys with reported usage page within Slack's limits, every key reachable", async () => {
    const rows: ReportedUsageRow[] = [];
    for (let i = 0; i < 300; i++) {
      const id = await addKey("prod", `k${String(i).padStart(3, "0")}`);
      rows.push(reportedRow(`apikey_${i}`, id, 1000 + i, 10));
    }
    await report(rows);
    const text = await answer(OPS, "usage 30d by key");
    for (let i = 0; i < 300; i++) expect(text).toContain(`prod/k${String(i).padStart(3, "0")}: recorded —`);
    expect(text).toContain("*Reported total*");
  }, 120_000);
});
