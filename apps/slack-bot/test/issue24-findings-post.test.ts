import { afterEach, describe, expect, it } from "vitest";
import { orgApiKey, startFakeAnthropic } from "../../../tests/fixtures/fake-anthropic.ts";
import { fakeAdminKey, fakeApiKey } from "../../../tests/fixtures/keys.ts";
import { startHarness } from "./harness.ts";
import { type StoreHarness, startStoreHarness } from "./store-harness.ts";

// Issue 24 item 4: the bot posts each finding over reported usage to its announcements channel once — across
// passes, restarts and replicas (the finding's stable id is claimed in the store first) — in core's words, with
// what came from outside (an organization key's name, typed by anyone in the Console) escaped.

const POLICY = `
workspaces: { teams: [T0TEAM] }
announcements: C0ANNOUNCE
profiles:
  default:
    operate: { users: [U0OPS] }
`;
const ADMIN = fakeAdminKey("SLK_FIND_ADMIN");
const WORK = fakeApiKey("SLK_FIND_WORK");
const STRANGER = fakeApiKey("SLK_FIND_STRANGER");

let h: StoreHarness;
afterEach(async () => {
  await h?.close();
});

const posts = () => h.slack.callsTo("chat.postMessage").map((c) => String(c.args.text));

describe("issue 24: findings posted to the announcements channel once each", () => {
  it("an unknown organization key is announced once, its name escaped; a replica does not repeat it", async () => {
    const anthropic = await startFakeAnthropic({
      adminKeys: [ADMIN],
      orgApiKeys: [orgApiKey("work", WORK), orgApiKey("<!channel> laptop", STRANGER)],
    });
    h = await startStoreHarness({ policy: POLICY, anthropic });
    await h.core.system.keys.add({ name: "admin", secret: ADMIN, validate: false });
    await h.core.system.keys.add({ name: "work", secret: WORK, validate: false });

    await h.bot.reminders?.runNow();
    expect(posts().filter((p) => p.includes("not in the store"))).toEqual([]); // nothing synced yet

    await h.core.system.usage.sync();
    await h.bot.reminders?.runNow();
    const found = posts().filter((p) => p.includes("not in the store"));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(orgApiKey("x", STRANGER).id);
    expect(found[0]).toContain("&lt;!channel&gt; laptop");
    expect(found[0]).not.toContain("<!channel>");
    // Neither key's secret, only the hint Anthropic gives.
    for (const p of posts()) {
      expect(p).not.toContain(STRANGER.slice(20, 60));
      expect(p).not.toContain(WORK.slice(20, 60));
    }

    // Again, and from a second replica on the same store: claimed, so not posted again.
    await h.bot.reminders?.runNow();
    const replica = await startHarness({
      policy: POLICY,
      core: h.core.coreFor,
      claims: h.core.claims,
      clock: h.clock,
      reminders: { core: h.core.system, clock: h.clock, autoStart: false },
    });
    try {
      await replica.bot.reminders?.runNow();
      const replicaPosts = replica.slack.callsTo("chat.postMessage").map((c) => String(c.args.text));
      expect(replicaPosts.filter((p) => p.includes("not in the store"))).toEqual([]);
    } finally {
      await replica.close();
    }
    expect(posts().filter((p) => p.includes("not in the store"))).toHaveLength(1);
  });
});
