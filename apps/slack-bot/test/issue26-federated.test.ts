import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../../../tests/fixtures/fake-anthropic.ts";
import { eventBody, postSigned } from "../../../tests/fixtures/fake-slack-requests.ts";
import { fakeApiKey } from "../../../tests/fixtures/keys.ts";
import { DEV, everythingSeen, OPS, TEAM } from "./harness.ts";
import { type StoreHarness, startStoreHarness } from "./store-harness.ts";

// Issue 26: a federated key in the Slack bot, on signed requests to the real receiver and a real SQLite store. It is
// shown as core's view says ("federated — nothing to rotate"), `rotate` answers with core's reason instead of a
// form, the Home tab offers no Rotate button for it, and no identity token or minted token reaches Slack or the logs.

const POLICY = `
workspaces: { teams: [${TEAM}] }
announcements: C0ANNOUNCE
profiles:
  prod:
    view: { groups: [S0ENG] }
    operate: { users: [U0OPS] }
`;
const RULE = "fdrl_FAKE_TEST_slack";
/** The identity token file's content: listing, status and rotate have no reason to read it, and never show it. */
const IDENTITY = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJGQUtFX1RFU1QifQ.FAKE_TEST_SIGNATURE";

let h: StoreHarness;
beforeEach(async () => {
  h = await startStoreHarness({ policy: POLICY, anthropic: await startFakeAnthropic() });
  await h.core.system.keys.add({
    name: "static",
    profile: "prod",
    secret: fakeApiKey("SLK_FED_STATIC"),
    validate: false,
    createProfile: true,
  });
  const identityFile = join(h.dataDir, "identity-token.jwt");
  writeFileSync(identityFile, IDENTITY, { mode: 0o600 });
  await h.core.system.keys.addFederated({
    name: "team",
    profile: "prod",
    validation: null,
    settings: {
      version: 1,
      ruleId: RULE,
      organizationId: "00000000-0000-4000-8000-0000000051ac",
      serviceAccountId: null,
      workspaceId: null,
      baseUrl: null,
      identityToken: { source: "file", path: identityFile },
    },
  });
  await h.core.system.keys.use("team", "prod");
});
afterEach(async () => {
  await h.close();
});

const textOf = (v: unknown) => JSON.stringify(v ?? {});

async function run(person: typeof OPS, text: string): Promise<string> {
  const before = h.slack.callsTo("response_url").length;
  const res = await h.command(person, text);
  expect(res.status).toBe(200);
  if (res.text) return res.text;
  const posts = await h.slack.waitFor("response_url", before + 1);
  return textOf(posts[before]?.args);
}

describe("issue 26: a federated key in the Slack bot", () => {
  it("list and status show it as core does: federated, nothing to rotate", async () => {
    const [view] = await h.core.system.keys
      .list({ profile: "prod" })
      .then((ks) => ks.filter((k) => k.name === "team"));
    expect(view?.masked).toBe(`federated — nothing to rotate (${RULE})`);
    const list = await run(DEV, "list prod");
    expect(list).toContain("*team*");
    expect(list).toContain(view?.masked);
    const status = await run(DEV, "status");
    expect(status).toContain("active: *team*");
  });

  it("rotate answers with core's reason and opens no rotate form", async () => {
    const opens = h.slack.callsTo("views.open").length;
    await h.command(OPS, "rotate team");
    await h.slack.waitFor("views.open", opens + 1);
    const [update] = await h.slack.waitFor("views.update", 1);
    const shown = textOf(update?.args);
    expect(shown).toContain('Key \\"team\\" is federated — nothing to rotate.');
    expect(shown).not.toContain("new_key");
  });

  it("the Home tab offers Rotate for a static active key but not for the federated one", async () => {
    type HomeView = { blocks: Array<{ text?: { text: string }; accessory?: { action_id: string } }> };
    const blockOf = async (n: number, name: string) => {
      const published = (await h.slack.waitFor("views.publish", n))[n - 1];
      return (published?.args.view as HomeView | undefined)?.blocks.find((b) =>
        b.text?.text.includes(`*${name}*`),
      );
    };
    await postSigned(h.url, eventBody(OPS, { type: "app_home_opened", tab: "home", channel: "D0OPS" }));
    const team = await blockOf(1, "team");
    expect(team?.text?.text).toContain("nothing to rotate");
    expect(team?.accessory).toBeUndefined();
    await h.core.system.keys.use("static", "prod");
    await postSigned(h.url, eventBody(OPS, { type: "app_home_opened", tab: "home", channel: "D0OPS" }));
    expect((await blockOf(2, "static"))?.accessory?.action_id).toBe("apikey_home_rotate");
  });

  it("canary: no identity token or minted token reaches Slack or the logs", async () => {
    await run(DEV, "list prod");
    await run(DEV, "status");
    const seen = everythingSeen(h);
    expect(seen).not.toContain(IDENTITY);
    expect(seen).not.toMatch(/sk-ant-oat01-/);
  });
});
