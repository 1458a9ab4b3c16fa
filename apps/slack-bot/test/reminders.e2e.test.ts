import { loadConfig } from "@apikey/core";
import { recordUsage } from "@apikey/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../../../tests/fixtures/fake-anthropic.ts";
import { postSigned, slashCommandBody } from "../../../tests/fixtures/fake-slack-requests.ts";
import { fakeApiKey } from "../../../tests/fixtures/keys.ts";
import { openBotCore } from "../src/core-adapter.ts";
import { redactingLogger } from "../src/logger.ts";
import { reminderPass } from "../src/scheduler/reminders.ts";
import { OPS, startHarness, TEAM } from "./harness.ts";
import { MASTER_KEY, type StoreHarness, startStoreHarness } from "./store-harness.ts";

// Reminders on a clock the test moves: budgets crossing 80 % and 100 %, keys past their rotation age. Each is
// posted once, even by a restarted bot or a second replica on the same store.

const POLICY = `
workspaces: { teams: [${TEAM}] }
announcements: C0ANNOUNCE
profiles:
  prod:
    operate: { users: [U0OPS] }
`;
const WORK = fakeApiKey("SLK_REM_WORK");
const DAY = 86_400_000;

let h: StoreHarness;
beforeEach(async () => {
  const anthropic = await startFakeAnthropic({ validKeys: [WORK] });
  h = await startStoreHarness({ policy: POLICY, anthropic });
  await h.command(OPS, "add prod");
  await h.slack.waitForForm();
  await h.submitLastView(OPS, { name: "work", profile: "prod", key: WORK });
  await h.slack.waitFor("views.update", 2);
});
afterEach(async () => {
  await h.close();
});

const posts = () => h.slack.callsTo("chat.postMessage").map((c) => String(c.args.text));
const spend = async (inputTokens: number) => {
  const [key] = await h.core.system.keys.list({ profile: "prod" });
  if (!key) throw new Error("no key");
  // claude-opus-4-8 input is $5 per million tokens.
  await recordUsage(
    h.store,
    {
      keyId: key.id,
      at: h.clock.now(),
      model: "claude-opus-4-8",
      inputTokens,
      outputTokens: 0,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      requestId: null,
      front: "gateway",
    },
    h.clock.now(),
  );
};

describe("reminders", () => {
  it("posts a budget crossing 80 % and then 100 %, each once, even after a restart", async () => {
    await h.command(OPS, "budget set work 1");
    await h.slack.waitFor("response_url", 1);
    const loop = h.bot.reminders;
    if (!loop) throw new Error("no loop");
    await loop.runNow();
    expect(posts()).toEqual([]);

    await spend(170_000); // $0.85
    await loop.runNow();
    await loop.runNow();
    expect(posts().filter((t) => t.includes("85 % of its monthly budget"))).toHaveLength(1);

    // A restarted bot (a new core over the same files) remembers what was sent.
    const restarted = await openBotCore(
      loadConfig({
        APIKEY_HOME: h.dataDir,
        APIKEY_MASTER_KEY: MASTER_KEY,
        ANTHROPIC_BASE_URL: h.anthropic.url,
      }),
      { now: h.clock.now },
    );
    const sentAfterRestart: string[] = [];
    const pass = () =>
      reminderPass(h.clock.now(), {
        core: restarted.system,
        post: async (t) => void sentAfterRestart.push(t),
        logger: redactingLogger({ write: () => {} }),
      });
    await pass();
    expect(sentAfterRestart).toEqual([]);

    await spend(40_000); // $1.05
    await Promise.all([loop.runNow(), pass()]);
    const full = [...posts(), ...sentAfterRestart].filter((t) => t.includes("has used its monthly budget"));
    expect(full).toHaveLength(1);
    expect(full[0]).toContain("$1.05 of $1.00");
    await restarted.close();
  });

  it("issue 21: exactly 100 % of the budget is core's warn, not over; a cent past it is over", async () => {
    await h.command(OPS, "budget set work 1");
    await h.slack.waitFor("response_url", 1);
    const loop = h.bot.reminders;
    if (!loop) throw new Error("no loop");
    await spend(200_000); // $1.00: all of it, not past it
    await loop.runNow();
    expect(posts()).toEqual([
      ":warning: *prod*/*work* has used 100 % of its monthly budget ($1.00 of $1.00).",
    ]);
    await spend(2_000); // $1.01
    await loop.runNow();
    expect(posts().at(-1)).toBe(":red_circle: *prod*/*work* has used its monthly budget ($1.01 of $1.00).");
    expect(posts()).toHaveLength(2);
  });

  it("posts a key past its rotation age once", async () => {
    const loop = h.bot.reminders;
    if (!loop) throw new Error("no loop");
    h.clock.advance(89 * DAY);
    await loop.runNow();
    expect(posts()).toEqual([]);
    h.clock.advance(2 * DAY);
    await loop.runNow();
    await loop.runNow();
    const due = posts().filter((t) => t.includes("past its rotation age"));
    expect(due).toEqual([":hourglass: *prod*/*work* is past its rotation age: `/apikey rotate work`."]);
  });
});

describe("replicas on one store", () => {
  it("run a replayed request once, whichever replica gets each copy", async () => {
    const second = await startHarness({ policy: POLICY, core: h.core.coreFor, claims: h.core.claims });
    const body = slashCommandBody(OPS, "list", h.slack.responseUrl());
    const ts = Math.floor(Date.now() / 1000);
    const [a, b] = await Promise.all([
      postSigned(h.url, body, { timestamp: ts }),
      postSigned(second.url, body, { timestamp: ts }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await h.slack.waitFor("response_url");
    // Give a second (wrong) execution time to show up before counting.
    await new Promise((r) => setTimeout(r, 300));
    await second.close();
    const lists = h.slack.callsTo("response_url").filter((c) => JSON.stringify(c.args).includes("Your keys"));
    expect(lists).toHaveLength(1);
  });
});
