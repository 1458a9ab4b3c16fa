import type { Store } from "@apikey/core/store";
import { ApikeyError, loadConfig, storeFileIn, Vault } from "@apikey/core/testing";
import { openStore } from "@apikey/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHome, TEST_MASTER_KEY, type TestHome } from "../fixtures/cli.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Two processes add the first key of a new store at the same moment. The one that loses sees no meta row, then the
// winner commits its meta row and master-key slot together. The loser must take that for a store just created (its
// own commit then meets the winner's meta row: E_STORE_BUSY, which the CLI retries), never for a store that lost its
// slots (E_STORE_CORRUPT): CI saw "round 3 p3: exit 1 E_STORE_CORRUPT" in concurrency.test.ts. Here the interleaving
// is forced: the winner creates the store right after the loser's first look at the meta row.

let home: TestHome;
const config = () => loadConfig({ APIKEY_HOME: home.dataDir, APIKEY_MASTER_KEY: TEST_MASTER_KEY });
const vaultOn = (store: Store) => new Vault({ store, config: config(), actor: "test", front: "api" });

beforeAll(async () => {
  home = await makeHome();
});
afterAll(async () => {
  await home?.cleanup();
});

describe("a store created by another process between two reads", () => {
  it("is new, not damaged: the late writer gets E_STORE_BUSY (retried by the CLI), never E_STORE_CORRUPT", async () => {
    const path = storeFileIn(home.dataDir);
    const winner = vaultOn(await openStore({ path }));
    const loserStore = await openStore({ path });
    let raced = false;
    // The loser's store, except that its first meta read is followed at once by the winner's whole first add.
    const racing = new Proxy(loserStore, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop === "getMeta") {
          return async () => {
            const meta = await target.getMeta();
            if (!raced) {
              raced = true;
              await winner.add({ name: "first", secret: fakeApiKey("RACE_WINNER"), validate: false });
            }
            return meta;
          };
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const loser = vaultOn(racing);
    const outcome = await loser
      .add({ name: "second", secret: fakeApiKey("RACE_LOSER"), validate: false })
      .then(() => "added")
      .catch((err: unknown) => (err instanceof ApikeyError ? err.code : String(err)));
    expect(raced).toBe(true);
    expect(outcome).not.toBe("E_STORE_CORRUPT");
    expect(["added", "E_STORE_BUSY"]).toContain(outcome);
    // And a second try, as the CLI makes, goes through on the winner's store.
    if (outcome !== "added") {
      await vaultOn(loserStore).add({ name: "second", secret: fakeApiKey("RACE_LOSER"), validate: false });
    }
    expect((await winner.list()).map((k) => k.name).sort()).toEqual(["first", "second"]);
  });
});
