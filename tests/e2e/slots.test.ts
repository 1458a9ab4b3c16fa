import { type Apikey, masterKeySource, passphraseSource } from "@apikey/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addKey,
  filesContaining,
  jsonError,
  jsonOut,
  makeHome,
  type RunOptions,
  runCli,
  TEST_MASTER_KEY,
  type TestHome,
} from "../fixtures/cli.ts";
import { inProcess } from "../fixtures/in-process.ts";
import { fakeApiKey } from "../fixtures/keys.ts";

// Master-key slots through the CLI: several master keys open one store; each change is audited; the last one
// cannot be removed; a new slot's master key is printed once and stored nowhere in clear.

const KEY = fakeApiKey("SLOT_KEY");
let home: TestHome;
const withKey = (
  masterKey: string | undefined,
  extra: Record<string, string | undefined> = {},
): RunOptions => ({
  home,
  env: { APIKEY_MASTER_KEY: masterKey, ...extra },
});

interface Slot {
  name: string;
  kind: string;
  createdAt: string;
  lastUsedAt: string | null;
}

// The slot commands are what is tested and run the CLI; which master keys then open the store, and the slots and
// audit rows they left, are read back in process with the master key (or passphrase) the CLI would be given.
const opened = <T>(
  unlock: { masterKey?: string; passphrase?: string },
  steps: (app: Apikey) => Promise<T>,
): Promise<T> =>
  inProcess(home, steps, [
    masterKeySource(unlock.masterKey),
    passphraseSource({ passphrase: unlock.passphrase }),
  ]);
const currentWith = (masterKey: string) => opened({ masterKey }, async (app) => (await app.active()).secret);
const slotsWith = (masterKey: string) => opened({ masterKey }, (app) => app.slots.list());

beforeAll(async () => {
  home = await makeHome();
  expect((await addKey("work", KEY, withKey(TEST_MASTER_KEY), ["--no-validate"])).code).toBe(0);
});
afterAll(() => home?.cleanup());

describe("master-key slots", () => {
  let device = "";

  it("a new store has one slot named after its master key", async () => {
    const slots = await slotsWith(TEST_MASTER_KEY);
    expect(slots.map((s) => [s.name, s.kind])).toEqual([["env", "env"]]);
  });

  it("slot add prints a new master key once; it opens the store, and so does the old one", async () => {
    const r = await runCli(["--json", "slot", "add", "device"], withKey(TEST_MASTER_KEY));
    expect(r.code, r.stderr).toBe(0);
    const added = jsonOut<{ slot: Slot; masterKey: string }>(r);
    device = added.masterKey;
    expect(Buffer.from(device, "base64")).toHaveLength(32);
    expect(added.slot).toMatchObject({ name: "device", kind: "env" });
    expect(await currentWith(device)).toBe(KEY);
    expect(await opened({ masterKey: device }, (app) => app.keys.reveal("work"))).toBe(KEY);
    expect(await currentWith(TEST_MASTER_KEY)).toBe(KEY);
    // Never on disk in clear: not raw, not base64, not hex.
    const raw = Buffer.from(device, "base64");
    expect(await filesContaining(home.root, [device, raw, raw.toString("hex")])).toEqual([]);
  });

  it("a taken or invalid slot name is refused and nothing changes", async () => {
    const taken = await runCli(["--json", "slot", "add", "device"], withKey(TEST_MASTER_KEY));
    expect(jsonError(taken).code).toBe("E_NAME_TAKEN");
    const invalid = await runCli(["--json", "slot", "add", "bad name!"], withKey(TEST_MASTER_KEY));
    expect(jsonError(invalid).code).toBe("E_NAME_INVALID");
    const slots = await slotsWith(TEST_MASTER_KEY);
    expect(slots.map((s) => s.name)).toEqual(["env", "device"]);
  });

  it("a passphrase slot opens the store without any master key", async () => {
    const r = await runCli(["--json", "slot", "add", "--passphrase"], {
      ...withKey(TEST_MASTER_KEY),
      stdin: "slot passphrase TEST",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut<{ slot: Slot; masterKey: string | null }>(r)).toMatchObject({
      slot: { name: "passphrase", kind: "passphrase" },
      masterKey: null,
    });
    const secret = await opened(
      { passphrase: "slot passphrase TEST" },
      async (app) => (await app.active()).secret,
    );
    expect(secret).toBe(KEY);
  });

  it("slot remove takes a master key away; the removed key no longer opens the store", async () => {
    const r = await runCli(["--json", "slot", "remove", "env"], withKey(device));
    expect(r.code, r.stderr).toBe(0);
    await expect(currentWith(TEST_MASTER_KEY)).rejects.toMatchObject({ code: "E_WRONG_MASTER_KEY" });
    expect(await currentWith(device)).toBe(KEY);
  });

  it("the last slot cannot be removed", async () => {
    await opened({ masterKey: device }, (app) => app.slots.remove("passphrase"));
    const last = await runCli(["--json", "slot", "remove", "device"], withKey(device));
    expect(jsonError(last).code).toBe("E_LAST_SLOT");
    const slots = await slotsWith(device);
    expect(slots.map((s) => s.name)).toEqual(["device"]);
  });

  it("no output but slot add's one line ever holds master-key material", async () => {
    const material = [device, TEST_MASTER_KEY, Buffer.from(device, "base64").toString("hex")];
    for (const args of [
      ["--json", "slot", "list"],
      ["slot", "list"],
      ["--json", "status"],
      ["status"],
      ["--json", "list"],
      ["--json", "audit"],
    ]) {
      const r = await runCli(args, withKey(device));
      for (const m of material) expect(r.stdout + r.stderr, args.join(" ")).not.toContain(m);
    }
  });

  it("every slot change is audited, without key material", async () => {
    const audit = await opened({ masterKey: device }, (app) => app.audit({ limit: 50 }));
    const slotRows = audit.filter((a) => a.action.startsWith("slot."));
    expect(slotRows.map((a) => [a.action, a.details.slot]).reverse()).toEqual([
      ["slot.add", "device"],
      ["slot.add", "passphrase"],
      ["slot.remove", "env"],
      ["slot.remove", "passphrase"],
    ]);
    expect(JSON.stringify(audit)).not.toContain(device);
  });
});
