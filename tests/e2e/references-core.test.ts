import { type Apikey, loadConfig, masterKeySource, openApikey, storeFileIn } from "@apikey/core";
import { openStore } from "@apikey/storage/better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeHome, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// The core's reference resolution, in-process against a real SQLite file.

const WORK = fakeApiKey("REFCORE_WORK");
const CI = fakeApiKey("REFCORE_CI");

let home: TestHome;
let app: Apikey;
beforeEach(async () => {
  home = await makeHome();
  app = openApikey({
    store: await openStore({ path: storeFileIn(home.dataDir) }),
    masterKeys: [masterKeySource(TEST_MASTER_KEY)],
    config: loadConfig({ APIKEY_HOME: home.dataDir }),
    actor: "cli:tester@host",
    front: "cli",
  });
  await app.keys.add({ name: "work", secret: WORK, validate: false });
  await app.profiles.create("prod");
  await app.keys.add({ name: "ci", secret: CI, profile: "prod", validate: false });
});
afterEach(async () => {
  await app.close();
  await home.cleanup();
});

describe("references", () => {
  it("resolve a named key and a profile's active key, each reveal audited", async () => {
    expect((await app.references.resolve("apikey://default/work")).secret).toBe(WORK);
    await app.keys.use("ci", "prod");
    expect((await app.references.resolve("apikey://prod")).secret).toBe(CI);
    const reveals = (await app.audit({ limit: 10 })).filter((r) => r.action === "key.reveal");
    expect(reveals[0]).toMatchObject({ details: { name: "work", reason: "reference" } });
    expect(JSON.stringify(await app.audit())).not.toContain(WORK);
  });

  it("resolveAll maps each distinct reference to its secret", async () => {
    const map = await app.references.resolveAll([
      "apikey://default/work",
      "apikey://prod/ci",
      "apikey://default/work",
    ]);
    expect([...map.entries()]).toEqual([
      ["apikey://default/work", WORK],
      ["apikey://prod/ci", CI],
    ]);
  });

  it("an unknown key or profile is a coded error naming the reference, never a secret", async () => {
    await expect(app.references.resolve("apikey://default/nope")).rejects.toMatchObject({
      code: "E_KEY_NOT_FOUND",
      message: expect.stringContaining("apikey://default/nope"),
      details: expect.objectContaining({ reference: "apikey://default/nope" }),
    });
    await expect(app.references.resolve("apikey://ghost/work")).rejects.toMatchObject({
      code: expect.stringMatching(/^E_(PROFILE|KEY)_NOT_FOUND$/),
      message: expect.stringContaining("apikey://ghost/work"),
    });
    await expect(app.references.resolve("apikey://a/b/c")).rejects.toMatchObject({
      code: "E_REFERENCE_INVALID",
    });
  });

  it("a disabled key does not resolve", async () => {
    await app.keys.disable("work");
    const err = await app.references.resolve("apikey://default/work").catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "E_KEY_DISABLED",
      message: expect.stringContaining("apikey://default/work"),
    });
    expect(JSON.stringify(err)).not.toContain(WORK);
  });
});
