import { afterEach, describe, expect, it } from "vitest";
import { orgApiKey, startFakeAnthropic } from "../../../tests/fixtures/fake-anthropic.ts";
import { fakeAdminKey, fakeApiKey } from "../../../tests/fixtures/keys.ts";
import { type Harness, startHarness } from "./harness.ts";
import { type StoreHarness, startStoreHarness } from "./store-harness.ts";

// Issue 24: the bot runs `usage sync` on a schedule when told to (off by default), once per period across
// replicas: two bots on one store, each asked by its reminder loop, read the Admin API once.

const ADMIN = fakeAdminKey("SLK_SYNC_ADMIN");
const WORK = fakeApiKey("SLK_SYNC_WORK");
const HOUR = 3_600_000;

let h: StoreHarness;
let replica: Harness | undefined;
afterEach(async () => {
  await replica?.close();
  replica = undefined;
  await h.close();
});

async function start(usageSyncMinutes?: number) {
  const anthropic = await startFakeAnthropic({ adminKeys: [ADMIN], orgApiKeys: [orgApiKey("work", WORK)] });
  h = await startStoreHarness({ anthropic, ...(usageSyncMinutes ? { usageSyncMinutes } : {}) });
  await h.core.system.keys.add({ name: "admin", secret: ADMIN, validate: false });
  await h.core.system.keys.add({ name: "work", secret: WORK, validate: false });
  const id = orgApiKey("work", WORK).id;
  anthropic.seedReportedUsage([
    {
      apiKeyId: id,
      model: "claude-sonnet-4-5",
      at: new Date(h.clock.now().getTime() - 5 * HOUR),
      uncachedInput: 1000,
      output: 100,
    },
  ]);
}

const reportReads = () =>
  h.anthropic.requests.filter((r) => r.path === "/v1/organizations/usage_report/messages").length;

describe("issue 24: usage sync on a schedule", () => {
  it("off by default: the reminder loop never reads the usage report", async () => {
    await start();
    await h.bot.reminders?.runNow();
    expect(reportReads()).toBe(0);
  });

  it("once per period across two replicas on one store; again in the next period", async () => {
    await start(60);
    replica = await startHarness({
      core: h.core.coreFor,
      claims: h.core.claims,
      clock: h.clock,
      reminders: { core: h.core.system, clock: h.clock, autoStart: false, usageSyncMinutes: 60 },
    });
    await h.bot.reminders?.runNow();
    const first = reportReads();
    expect(first).toBeGreaterThan(0);
    const [total] = await h.store.reportedUsage.totalsByKey({
      since: new Date(h.clock.now().getTime() - 24 * HOUR),
    });
    expect(total).toMatchObject({ inputTokens: 1000, outputTokens: 100 });
    expect(total?.keyId).not.toBeNull();
    // The other replica, and the first again, in the same hour: the period is claimed.
    await replica.bot.reminders?.runNow();
    await h.bot.reminders?.runNow();
    expect(reportReads()).toBe(first);
    h.clock.advance(HOUR);
    await replica.bot.reminders?.runNow();
    expect(reportReads()).toBeGreaterThan(first);
    const audited = (await h.core.system.audit({ limit: 50 })).filter((a) => a.action === "usage.sync");
    expect(audited).toHaveLength(2);
  });
});
