import type { Apikey } from "@apikey/core/testing";
import { recordUsage } from "@apikey/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../../../tests/fixtures/fake-anthropic.ts";
import {
  blockActionBody,
  eventBody,
  postSigned,
  slashCommandBody,
} from "../../../tests/fixtures/fake-slack-requests.ts";
import { fakeAdminKey, fakeApiKey } from "../../../tests/fixtures/keys.ts";
import { DEV, OPS, OUTSIDER, STRANGER, TEAM } from "./harness.ts";
import { type StoreHarness, startStoreHarness } from "./store-harness.ts";

// Every command end to end: signed requests to the real receiver, a real SQLite store, the fake Anthropic API
// for validation, the fake Slack recording what each person saw.

const POLICY = `
workspaces: { teams: [${TEAM}] }
announcements: C0ANNOUNCE
profiles:
  prod:
    view: { groups: [S0ENG] }
    operate: { users: [U0OPS] }
  default:
    operate: { users: [U0OPS] }
`;

const WORK = fakeApiKey("SLK_WORK");
const WORK2 = fakeApiKey("SLK_WORK2");
const BAD = fakeApiKey("SLK_BAD");
const PRIVATE = fakeApiKey("SLK_PRIVATE");

let h: StoreHarness;
beforeEach(async () => {
  const anthropic = await startFakeAnthropic({
    validKeys: [WORK, WORK2, PRIVATE],
    adminKeys: [fakeAdminKey("SLK_ADMIN")],
  });
  h = await startStoreHarness({ policy: POLICY, anthropic });
});
afterEach(async () => {
  await h.close();
});

const textOf = (msg: Record<string, unknown> | undefined): string => JSON.stringify(msg ?? {});

/** Sends a command, then returns the next response_url post (or the ack body when it answered at once). */
async function run(person: typeof OPS, text: string): Promise<string> {
  const before = h.slack.callsTo("response_url").length;
  const res = await h.command(person, text);
  expect(res.status).toBe(200);
  if (res.text) return res.text;
  const posts = await h.slack.waitFor("response_url", before + 1);
  return textOf(posts[before]?.args);
}

async function addViaForm(person: typeof OPS, profile: string, name: string, key: string) {
  const opens = h.slack.callsTo("views.open").length;
  await h.command(person, `add ${profile}`);
  await h.slack.waitForForm(opens + 1);
  const updates = h.slack.callsTo("views.update").length;
  const ack = await h.submitLastView(person, { name, profile, key });
  if ((ack.json as { response_action?: string })?.response_action === "errors") return { ack, outcome: "" };
  const [update] = (await h.slack.waitFor("views.update", updates + 1)).slice(updates);
  return { ack, outcome: textOf(update?.args) };
}

describe("/apikey add (form)", () => {
  it("opens the form, acks the submission at once, validates after, and stores the key", async () => {
    const { ack, outcome } = await addViaForm(OPS, "prod", "work", WORK);
    expect(ack.json).toMatchObject({ response_action: "update" });
    expect(JSON.stringify(ack.json)).toContain("Checking the key");
    expect(outcome).toContain("Added *work*");
    expect(outcome).toContain("Anthropic accepted it");
    const list = await run(DEV, "list prod");
    expect(list).toContain("*work*");
    expect(list).toContain("sk-ant-api03-…");
  });

  it("gives an inline error for a key Anthropic refuses, and stores nothing", async () => {
    const { outcome } = await addViaForm(OPS, "prod", "bad", BAD);
    expect(outcome).toContain("not stored");
    expect(outcome).toContain('"block_id":"key"'); // the form again, key field empty
    expect(outcome).not.toContain("FAKE_TEST_SLK_BAD");
    expect(await run(OPS, "list prod")).toContain("No keys you may see");
  });

  it("stores a key it could not verify, flagged", async () => {
    h.anthropic.setBehaviour(WORK, { status: 529 });
    const { outcome } = await addViaForm(OPS, "prod", "work", WORK);
    expect(outcome).toContain("Could not verify");
    expect(await run(OPS, "list prod")).toContain("*work*");
  });

  it("answers a malformed key in the form's ack, before any work", async () => {
    const { ack } = await addViaForm(OPS, "prod", "work", "sk-ant-api03-short");
    expect(ack.json).toMatchObject({
      response_action: "errors",
      errors: { key: expect.stringContaining("does not look like") },
    });
    expect(h.anthropic.requests).toHaveLength(0);
  });

  it("refuses a key typed into the name field: an inline error, nothing stored, told to rotate", async () => {
    await h.command(OPS, "add prod");
    await h.slack.waitForForm();
    const ack = await h.submitLastView(OPS, { name: WORK2, profile: "prod", key: WORK });
    expect(ack.json).toMatchObject({
      response_action: "errors",
      errors: { name: expect.stringContaining("rotate") },
    });
    expect(ack.text).not.toContain("FAKE_TEST_SLK_WORK2");
    expect(h.anthropic.requests).toHaveLength(0);
    expect(await run(OPS, "list prod")).toContain("No keys you may see");
  });

  it("checks rights again at submission", async () => {
    await h.command(OPS, "add prod");
    await h.slack.waitForForm();
    // The same form submitted by someone who may only view prod (as if their rights had changed meanwhile).
    await h.submitLastView(DEV, { name: "work", profile: "prod", key: WORK });
    const [, update] = await h.slack.waitFor("views.update", 2);
    expect(textOf(update?.args)).toContain("not allowed to change profile *prod*");
    expect(h.anthropic.requests).toHaveLength(0);
    expect(await run(OPS, "list prod")).toContain("No keys you may see");
  });
});

describe("reading and switching", () => {
  beforeEach(async () => {
    await addViaForm(OPS, "prod", "work", WORK);
    await addViaForm(OPS, "prod", "work-2", WORK2);
  });

  it("switches with use and announces it", async () => {
    const reply = await run(OPS, "use work-2 prod");
    expect(reply).toContain("*prod* now uses *work-2*");
    const [post] = await h.slack.waitFor("chat.postMessage");
    expect(post?.args).toMatchObject({ channel: "C0ANNOUNCE", text: "<@U0OPS> switched *prod* to *work-2*" });
    const status = await run(DEV, "status");
    expect(status).toContain("active: *work-2*");
  });

  it("changes nothing for a forged, stale or replayed switch", async () => {
    const auditBefore = (await h.core.system.audit({ limit: 500 })).length;
    const body = slashCommandBody(OPS, "use work-2 prod", h.slack.responseUrl());
    const now = Math.floor(Date.now() / 1000);
    expect((await postSigned(h.url, body, { secret: "fedcba9876543210fedcba9876543210" })).status).toBe(401);
    expect((await postSigned(h.url, body, { timestamp: now - 6 * 60 })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect((await h.core.system.audit({ limit: 500 })).length).toBe(auditBefore);
    expect(await run(OPS, "status")).toContain("active: *work*");
    // Once genuinely, then the same request again: one switch, one audit row, one announcement.
    await postSigned(h.url, body, { timestamp: now });
    await postSigned(h.url, body, { timestamp: now });
    await h.slack.waitFor("chat.postMessage");
    await new Promise((r) => setTimeout(r, 200));
    expect(h.slack.callsTo("chat.postMessage")).toHaveLength(1);
    const uses = (await h.core.system.audit({ limit: 500 })).filter((a) => a.action === "key.use");
    expect(uses).toHaveLength(1);
  });

  it("lets a viewer read but not change, a stranger see nothing, another workspace nothing", async () => {
    expect(await run(DEV, "use work-2 prod")).toContain("not allowed to change profile *prod*");
    expect(await run(STRANGER, "list")).toContain("no access to any profile");
    // A stranger is told a key is not found rather than that it exists elsewhere.
    expect(await run(STRANGER, "use work")).toContain("no access to any profile");
    expect(await run(OUTSIDER, "list")).toContain("workspace is not allowed");
    expect(h.slack.callsTo("chat.postMessage")).toHaveLength(0);
  });

  it("validates, disables, enables, renames and sets budgets, each audited as the Slack person", async () => {
    expect(await run(OPS, "validate work")).toContain("*work*: valid");
    expect(await run(OPS, "disable work-2")).toContain("is disabled");
    expect(await run(OPS, "enable work-2")).toContain("is enabled");
    expect(await run(OPS, "rename work-2 spare")).toContain("is now *spare*");
    expect(await run(OPS, "budget set spare 20 block")).toContain("$20.00");
    expect(await run(OPS, "list prod")).toContain("$0.00 / $20.00");
    expect(await run(OPS, "budget clear spare")).toContain("no budget");
    const audit = await h.core.system.audit({ limit: 20 });
    const mine = audit.filter((a) => a.actor === "slack:T0TEAM/U0OPS (olga)");
    expect(mine.map((a) => a.front)).toEqual(mine.map(() => "slack"));
    expect(mine.length).toBeGreaterThanOrEqual(7);
    const shown = await run(DEV, "audit 5");
    expect(shown).toContain("slack:T0TEAM/U0OPS (olga)");
  });

  it("reports usage, and refuses totals to someone who cannot see every key", async () => {
    const { outcome } = await addViaForm(OPS, "default", "private", PRIVATE);
    expect(outcome).toContain("Added *private*");
    const keys = await h.core.system.keys.list({});
    const spend = async (name: string, inputTokens: number) => {
      const key = keys.find((k) => k.name === name);
      if (!key) throw new Error(`no key ${name}`);
      // claude-opus-4-8 input is $5 per million tokens.
      const usage = {
        model: "claude-opus-4-8",
        inputTokens,
        outputTokens: 0,
        cacheCreationTokens: 0,
        cacheReadTokens: 0,
      };
      await recordUsage(h.store, {
        keyId: key.id,
        at: h.clock.now(),
        requestId: null,
        front: "gateway",
        ...usage,
      });
    };
    await spend("work", 170_000);
    await spend("private", 400_000);
    const all = await run(OPS, "usage 30d by model");
    expect(all).toContain("Usage, last 30 days by model");
    expect(all).toContain("claude-opus-4-8: $2.85");
    expect(await run(DEV, "usage")).toContain("may not see every key");
    const byKey = await run(DEV, "usage by key");
    expect(byKey).toContain("prod/work: $0.85");
    expect(byKey).not.toContain("private");
    expect(byKey).toContain("Total $0.85");
    expect(await run(OPS, "usage key prod/work")).toContain("$0.85");
  });

  it("reports usage by gateway token, each token seen only by who may see its profile", async () => {
    await addViaForm(OPS, "default", "private", PRIVATE);
    const app = h.core.system as unknown as Apikey;
    await app.tokens.create({ name: "alice", profile: "prod" });
    await app.tokens.create({ name: "robot", profile: "default" });
    const tokens = await app.tokens.list();
    const keys = await h.core.system.keys.list({});
    const spend = async (keyName: string, tokenName: string | null, inputTokens: number) => {
      const key = keys.find((k) => k.name === keyName);
      if (!key) throw new Error(`no key ${keyName}`);
      const tokenId = tokens.find((t) => t.name === tokenName)?.id;
      await recordUsage(h.store, {
        keyId: key.id,
        ...(tokenId ? { tokenId } : {}),
        at: h.clock.now(),
        requestId: null,
        front: "gateway",
        model: "claude-opus-4-8",
        inputTokens,
        outputTokens: 0,
        cacheCreationTokens: 0,
        cacheReadTokens: 0,
      });
    };
    await spend("work", "alice", 170_000);
    await spend("private", "robot", 400_000);
    await spend("private", null, 200_000);
    const dev = await run(DEV, "usage by token");
    expect(dev).toContain("Usage, last 7 days by token");
    expect(dev).toContain("alice: $0.85");
    expect(dev).not.toContain("robot");
    expect(dev).not.toContain("no token");
    expect(dev).toContain("Total $0.85");
    const ops = await run(OPS, "usage by token");
    expect(ops).toContain("alice: $0.85");
    expect(ops).toContain("robot: $2.00");
    expect(ops).toContain("(no token): $1.00");
    expect(ops).toContain("Total $3.85");
  });

  it("asks before deleting, and deletes on the confirmed click", async () => {
    const res = await h.command(OPS, "delete work-2");
    const [ask] = await h.slack.waitFor("response_url");
    expect(textOf(ask?.args)).toContain("Delete *work-2*");
    const button = (
      (ask?.args.blocks ?? []) as { elements?: { action_id: string; value: string; confirm?: unknown }[] }[]
    )
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === "apikey_delete");
    expect(button?.confirm).toBeTruthy();
    expect(res.status).toBe(200);
    // Still there until the click.
    expect(await run(OPS, "list prod")).toContain("*work-2*");
    const responseUrl = h.slack.responseUrl();
    await postSigned(
      h.url,
      blockActionBody(OPS, { action_id: "apikey_delete", value: button?.value ?? "" }, { responseUrl }),
    );
    const posts = await h.slack.waitFor("response_url", 3);
    expect(textOf(posts.at(-1)?.args)).toContain("Deleted *work-2*");
    expect(await run(OPS, "list prod")).not.toContain("*work-2*");
  });

  it("publishes a Home tab with the keys, and switches from its button", async () => {
    await postSigned(h.url, eventBody(OPS, { type: "app_home_opened", tab: "home", channel: "D0OPS" }));
    const [home] = await h.slack.waitFor("views.publish");
    const view = textOf(home?.args);
    expect(view).toContain("*work*");
    expect(view).toContain("apikey_home_use");
    const use = (
      (home?.args.view ?? { blocks: [] }) as {
        blocks: { accessory?: { action_id: string; value: string } }[];
      }
    ).blocks
      .map((b) => b.accessory)
      .find((a) => a?.action_id === "apikey_home_use");
    await postSigned(
      h.url,
      blockActionBody(OPS, { action_id: "apikey_home_use", value: use?.value ?? "" }, { home: true }),
    );
    await h.slack.waitFor("views.publish", 2);
    const [post] = await h.slack.waitFor("chat.postMessage");
    expect(String(post?.args.text)).toContain("switched *prod*");
    // A viewer's Home tab has no buttons.
    await postSigned(h.url, eventBody(DEV, { type: "app_home_opened", tab: "home", channel: "D0DEV" }));
    const viewer = (await h.slack.waitFor("views.publish", 3))[2];
    expect(textOf(viewer?.args)).toContain("view only");
    expect(textOf(viewer?.args)).not.toContain("apikey_home_use");
  });
});
