import { type Apikey, loadConfig, masterKeySource, openApikey } from "@apikey/core";
import type { Store } from "@apikey/core/store";
import { openStore } from "@apikey/storage/better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeHome, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { type FakeAnthropic, orgApiKey, startFakeAnthropic } from "../fixtures/fake-anthropic.ts";
import { fakeAdminKey, fakeApiKey } from "../fixtures/keys.ts";

// Issue 24's edges through the app, in process against a real SQLite file and the stand-in: a gateway-only mark
// goes with its profile, and a sync with nothing to ask for still counts as a sync. The app's clock is the seam.

const ADMIN = fakeAdminKey("SYNC_EDGES");
const GW = fakeApiKey("SYNC_EDGES_GW");
const HOUR = 3_600_000;
const ORG_KEYS = [orgApiKey("gw", GW)];

let home: TestHome;
let store: Store;
let fake: FakeAnthropic;
let opened: Apikey[];

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

beforeEach(async () => {
  opened = [];
  fake = await startFakeAnthropic({ adminKeys: [ADMIN], validKeys: [GW], orgApiKeys: ORG_KEYS });
  home = await makeHome();
  store = await openStore({ path: home.storePath });
  const app = appAt();
  await app.keys.add({ name: "admin", secret: ADMIN, validate: false });
});
afterEach(async () => {
  await opened[0]?.close();
  await fake.close();
  await home.cleanup();
});

const MARK = "profile.gatewayOnly:team";

describe("issue 24: the gateway-only mark goes with its profile", () => {
  it("deleting the profile clears it in the same transaction, audited; a new profile of that name starts unmarked", async () => {
    const app = appAt();
    await app.profiles.create("team");
    expect(await app.profiles.setGatewayOnly("team", true)).toMatchObject({ changed: true });
    await app.profiles.delete("team");
    expect(await store.settings.get(MARK)).toBeNull();
    const audit = await app.audit({ limit: 10 });
    expect(audit.find((a) => a.action === "profile.gateway_only")).toMatchObject({
      profile: "team",
      details: { profile: "team", gatewayOnly: false, reason: "profile_deleted" },
    });
    await app.profiles.create("team");
    // Not inherited: clearing it changes nothing.
    expect(await app.profiles.setGatewayOnly("team", false)).toMatchObject({
      gatewayOnly: false,
      changed: false,
    });
  });

  it("a deletion that is refused keeps the mark", async () => {
    const app = appAt();
    await app.profiles.create("team");
    await app.keys.add({ name: "gw", secret: GW, profile: "team", validate: false });
    await app.profiles.setGatewayOnly("team", true);
    await expect(app.profiles.delete("team")).rejects.toMatchObject({ code: "E_PROFILE_IN_USE" });
    expect(await store.settings.get(MARK)).toMatchObject({ since: expect.any(String) });
  });

  it("a mark left behind by an older apikey is not inherited by a profile created under its name", async () => {
    await store.settings.set(MARK, { since: new Date(Date.now() - 48 * HOUR).toISOString() }, new Date());
    const app = appAt();
    await app.profiles.create("team");
    expect(await store.settings.get(MARK)).toBeNull();
    const audit = await app.audit({ limit: 10 });
    expect(audit.find((a) => a.action === "profile.gateway_only")).toMatchObject({
      details: { gatewayOnly: false, reason: "profile_created" },
    });
  });
});

describe("issue 24: a sync with nothing to fetch still moves the last-sync time", () => {
  it("the findings stop saying a sync is due, and the sync is audited", async () => {
    await appAt(-30 * HOUR).usage.sync({ since: new Date(Date.now() - 40 * HOUR) });
    const app = appAt();
    expect((await app.usage.findings()).syncDue).toBe(true);
    // Nothing to ask for: a start after the clock (as a clock set back after a sync also gives).
    const results = await app.usage.sync({ since: new Date(Date.now() + HOUR) });
    expect(results).toMatchObject([{ pages: 0, rows: 0 }]);
    const findings = await app.usage.findings();
    expect(findings.syncDue).toBe(false);
    expect(Math.abs((findings.lastSyncAt?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    const syncs = (await app.audit({ limit: 20 })).filter((a) => a.action === "usage.sync");
    expect(syncs).toHaveLength(2);
  });
});
