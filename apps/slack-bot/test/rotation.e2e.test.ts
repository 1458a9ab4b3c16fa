import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { orgApiKey, startFakeAnthropic } from "../../../tests/fixtures/fake-anthropic.ts";
import { fakeAdminKey, fakeApiKey } from "../../../tests/fixtures/keys.ts";
import { DEV, OPS, TEAM } from "./harness.ts";
import { graceState, type StoreHarness, startStoreHarness } from "./store-harness.ts";

// Rotation from Slack, with the old key deactivated through the (fake) Admin API, now or when the grace ends —
// the latter run by the reminder loop on a clock the test moves.

const POLICY = `
workspaces: { teams: [${TEAM}] }
announcements: C0ANNOUNCE
profiles:
  prod:
    view: { groups: [S0ENG] }
    operate: { users: [U0OPS] }
`;
const OLD = fakeApiKey("SLK_ROT_OLD");
const NEW = fakeApiKey("SLK_ROT_NEW");
const ADMIN = fakeAdminKey("SLK_ROT_ADMIN");
const MIN = 60_000;

let h: StoreHarness;
beforeEach(async () => {
  const anthropic = await startFakeAnthropic({ validKeys: [OLD, NEW], adminKeys: [ADMIN] });
  anthropic.setOrgApiKeys([orgApiKey("work", OLD), orgApiKey("other", fakeApiKey("SLK_ROT_OTHER"))]);
  h = await startStoreHarness({ policy: POLICY, anthropic });
  await add("work", OLD);
});
afterEach(async () => {
  await h.close();
});

const textOf = (v: unknown) => JSON.stringify(v ?? {});
const upstreamStatus = async (secret: string) => {
  const res = await fetch(`${h.anthropic.url}/v1/organizations/api_keys?limit=100`, {
    headers: { "x-api-key": ADMIN, "anthropic-version": "2023-06-01" },
  });
  const body = (await res.json()) as { data: { id: string; status: string }[] };
  return body.data.find((k) => k.id === orgApiKey("", secret).id)?.status;
};

async function add(name: string, key: string) {
  const opens = h.slack.callsTo("views.open").length;
  await h.command(OPS, "add prod");
  await h.slack.waitForForm(opens + 1);
  const updates = h.slack.callsTo("views.update").length;
  await h.submitLastView(OPS, { name, profile: "prod", key });
  await h.slack.waitFor("views.update", updates + 1);
}

async function rotate(graceMs: number, secret = NEW, upstream?: "deactivate" | "keep") {
  const opens = h.slack.callsTo("views.open").length;
  await h.command(OPS, "rotate work");
  const form = await h.slack.waitForForm(opens + 1);
  const updates = h.slack.callsTo("views.update").length;
  const selects = {
    grace: graceState(graceMs),
    ...(upstream && { upstream: { type: "static_select", selected_option: { value: upstream } } }),
  };
  const ack = await h.submitLastView(OPS, { new_key: secret }, selects);
  const outcome = (await h.slack.waitFor("views.update", updates + 1))[updates];
  return { form: textOf(form?.args), ack: ack.json, outcome: textOf(outcome?.args) };
}

describe("/apikey rotate (form)", () => {
  it("without an Admin key: rotates, and says the old key must be deactivated by hand", async () => {
    const { form, outcome } = await rotate(0);
    expect(form).toContain("no Admin key");
    expect(outcome).toContain("Rotated *work*");
    expect(outcome).toContain("deactivate it in the Anthropic Console");
    const [post] = await h.slack.waitFor("chat.postMessage");
    expect(String(post?.args.text)).toContain("<@U0OPS> rotated *prod*/*work*");
    expect(await upstreamStatus(OLD)).toBe("active");
  });

  it("with an Admin key and no grace: deactivates the old key upstream at once, and only that key", async () => {
    await add("admin", ADMIN);
    const { form, ack, outcome } = await rotate(0);
    expect(form).toContain("Deactivate the old key");
    expect(JSON.stringify(ack)).toContain("Checking the new key");
    expect(outcome).toContain("The old key is deactivated at Anthropic");
    expect(await upstreamStatus(OLD)).toBe("inactive");
    expect(await upstreamStatus(fakeApiKey("SLK_ROT_OTHER"))).toBe("active");
    const [post] = await h.slack.waitFor("chat.postMessage");
    expect(String(post?.args.text)).toContain("deactivated at Anthropic");
  });

  it("with an Admin key, the person may keep the old key active upstream: nothing is owed or deactivated", async () => {
    await add("admin", ADMIN);
    const { form, outcome } = await rotate(0, NEW, "keep");
    expect(form).toContain("Leave it active");
    expect(outcome).toContain("stays active at Anthropic, as asked");
    expect(await upstreamStatus(OLD)).toBe("active");
  });

  it("with a grace period: owes the deactivation, which the reminder loop runs once the grace has ended", async () => {
    await add("admin", ADMIN);
    const { outcome } = await rotate(15 * MIN);
    expect(outcome).toContain("keeps working until 2026-11-02 09:15 UTC");
    const reminders = h.bot.reminders;
    if (!reminders) throw new Error("no reminder loop");
    h.clock.advance(10 * MIN);
    await reminders.runNow();
    expect(await upstreamStatus(OLD)).toBe("active");
    h.clock.advance(6 * MIN);
    await reminders.runNow();
    expect(await upstreamStatus(OLD)).toBe("inactive");
    await reminders.runNow();
    const posts = h.slack.callsTo("chat.postMessage").map((c) => String(c.args.text));
    expect(posts.filter((t) => t.includes("Deactivated the old key of *prod*/*work*"))).toHaveLength(1);
  });

  it("refuses the same key, and a viewer", async () => {
    const same = await rotate(0, OLD);
    expect(same.outcome).toContain("Nothing was changed");
    const opens = h.slack.callsTo("views.open").length;
    expect(await (await h.command(DEV, "rotate work")).status).toBe(200);
    // The form opens at once (the trigger expires in 3 s) and says there that the viewer may not rotate.
    const refused = await h.slack.waitForForm(opens + 1);
    expect(textOf(refused.args)).toContain("not allowed to change profile *prod*");
  });
});
