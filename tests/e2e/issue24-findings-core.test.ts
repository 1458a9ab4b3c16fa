import { type Apikey, loadConfig, masterKeySource, openApikey } from "@apikey/core";
import type { Store } from "@apikey/core/store";
import { openStore } from "@apikey/storage/better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeHome, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { type FakeAnthropic, orgApiKey, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { fakeAdminKey, fakeApiKey } from "../fixtures/keys.ts";

// Issue 24's findings through the app, in process against a real SQLite file and the stand-in's usage report:
// gateway-only profiles, disabled and deleted keys (the link to a deleted key outlives it), and when a sync is due.
// The app's clock is the seam that puts a change in the past.

const ADMIN = fakeAdminKey("FINDINGS_CORE");
const GW = fakeApiKey("FINDINGS_CORE_GW");
const DISABLED = fakeApiKey("FINDINGS_CORE_DISABLED");
const DELETED = fakeApiKey("FINDINGS_CORE_DELETED");
const SONNET = "claude-sonnet-4-5-20250929";
const HOUR = 3_600_000;
const ORG_KEYS = [orgApiKey("gw", GW), orgApiKey("disabled", DISABLED), orgApiKey("deleted", DELETED)];
const [GW_ID, DISABLED_ID, DELETED_ID] = ORG_KEYS.map((k) => k.id) as [string, string, string];

let home: TestHome;
let store: Store;
let fake: FakeAnthropic;
let opened: Apikey[];

/** The app, its clock `offsetMs` from now (negative: in the past). */
function appAt(offsetMs = 0): Apikey {
  const app = openApikey({
    store,
    masterKeys: [masterKeySource(TEST_MASTER_KEY)],
    config: loadConfig({ APIKEY_HOME: home.dataDir, ANTHROPIC_BASE_URL: fake.url }),
    actor: "cli:tester@host",
    front: "cli",
    now: () => new Date(Date.now() + offsetMs),
  });
  opened.push(app);
  return app;
}

const ago = (ms: number) => new Date(Date.now() - ms);
// On the half hour, so an hour's usage is never split by the clock moving on during the test.
const hoursAgo = (h: number) => new Date((Math.floor(Date.now() / HOUR) - h) * HOUR + HOUR / 2);
const use = (apiKeyId: string, at: Date) => ({
  apiKeyId,
  model: SONNET,
  at,
  uncachedInput: 1000,
  output: 100,
});

beforeEach(async () => {
  opened = [];
  fake = await startFakeAnthropic({
    adminKeys: [ADMIN],
    validKeys: [GW, DISABLED, DELETED],
    orgApiKeys: ORG_KEYS,
  });
  home = await makeHome();
  store = await openStore({ path: home.storePath });
  const app = appAt();
  await app.profiles.create("org");
  await app.profiles.create("team");
  await app.keys.add({ name: "admin", secret: ADMIN, profile: "org", validate: false });
  await app.keys.add({ name: "gw", secret: GW, profile: "team", validate: false });
  await app.keys.add({ name: "disabled", secret: DISABLED, validate: false });
  await app.keys.add({ name: "deleted", secret: DELETED, validate: false });
});
afterEach(async () => {
  await opened[0]?.close();
  await fake.close();
  await home.cleanup();
});

describe("issue 24: findings through the app", () => {
  it("a gateway-only profile's key: hours reported with nothing recorded are findings, one per key and day", async () => {
    const marked = await appAt(-2 * 24 * HOUR).profiles.setGatewayOnly("team", true);
    expect(marked).toMatchObject({ profile: "team", gatewayOnly: true, changed: true });
    expect(await appAt().profiles.setGatewayOnly("team", true)).toMatchObject({ changed: false });
    const audit = await appAt().audit({ limit: 100 });
    expect(audit.filter((a) => a.action === "profile.gateway_only")).toEqual([
      expect.objectContaining({ profile: "team", details: { profile: "team", gatewayOnly: true } }),
    ]);
    const gw = await store.keys.byName("team", "gw");
    if (!gw) throw new Error("no key");
    // Hour -5 went through the gateway (recorded); hour -4 did not.
    await store.usage.record({
      keyId: gw.id,
      at: hoursAgo(5),
      model: SONNET,
      inputTokens: 1000,
      outputTokens: 100,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      costUsd: 0.0045,
      requestId: null,
      front: "proxy",
    });
    fake.seedReportedUsage([use(GW_ID, hoursAgo(5)), use(GW_ID, hoursAgo(4))]);
    const app = appAt();
    await app.usage.sync({ since: ago(24 * HOUR) });
    const { findings } = await app.usage.findings();
    const outside = findings.filter((f) => f.kind === "used-outside-gateway");
    const h4 = new Date(Math.floor(hoursAgo(4).getTime() / HOUR) * HOUR);
    expect(outside).toEqual([
      expect.objectContaining({
        id: `used-outside-gateway:${gw.id}:${h4.toISOString().slice(0, 10)}`,
        hours: [h4],
        tokens: 1100,
        key: { id: gw.id, name: "gw", profile: "team" },
      }),
    ]);
    // Cleared: no finding (and the clearing is audited).
    expect(await app.profiles.setGatewayOnly("team", false)).toMatchObject({ changed: true, since: null });
    expect((await app.usage.findings()).counts["used-outside-gateway"]).toBe(0);
    await expect(app.profiles.setGatewayOnly("nope", true)).rejects.toMatchObject({
      code: "E_PROFILE_NOT_FOUND",
    });
  });

  it("disabled and deleted keys used after the fact; the deleted key's link outlives it", async () => {
    const past = appAt(-10 * HOUR);
    await past.keys.disable("disabled");
    fake.seedReportedUsage([
      use(DISABLED_ID, hoursAgo(20)), // before it was disabled: no finding
      use(DISABLED_ID, hoursAgo(4)),
      use(DELETED_ID, hoursAgo(3)),
    ]);
    const app = appAt();
    await app.usage.sync({ since: ago(30 * HOUR) });
    const deletedKey = await store.keys.byName("default", "deleted");
    await appAt(-6 * HOUR).keys.delete("deleted");
    // The next sync no longer finds the key in the store: its organization key stays linked to it all the same.
    await app.usage.sync({ since: ago(30 * HOUR) });
    const report = await app.usage.findings();
    expect(report.counts).toEqual({
      "used-after-retired": 2,
      "used-outside-gateway": 0,
      "unknown-org-key": 0,
      "reported-over-budget": 0,
    });
    const byName = (name: string) =>
      report.findings.find((f) => f.kind === "used-after-retired" && f.key.name === name);
    expect(byName("disabled")).toMatchObject({ retired: "disabled", tokens: 1100 });
    const deleted = report.findings.find((f) => f.kind === "used-after-retired" && f.retired === "deleted");
    expect(deleted).toMatchObject({ key: { id: deletedKey?.id, name: "deleted", profile: "default" } });
    expect(report).toMatchObject({ syncDue: false, lastSyncAt: expect.any(Date) });
    // Offline, a day and more later: the same findings, and a sync is due.
    await fake.close();
    const later = await appAt(25 * HOUR).usage.findings();
    expect(later.findings.map((f) => f.id)).toEqual(report.findings.map((f) => f.id));
    expect(later.syncDue).toBe(true);
  });
});
