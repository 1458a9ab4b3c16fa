import { describe, expect, it } from "vitest";
import { filesContaining, leakNeedles } from "../../../tests/fixtures/cli.ts";
import { orgApiKey, startFakeAnthropic } from "../../../tests/fixtures/fake-anthropic.ts";
import { eventBody, postSigned } from "../../../tests/fixtures/fake-slack-requests.ts";
import { fakeAdminKey, fakeApiKey, keyBody } from "../../../tests/fixtures/keys.ts";
import { OPS, TEAM } from "./harness.ts";
import { graceState, startStoreHarness } from "./store-harness.ts";

// The canary: fake keys go in through the add and rotate forms (and one through a command by mistake). None of
// them may appear in any Slack API call, response_url body or ack, in the bot's log, in an audit row, or in any
// file under the data directory — in clear, base64, hex, UTF-16 or as the bare key body.

const POLICY = `
workspaces: { teams: [${TEAM}] }
announcements: C0ANNOUNCE
profiles:
  prod:
    operate: { users: [U0OPS] }
`;

describe("canary", () => {
  it("no key that passed through the bot is ever seen again", async () => {
    const OLD = fakeApiKey("CANARY_OLD");
    const NEW = fakeApiKey("CANARY_NEW");
    const ADMIN = fakeAdminKey("CANARY_ADMIN");
    const TYPED = fakeApiKey("CANARY_TYPED");
    const anthropic = await startFakeAnthropic({ validKeys: [OLD, NEW], adminKeys: [ADMIN] });
    anthropic.setOrgApiKeys([orgApiKey("work", OLD)]);
    const h = await startStoreHarness({ policy: POLICY, anthropic });
    const acks: string[] = [];
    const send = async (p: Promise<{ text: string }>) => acks.push((await p).text);
    try {
      for (const [name, key] of [
        ["work", OLD],
        ["admin", ADMIN],
      ] as const) {
        const opens = h.slack.callsTo("views.open").length;
        await send(h.command(OPS, "add prod"));
        await h.slack.waitForForm(opens + 1);
        const updates = h.slack.callsTo("views.update").length;
        await send(h.submitLastView(OPS, { name, profile: "prod", key }));
        await h.slack.waitFor("views.update", updates + 1);
      }
      await send(h.command(OPS, "rotate work"));
      await h.slack.waitForForm(3);
      const updates = h.slack.callsTo("views.update").length;
      await send(h.submitLastView(OPS, { new_key: NEW }, { grace: graceState(0) }));
      await h.slack.waitFor("views.update", updates + 1);
      await send(h.command(OPS, `use ${TYPED}`));
      for (const text of ["list", "status", "audit 50", "usage by key", "validate work"])
        await send(h.command(OPS, text));
      await send(
        postSigned(h.url, eventBody(OPS, { type: "app_home_opened", tab: "home", channel: "D0OPS" })),
      );
      await h.slack.waitFor("views.publish");
      await h.slack.waitFor("response_url", 5);

      // The flow really ran: the rotation happened and was announced, the typed key was refused.
      const seenText = h.slack.calls.map((c) => c.raw).join("\n");
      expect(seenText).toContain("Rotated");
      expect(acks.join("\n")).toContain("rotate it");

      const audit = JSON.stringify(await h.core.system.audit({ limit: 500 }));
      const everything = [seenText, ...acks, ...h.logs, audit].join("\n");
      for (const secret of [OLD, NEW, ADMIN, TYPED]) {
        for (const needle of leakNeedles(secret, keyBody(secret))) {
          expect(everything.includes(needle.toString("utf8")), `${keyBody(secret).slice(0, 20)} leaked`).toBe(
            false,
          );
        }
        expect(await filesContaining(h.dataDir, leakNeedles(secret, keyBody(secret)))).toEqual([]);
      }
    } finally {
      await h.close();
    }
  });
});
