import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { blockActionBody, eventBody, postSigned } from "../../../tests/fixtures/fake-slack-requests.ts";
import { fakeApiKey } from "../../../tests/fixtures/keys.ts";
import { blockProblems, messageProblems, viewProblems } from "../../../tests/fixtures/slack-block-limits.ts";
import { DEV, OPS, TEAM } from "./harness.ts";
import { type StoreHarness, startStoreHarness } from "./store-harness.ts";

// Issue 22 item 6: every message, modal and Home view the bot sends stays within Slack's Block Kit limits, and long
// content pages so that a person reaches every item. The stand-in refuses what Slack refuses (`invalid_blocks`),
// with its own copy of the limits, so a renderer that overflows fails here.

const POLICY = `
workspaces: { teams: [${TEAM}] }
profiles:
  "*":
    view: { groups: [S0ENG] }
    operate: { users: [U0OPS] }
`;

// Spelled out rather than imported, so this file also runs (and fails) against a bot without paging.
const MORE_ACTION = "apikey_more";
const HOME_PAGE_ACTION = "apikey_home_page";

type Msg = { text?: string; blocks?: Array<Record<string, unknown>> };
type Button = { action_id: string; value: string; text: { text: string } };

const buttonsOf = (blocks: Array<Record<string, unknown>> | undefined): Button[] =>
  (blocks ?? []).flatMap((b) => [
    ...((b.elements as Button[] | undefined) ?? []).filter(
      (e) => e && (e as { type?: string }).type === "button",
    ),
    ...(b.accessory ? [b.accessory as Button] : []),
  ]);
const textOf = (blocks: Array<Record<string, unknown>> | undefined): string => JSON.stringify(blocks ?? []);

let h: StoreHarness;
beforeEach(async () => {
  h = await startStoreHarness({ policy: POLICY });
});
afterEach(async () => {
  // Whatever else a test checks: Slack would have shown every message and view the bot sent.
  expect(h.slack.refused().map((c) => `${c.method}: ${c.problems?.slice(0, 3).join("; ")}`)).toEqual([]);
  await h.close();
});

async function seedKeys(profile: string, count: number, prefix = "key") {
  await h.core.system.profiles.create(profile).catch(() => undefined);
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-${String(i).padStart(3, "0")}`;
    await h.core.system.keys.add({
      name,
      profile,
      secret: fakeApiKey(`LIM_${profile}_${i}`),
      validate: false,
    });
  }
}

/** Runs a command, then clicks "Show more" until the last page; every page the person saw, in order. */
async function readAllPages(person: typeof OPS, text: string): Promise<Msg[]> {
  let before = h.slack.callsTo("response_url").length;
  const res = await h.command(person, text);
  expect(res.status).toBe(200);
  const pages: Msg[] = [];
  for (let guard = 0; guard < 50; guard++) {
    const post = (await h.slack.waitFor("response_url", before + 1))[before];
    const msg = post?.args as Msg;
    pages.push(msg);
    const more = buttonsOf(msg.blocks).find((b) => b.action_id === MORE_ACTION);
    if (!more) return pages;
    before = h.slack.callsTo("response_url").length;
    const click = await postSigned(
      h.url,
      blockActionBody(
        person,
        { action_id: MORE_ACTION, value: more.value },
        { responseUrl: h.slack.responseUrl() },
      ),
    );
    expect(click.status).toBe(200);
  }
  throw new Error("more than 50 pages");
}

/** Opens the Home tab, then clicks "Next" until the last page; every view published, in order. */
async function readAllHomePages(person: typeof OPS): Promise<Msg[]> {
  let before = h.slack.callsTo("views.publish").length;
  await postSigned(h.url, eventBody(person, { type: "app_home_opened", tab: "home", channel: "D0HOME" }));
  const views: Msg[] = [];
  for (let guard = 0; guard < 50; guard++) {
    const view = (await h.slack.waitFor("views.publish", before + 1))[before]?.args.view as Msg & {
      private_metadata?: string;
    };
    views.push(view);
    const next = buttonsOf(view.blocks).find(
      (b) => b.action_id === HOME_PAGE_ACTION && b.text.text.startsWith("Next"),
    );
    if (!next) return views;
    before = h.slack.callsTo("views.publish").length;
    await postSigned(
      h.url,
      blockActionBody(
        person,
        { action_id: HOME_PAGE_ACTION, value: next.value },
        { home: true, homeMetadata: view.private_metadata ?? "" },
      ),
    );
  }
  throw new Error("more than 50 Home pages");
}

describe("issue 22 item 6: the stand-in refuses what Slack refuses", () => {
  const section = (n: number) => ({ type: "section", text: { type: "mrkdwn", text: "x".repeat(n) } });
  const button = (text: string, value = "v") => ({
    type: "actions",
    elements: [{ type: "button", action_id: "a", text: { type: "plain_text", text }, value }],
  });
  const modal = (over: Record<string, unknown>) => ({
    type: "modal",
    title: { type: "plain_text", text: "apikey" },
    blocks: [section(10)],
    ...over,
  });

  it("accepts what is exactly at each limit and refuses one past it", () => {
    expect(
      blockProblems(
        "message",
        Array.from({ length: 50 }, () => section(3000)),
      ),
    ).toEqual([]);
    expect(
      blockProblems(
        "message",
        Array.from({ length: 51 }, () => section(1)),
      ),
    ).not.toEqual([]);
    expect(
      blockProblems(
        "home",
        Array.from({ length: 100 }, () => section(1)),
      ),
    ).toEqual([]);
    expect(
      blockProblems(
        "home",
        Array.from({ length: 101 }, () => section(1)),
      ),
    ).not.toEqual([]);
    expect(blockProblems("message", [section(3001)])).not.toEqual([]);
    // Characters, not bytes or code points: an emoji counts as two UTF-16 units, like the bot counts.
    expect(blockProblems("message", [section(2999)])).toEqual([]);
    const fields = (n: number, len: number) => ({
      type: "section",
      fields: Array.from({ length: n }, () => ({ type: "mrkdwn", text: "y".repeat(len) })),
    });
    expect(blockProblems("message", [fields(10, 2000)])).toEqual([]);
    expect(blockProblems("message", [fields(11, 1)])).not.toEqual([]);
    expect(blockProblems("message", [fields(1, 2001)])).not.toEqual([]);
    const header = (n: number) => ({ type: "header", text: { type: "plain_text", text: "h".repeat(n) } });
    expect(blockProblems("message", [header(150)])).toEqual([]);
    expect(blockProblems("message", [header(151)])).not.toEqual([]);
    expect(blockProblems("message", [button("b".repeat(75))])).toEqual([]);
    expect(blockProblems("message", [button("b".repeat(76))])).not.toEqual([]);
    expect(blockProblems("message", [button("b", "v".repeat(2001))])).not.toEqual([]);
    const context = (n: number) => ({
      type: "context",
      elements: Array.from({ length: n }, () => ({ type: "mrkdwn", text: "c" })),
    });
    expect(blockProblems("message", [context(10)])).toEqual([]);
    expect(blockProblems("message", [context(11)])).not.toEqual([]);
    expect(viewProblems(modal({ title: { type: "plain_text", text: "t".repeat(24) } }))).toEqual([]);
    expect(viewProblems(modal({ title: { type: "plain_text", text: "t".repeat(25) } }))).not.toEqual([]);
    expect(viewProblems(modal({ private_metadata: "m".repeat(3001) }))).not.toEqual([]);
    const select = (n: number) =>
      modal({
        submit: { type: "plain_text", text: "Go" },
        blocks: [
          {
            type: "input",
            label: { type: "plain_text", text: "Pick" },
            element: {
              type: "static_select",
              action_id: "s",
              options: Array.from({ length: n }, (_, i) => ({
                text: { type: "plain_text", text: `o${i}` },
                value: `${i}`,
              })),
            },
          },
        ],
      });
    expect(viewProblems(select(100))).toEqual([]);
    expect(viewProblems(select(101))).not.toEqual([]);
    expect(messageProblems({ text: "t", blocks: [section(3001)] })).not.toEqual([]);
  });

  it("answers invalid_blocks to a Web API call and to a response_url post past a limit", async () => {
    const tooMany = Array.from({ length: 51 }, () => section(1));
    const res = await fetch(`${h.slack.apiUrl}chat.postEphemeral`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.slack.botToken}`, "content-type": "application/json" },
      body: JSON.stringify({ channel: "C0CHAN", user: "U0OPS", text: "t", blocks: tooMany }),
    });
    expect(await res.json()).toMatchObject({ ok: false, error: "invalid_blocks" });
    const posted = await fetch(h.slack.responseUrl(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "t", blocks: [section(3001)] }),
    });
    expect(posted.status).toBe(400);
    expect(h.slack.refused()).toHaveLength(2);
    h.slack.calls.length = 0; // these two were refused on purpose
  });
});

describe("issue 22 item 6: long content pages within Slack's limits, and every item can be reached", () => {
  it("a profile of 200 keys: /apikey list pages with Show more, every key on some page", async () => {
    await seedKeys("big", 200);
    const pages = await readAllPages(OPS, "list big");
    expect(pages.length).toBeGreaterThan(1);
    const all = pages.map((p) => textOf(p.blocks)).join("\n");
    for (let i = 0; i < 200; i++) expect(all).toContain(`*key-${String(i).padStart(3, "0")}*`);
    // Each page says where the person is; the last has no "Show more".
    expect(textOf(pages[0]?.blocks)).toContain(`Page 1 of ${pages.length}`);
    expect(buttonsOf(pages.at(-1)?.blocks).some((b) => b.action_id === MORE_ACTION)).toBe(false);
    // status of the same profile fits too (200 keys with budgets make long lines).
    for (let i = 0; i < 200; i += 1)
      await h.core.system.usage.setBudget({
        name: `key-${String(i).padStart(3, "0")}`,
        profile: "big",
        usd: 10,
      });
    const status = await readAllPages(OPS, "status");
    const statusText = status.map((p) => textOf(p.blocks)).join("\n");
    for (let i = 0; i < 200; i += 1) expect(statusText).toContain(`*key-${String(i).padStart(3, "0")}* \``);
  }, 60_000);

  it("60 profiles: the list pages by profile, and a viewer sees every profile too", async () => {
    for (let p = 0; p < 60; p++) await seedKeys(`team-${String(p).padStart(2, "0")}`, 2);
    for (const person of [OPS, DEV]) {
      const pages = await readAllPages(person, "list");
      const all = pages.map((p) => textOf(p.blocks)).join("\n");
      for (let p = 0; p < 60; p++) expect(all).toContain(`Profile *team-${String(p).padStart(2, "0")}*`);
      for (const page of pages) expect((page.blocks ?? []).length).toBeLessThanOrEqual(50);
    }
  }, 60_000);

  it("an audit of 500 entries: /apikey audit 500 pages through all 500", async () => {
    await seedKeys("audited", 100);
    for (let i = 0; i < 400; i++)
      await h.core.system.auditRefusal?.({ action: "test.fill", profile: "audited", reason: "test" });
    const pages = await readAllPages(OPS, "audit 500");
    const lines = pages.flatMap((p) =>
      (p.blocks ?? []).flatMap((b) =>
        String((b.text as { text?: string } | undefined)?.text ?? "")
          .split("\n")
          .filter((l) => /^`\d{4}-\d\d-\d\d \d\d:\d\d`/.test(l)),
      ),
    );
    expect(lines).toHaveLength(500);
    expect(pages.length).toBeGreaterThan(1);
  }, 60_000);

  it("a Home tab of many profiles: pages with Previous/Next, every key reachable, buttons kept", async () => {
    for (let p = 0; p < 40; p++) await seedKeys(`home-${String(p).padStart(2, "0")}`, 4);
    const views = await readAllHomePages(OPS);
    expect(views.length).toBeGreaterThan(1);
    const all = views.map((v) => textOf(v.blocks)).join("\n");
    for (let p = 0; p < 40; p++)
      for (let k = 0; k < 4; k++) expect(all).toContain(`*key-${String(k).padStart(3, "0")}*`);
    for (let p = 0; p < 40; p++) expect(all).toContain(`Profile *home-${String(p).padStart(2, "0")}*`);
    // Every key that is not active keeps its "Use" button on whichever page it lands.
    const uses = views.flatMap((v) => buttonsOf(v.blocks)).filter((b) => b.action_id === "apikey_home_use");
    expect(uses).toHaveLength(40 * 3);
    expect(textOf(views[1]?.blocks)).toContain(`Page 2 of ${views.length}`);
    expect(textOf(views[1]?.blocks)).toContain("Previous");
  }, 60_000);
});
