import { type Apikey, loadConfig, masterKeySource, openApikey, storeFileIn } from "@apikey/core";
import { openStore } from "@apikey/storage/better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeHome, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { fakeAdminKey, fakeApiKey } from "../fixtures/keys.ts";

// The front API's own use cases, in-process against a real SQLite file (no child process needed to test a rule).

const OLD = fakeApiKey("FRONTAPI_OLD");
const NEW = fakeApiKey("FRONTAPI_NEW");
const ADMIN = fakeAdminKey("FRONTAPI_ADMIN");

let home: TestHome;
let app: Apikey;
beforeEach(async () => {
  home = await makeHome();
  const config = loadConfig({ APIKEY_HOME: home.dataDir });
  app = openApikey({
    store: await openStore({ path: storeFileIn(home.dataDir) }),
    masterKeys: [masterKeySource(TEST_MASTER_KEY)],
    config,
    actor: "slack:T1/U1",
    front: "slack",
  });
  await app.keys.add({ name: "work", secret: OLD, validate: false });
});
afterEach(async () => {
  await app.close();
  await home.cleanup();
});

describe("refusals are audited", () => {
  it("records who was refused what, and why", async () => {
    await app.auditRefusal({ action: "key.use", profile: "prod", reason: "not-authorized" });
    const [row] = await app.audit({ limit: 1 });
    expect(row).toMatchObject({
      action: "refused.key.use",
      actor: "slack:T1/U1",
      front: "slack",
      profile: "prod",
      details: { reason: "not-authorized" },
    });
  });

  it("never lets a front write typed text (maybe a key) into the log", async () => {
    for (const reason of [OLD, "free text with spaces", "x".repeat(65)]) {
      await expect(app.auditRefusal({ action: "command", reason })).rejects.toMatchObject({
        code: "E_USAGE",
      });
    }
    expect(JSON.stringify(await app.audit())).not.toContain(OLD);
  });
});

describe("owed upstream deactivations", () => {
  it("are listed after a rotation with a grace period, with the key's name", async () => {
    await app.keys.add({ name: "admin", secret: ADMIN, validate: false });
    const rotated = await app.keys.rotate({
      name: "work",
      newSecret: NEW,
      graceMs: 3_600_000,
      validate: false,
    });
    expect(rotated.deactivation.plan).toBe("pending");
    const owed = await app.keys.owedDeactivations();
    expect(owed).toEqual([
      expect.objectContaining({ keyName: "work", profile: "default", state: "pending", error: null }),
    ]);
    expect(await app.keys.owedDeactivations({ profile: "prod" })).toEqual([]);
  });

  it("a rotation that keeps the old key working upstream owes nothing", async () => {
    await app.keys.add({ name: "admin", secret: ADMIN, validate: false });
    const rotated = await app.keys.rotate({
      name: "work",
      newSecret: NEW,
      validate: false,
      deactivateUpstream: false,
    });
    expect(rotated.deactivation.plan).toBe("none");
    expect(await app.keys.owedDeactivations()).toEqual([]);
  });
});
