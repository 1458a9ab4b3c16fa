import { type Apikey, loadConfig, masterKeySource, openApikey, parseSince, storeFileIn } from "@apikey/core";
import type { Store } from "@apikey/core/store";
import { openStore } from "@apikey/storage/better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeHome, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { fakeAdminKey, fakeApiKey } from "../fixtures/keys.ts";

// Issue 21: the views core publishes for every front (keys.list, usage by lastDays, add with createProfile), in
// process against a real SQLite file and a fixed clock.

const NOW = new Date("2026-12-03T12:00:00Z");

let home: TestHome;
let store: Store;
let app: Apikey;
beforeEach(async () => {
  home = await makeHome();
  store = await openStore({ path: storeFileIn(home.dataDir) });
  app = openApikey({
    store,
    masterKeys: [masterKeySource(TEST_MASTER_KEY)],
    config: loadConfig({ APIKEY_HOME: home.dataDir }),
    actor: "cli:tester@host",
    front: "cli",
    now: () => NOW,
  });
});
afterEach(async () => {
  await app.close();
  await home.cleanup();
});

const event = (keyId: string, at: string, costUsd: number, cache = 0) => ({
  keyId,
  at: new Date(at),
  model: "claude-test",
  inputTokens: 10,
  outputTokens: 5,
  cacheCreationTokens: cache,
  cacheReadTokens: cache * 2,
  costUsd,
  requestId: null,
  front: "api",
});

describe("issue 21: keys.list carries every judgement a front shows", () => {
  it("budget state: exactly 100 % is warn, a cent above is over, with the ratio for bars", async () => {
    const at = (await app.keys.add({ name: "at", secret: fakeApiKey("VIEW_AT"), validate: false })).key;
    const above = (await app.keys.add({ name: "above", secret: fakeApiKey("VIEW_ABOVE"), validate: false }))
      .key;
    await app.usage.setBudget({ name: "at", usd: 10 });
    await app.usage.setBudget({ name: "above", usd: 10 });
    await store.usage.recordMany([
      event(at.id, "2026-12-02T10:00:00Z", 10),
      event(above.id, "2026-12-02T10:00:00Z", 10.01),
      // Last month: not this month's spend.
      event(above.id, "2026-11-30T23:59:59Z", 50),
    ]);
    const keys = await app.keys.list();
    expect(keys.find((k) => k.name === "at")).toMatchObject({
      spendMonthUsd: 10,
      budgetState: "warn",
      budgetRatio: 1,
    });
    expect(keys.find((k) => k.name === "above")).toMatchObject({ budgetState: "over" });
  });

  it("can-deactivate-upstream is per profile, and is what the rotation then does", async () => {
    await app.keys.add({ name: "work", secret: fakeApiKey("VIEW_WORK"), validate: false });
    await app.keys.add({
      name: "prod-key",
      secret: fakeApiKey("VIEW_PROD"),
      profile: "prod",
      createProfile: true,
      validate: false,
    });
    await app.keys.add({
      name: "admin",
      secret: fakeAdminKey("VIEW_ADMIN"),
      profile: "prod",
      validate: false,
    });
    const keys = await app.keys.list();
    const of = (name: string) => keys.find((k) => k.name === name);
    expect(of("work")).toMatchObject({ canDeactivateUpstream: false, upstreamOnRotate: "manual" });
    expect(of("prod-key")).toMatchObject({ canDeactivateUpstream: true, upstreamOnRotate: "pending" });
    expect(of("admin")).toMatchObject({ canDeactivateUpstream: false, upstreamOnRotate: "none" });
    // One profile's list answers the same.
    expect((await app.keys.list({ profile: "default" }))[0]?.canDeactivateUpstream).toBe(false);
    const rotated = await app.keys.rotate({
      name: "work",
      newSecret: fakeApiKey("VIEW_WORK2"),
      validate: false,
    });
    expect(rotated.deactivation.plan).toBe(of("work")?.upstreamOnRotate);
    const rotatedProd = await app.keys.rotate({
      name: "prod-key",
      profile: "prod",
      newSecret: fakeApiKey("VIEW_PROD2"),
      validate: false,
    });
    expect(rotatedProd.deactivation.plan).toBe(of("prod-key")?.upstreamOnRotate);
    const after = await app.keys.list();
    expect(after.filter((k) => k.status === "rotated").map((k) => k.upstreamOnRotate)).toEqual([
      "none",
      "none",
    ]);
  });
});

describe("issue 21: usage by { lastDays }", () => {
  it("is whole UTC days back, today included, across a month boundary, with every counter in the totals", async () => {
    const key = (await app.keys.add({ name: "work", secret: fakeApiKey("VIEW_USAGE"), validate: false })).key;
    await store.usage.recordMany([
      // 2026-11-26 is outside the last 7 days of 2026-12-03; 2026-11-27 00:00 starts them.
      event(key.id, "2026-11-26T23:59:59Z", 1, 100),
      event(key.id, "2026-11-27T00:00:00Z", 2, 10),
      event(key.id, "2026-11-30T12:00:00Z", 3, 1),
      event(key.id, "2026-12-03T11:00:00Z", 4, 0),
    ]);
    const report = await app.usage.report({ lastDays: 7, by: "day" });
    expect(report.since.toISOString()).toBe("2026-11-27T00:00:00.000Z");
    expect(report.since).toEqual(parseSince("7d", NOW));
    expect(report.totals).toEqual({
      requests: 3,
      inputTokens: 30,
      outputTokens: 15,
      cacheCreationTokens: 11,
      cacheReadTokens: 22,
      costUsd: 9,
      unpricedRequests: 0,
    });
    expect(report.daily.map((d) => d.day)).toEqual([
      "2026-11-27",
      "2026-11-28",
      "2026-11-29",
      "2026-11-30",
      "2026-12-01",
      "2026-12-02",
      "2026-12-03",
    ]);
    // The same figures by key and by model: the window is one rule, whatever the grouping.
    expect((await app.usage.report({ lastDays: 7, by: "key" })).totals).toEqual(report.totals);
  });

  it("refuses a window that is not a whole number of days from 1", async () => {
    for (const lastDays of [0, -1, 1.5, Number.NaN, 10_000]) {
      await expect(app.usage.report({ lastDays, by: "day" }), String(lastDays)).rejects.toMatchObject({
        code: "E_USAGE",
      });
    }
  });
});

describe("issue 21: keys.add({ createProfile })", () => {
  it("creates a missing profile in the key's own transaction, audited; an existing one is just used", async () => {
    const added = await app.keys.add({
      name: "ci",
      secret: fakeApiKey("VIEW_NEWPROF"),
      profile: "team-a",
      createProfile: true,
      validate: false,
    });
    expect(added.key).toMatchObject({ profile: "team-a", active: true });
    const actions = (await app.audit({ limit: 5 })).map((r) => `${r.action}:${r.profile}`);
    expect(actions).toEqual(expect.arrayContaining(["profile.create:team-a", "key.add:team-a"]));
    await app.keys.add({
      name: "ci2",
      secret: fakeApiKey("VIEW_NEWPROF2"),
      profile: "team-a",
      createProfile: true,
      validate: false,
    });
    expect((await app.profiles.list()).find((p) => p.name === "team-a")?.keyCount).toBe(2);
  });

  it("without it a missing profile is refused; a bad profile name is refused and writes nothing", async () => {
    await expect(
      app.keys.add({ name: "x", secret: fakeApiKey("VIEW_NOPROF"), profile: "nope", validate: false }),
    ).rejects.toMatchObject({ code: "E_PROFILE_NOT_FOUND" });
    await expect(
      app.keys.add({
        name: "x",
        secret: fakeApiKey("VIEW_BADPROF"),
        profile: "bad name/..",
        createProfile: true,
        validate: false,
      }),
    ).rejects.toMatchObject({ code: "E_NAME_INVALID" });
    expect((await app.profiles.list()).map((p) => p.name)).not.toContain("bad name/..");
    expect(await app.audit()).toEqual([]);
  });
});
