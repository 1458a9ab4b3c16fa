import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../../../tests/fixtures/fake-anthropic.ts";
import { blockActionBody, eventBody, postSigned } from "../../../tests/fixtures/fake-slack-requests.ts";
import { fakeApiKey } from "../../../tests/fixtures/keys.ts";
import { DEV, OPS, STRANGER, TEAM } from "./harness.ts";
import { type StoreHarness, startStoreHarness } from "./store-harness.ts";

// Issue 22 items 7-10 end to end: signed requests to the real receiver, a real SQLite store, the stand-in of Slack
// (which refuses over-limit blocks and can answer 429 with Retry-After).

const POLICY = `
workspaces: { teams: [${TEAM}] }
announcements: C0ANNOUNCE
profiles:
  prod:
    view: { groups: [S0ENG] }
    operate: { users: [U0OPS] }
`;
const WORK = fakeApiKey("I22_WORK");
const WORK2 = fakeApiKey("I22_WORK2");
const NEXT = fakeApiKey("I22_NEXT");

let h: StoreHarness;
beforeEach(async () => {
  const anthropic = await startFakeAnthropic({ validKeys: [WORK, WORK2, NEXT] });
  h = await startStoreHarness({ policy: POLICY, anthropic });
  await h.core.system.profiles.create("prod");
  await h.core.system.keys.add({ name: "work", profile: "prod", secret: WORK, validate: false });
  await h.core.system.keys.add({ name: "work-2", profile: "prod", secret: WORK2, validate: false });
});
afterEach(async () => {
  expect(h.slack.refused()).toEqual([]);
  await h.close();
});

const json = (v: unknown) => JSON.stringify(v ?? {});
const homeMeta = JSON.stringify({ v: "home", p: 0 });

async function openHome(person: typeof OPS) {
  const before = h.slack.callsTo("views.publish").length;
  await postSigned(h.url, eventBody(person, { type: "app_home_opened", tab: "home", channel: "D0HOME" }));
  return (await h.slack.waitFor("views.publish", before + 1))[before];
}

async function clickHome(person: typeof OPS, actionId: string, ref: { profile: string; name: string }) {
  const before = h.slack.callsTo("views.publish").length;
  const res = await postSigned(
    h.url,
    blockActionBody(
      person,
      { action_id: actionId, value: JSON.stringify(ref) },
      { home: true, homeMetadata: homeMeta },
    ),
  );
  expect(res.status).toBe(200);
  return before;
}

async function reply(person: typeof OPS, text: string): Promise<string> {
  const before = h.slack.callsTo("response_url").length;
  const res = await h.command(person, text);
  if (res.text) return res.text;
  return json((await h.slack.waitFor("response_url", before + 1))[before]?.args);
}

describe("issue 22 item 7: a Home tab button that is refused or fails says so", () => {
  it("Use refused (a viewer, a forged button) and Use failed (a disabled key) are shown at the top of the Home tab", async () => {
    const refused = await clickHome(DEV, "apikey_home_use", { profile: "prod", name: "work-2" });
    const [shown] = (await h.slack.waitFor("views.publish", refused + 1)).slice(refused);
    expect(json(shown?.args)).toContain("was not made active");
    expect(json(shown?.args)).toContain("not allowed to change profile *prod*");

    await h.core.system.keys.disable("work-2", "prod");
    const failed = await clickHome(OPS, "apikey_home_use", { profile: "prod", name: "work-2" });
    const [after] = (await h.slack.waitFor("views.publish", failed + 1)).slice(failed);
    expect(json(after?.args)).toContain(":warning: *work-2* was not made active");
    expect(json(after?.args)).toContain("/apikey enable NAME");

    // A name that is not there at all (deleted meanwhile) is said too, not only logged.
    const gone = await clickHome(OPS, "apikey_home_use", { profile: "prod", name: "gone" });
    const [missing] = (await h.slack.waitFor("views.publish", gone + 1)).slice(gone);
    expect(json(missing?.args)).toContain("*gone* was not made active");

    // Success is said as well.
    const ok = await clickHome(OPS, "apikey_home_use", { profile: "prod", name: "work" });
    const [done] = (await h.slack.waitFor("views.publish", ok + 1)).slice(ok);
    expect(json(done?.args)).toContain("now uses *work*");
  });

  it("Rotate… refused opens the form saying why; Rotate… whose form cannot open says so on the Home tab", async () => {
    const opens = h.slack.callsTo("views.open").length;
    await clickHome(DEV, "apikey_home_rotate", { profile: "prod", name: "work" });
    const form = await h.slack.waitForForm(opens + 1);
    expect(json(form.args)).toContain("not allowed to change profile *prod*");

    h.slack.rateLimit("views.open", 30);
    const before = await clickHome(OPS, "apikey_home_rotate", { profile: "prod", name: "work" });
    const [home] = (await h.slack.waitFor("views.publish", before + 1)).slice(before);
    expect(json(home?.args)).toContain("rotate form for *work* could not open");
    expect(json(home?.args)).toContain("Try again in 30 seconds");
  });
});

describe("issue 22 item 8: forms open at once in a loading state; 429 is handled on every call path", () => {
  it("opens the form before any rights look-up, and fills it after waiting out a 429 from Slack", async () => {
    // DEV's rights come from a user group: usergroups.users.list is limited once, for 1 s.
    h.slack.rateLimit("usergroups.users.list", 1);
    const started = Date.now();
    await h.command(DEV, "rotate work");
    const [opened] = await h.slack.waitFor("views.open");
    expect(json(opened?.args)).toContain("Loading");
    const order = h.slack.calls.map((c) => c.method);
    const openAt = order.indexOf("views.open");
    expect(openAt).toBeGreaterThanOrEqual(0);
    const lookups = order.indexOf("usergroups.users.list");
    expect(lookups === -1 || lookups > openAt).toBe(true);
    const filled = await h.slack.waitForForm(1);
    expect(json(filled.args)).toContain("not allowed to change profile *prod*");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(h.slack.callsTo("usergroups.users.list").length).toBe(2);

    // The add form too: the loading view is the first thing Slack hears of.
    const calls = h.slack.calls.length;
    await h.command(OPS, "add prod");
    await h.slack.waitForForm(2);
    expect(h.slack.calls.slice(calls).map((c) => c.method)[0]).toBe("views.open");
  });

  it("a 429 on views.open (the trigger cannot wait) tells the person to try again, in how long", async () => {
    h.slack.rateLimit("views.open", 20);
    const text = await reply(OPS, "add prod");
    expect(text).toContain("Slack asked the bot to slow down");
    expect(text).toContain("Try again in 20 seconds");
  });

  it("a 429 on views.publish and on chat.postMessage is waited out once, then the call is made", async () => {
    h.slack.rateLimit("views.publish", 1);
    const home = await openHome(OPS);
    expect(home?.response).toMatchObject({ ok: false, error: "ratelimited" });
    await h.slack.waitFor("views.publish", 2, 5_000);
    expect(h.slack.callsTo("views.publish")[1]?.response).toMatchObject({ ok: true });

    h.slack.rateLimit("chat.postMessage", 1);
    expect(await reply(OPS, "use work-2")).toContain("now uses *work-2*");
    const posts = await h.slack.waitFor("chat.postMessage", 2, 5_000);
    expect(posts[1]?.response).toMatchObject({ ok: true });
  });

  it("a 429 that lasts longer than a look-up may wait says 'try again', not 'not allowed'", async () => {
    h.slack.rateLimit("usergroups.users.list", 60);
    const text = await reply(DEV, "list prod");
    expect(text).toContain("Try again in 60 seconds");
    expect(text).not.toContain("not allowed");
  });
});

describe("issue 22 item 9: a manual deactivation waiting for a person says what to do, not '(failed)'", () => {
  it("after a rotation in a profile without an Admin key, the Home tab and status point at the Anthropic Console", async () => {
    await h.core.system.keys.rotate({
      name: "work",
      profile: "prod",
      newSecret: NEXT,
      graceMs: 0,
      validate: false,
    });
    const home = json((await openHome(OPS))?.args);
    expect(home).not.toContain("(failed)");
    expect(home).toContain(
      "The old key of *work* still works at Anthropic: deactivate it in the Anthropic Console",
    );
    const status = await reply(OPS, "status");
    expect(status).not.toContain("(failed)");
    expect(status).toContain("deactivate it in the Anthropic Console");
  });
});

describe("issue 22 item 10: every refusal is audited; a person with no rights is told so", () => {
  it("'No key named …' for use, rename, delete and rotate leaves an audit entry, never the typed name", async () => {
    for (const text of ["use nothere", "rename nothere other", "delete nothere", "validate nothere"]) {
      expect(await reply(DEV, text)).toContain("No key named *nothere*");
    }
    await h.command(DEV, "rotate nothere");
    expect(json((await h.slack.waitForForm(1)).args)).toContain("No key named *nothere*");
    // A name that is not a name (maybe a mistyped secret) is refused and audited without being written down.
    expect(await reply(DEV, "use bad*name")).toContain("not a valid key name");
    const refusals = (await h.core.system.audit({ limit: 100 })).filter((a) =>
      a.action.startsWith("refused."),
    );
    const actions = refusals.map((a) => a.action).sort();
    expect(actions).toEqual(
      [
        "refused.delete",
        "refused.rename",
        "refused.rotate",
        "refused.use",
        "refused.use",
        "refused.validate",
      ].sort(),
    );
    expect(refusals.map((r) => r.details.reason)).toContain("not-found");
    expect(refusals.map((r) => r.details.reason)).toContain("bad-key-name");
    expect(JSON.stringify(refusals)).not.toContain("nothere");
    expect(JSON.stringify(refusals)).not.toContain("bad*name");
  });

  it("someone with no rights anywhere is told so, and never pointed at /apikey add", async () => {
    for (const text of ["list", "status", "audit", "use work", "delete work"]) {
      const answer = await reply(STRANGER, text);
      expect(answer).toContain("You have no access to any profile");
      expect(answer).not.toContain("/apikey add");
    }
    // A viewer with no keys to see is not pointed at a form they may not use either.
    await h.core.system.keys.delete("work", "prod");
    await h.core.system.keys.delete("work-2", "prod");
    const viewer = await reply(DEV, "list");
    expect(viewer).toContain("No keys you may see yet");
    expect(viewer).not.toContain("/apikey add");
    expect(await reply(OPS, "list")).toContain("/apikey add");
  });
});
