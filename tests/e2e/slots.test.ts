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

beforeAll(async () => {
  home = await makeHome();
  expect((await addKey("work", KEY, withKey(TEST_MASTER_KEY), ["--no-validate"])).code).toBe(0);
});
afterAll(() => home?.cleanup());

describe("master-key slots", () => {
  let device = "";

  it("a new store has one slot named after its master key", async () => {
    const slots = jsonOut<Slot[]>(await runCli(["--json", "slot", "list"], withKey(TEST_MASTER_KEY)));
    expect(slots.map((s) => [s.name, s.kind])).toEqual([["env", "env"]]);
  });

  it("slot add prints a new master key once; it opens the store, and so does the old one", async () => {
    const r = await runCli(["--json", "slot", "add", "device"], withKey(TEST_MASTER_KEY));
    expect(r.code, r.stderr).toBe(0);
    const added = jsonOut<{ slot: Slot; masterKey: string }>(r);
    device = added.masterKey;
    expect(Buffer.from(device, "base64")).toHaveLength(32);
    expect(added.slot).toMatchObject({ name: "device", kind: "env" });
    expect((await runCli(["current"], withKey(device))).stdout).toBe(`${KEY}\n`);
    expect((await runCli(["reveal", "work", "--yes"], withKey(device))).stdout).toBe(`${KEY}\n`);
    expect((await runCli(["current"], withKey(TEST_MASTER_KEY))).stdout).toBe(`${KEY}\n`);
    // Never on disk in clear: not raw, not base64, not hex.
    const raw = Buffer.from(device, "base64");
    expect(await filesContaining(home.root, [device, raw, raw.toString("hex")])).toEqual([]);
  });

  it("a taken or invalid slot name is refused and nothing changes", async () => {
    const taken = await runCli(["--json", "slot", "add", "device"], withKey(TEST_MASTER_KEY));
    expect(jsonError(taken).code).toBe("E_NAME_TAKEN");
    const invalid = await runCli(["--json", "slot", "add", "bad name!"], withKey(TEST_MASTER_KEY));
    expect(jsonError(invalid).code).toBe("E_NAME_INVALID");
    const slots = jsonOut<Slot[]>(await runCli(["--json", "slot", "list"], withKey(TEST_MASTER_KEY)));
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
    const opened = await runCli(
      ["current"],
      withKey(undefined, { APIKEY_PASSPHRASE: "slot passphrase TEST" }),
    );
    expect(opened.stdout).toBe(`${KEY}\n`);
  });

  it("slot remove takes a master key away; the removed key no longer opens the store", async () => {
    const r = await runCli(["--json", "slot", "remove", "env"], withKey(device));
    expect(r.code, r.stderr).toBe(0);
    const refused = await runCli(["--json", "current"], withKey(TEST_MASTER_KEY));
    expect(refused.code).toBe(1);
    expect(jsonError(refused).code).toBe("E_WRONG_MASTER_KEY");
    expect(refused.stdout).toBe("");
    expect((await runCli(["current"], withKey(device))).stdout).toBe(`${KEY}\n`);
  });

  it("the last slot cannot be removed", async () => {
    await runCli(["--json", "slot", "remove", "passphrase"], withKey(device));
    const last = await runCli(["--json", "slot", "remove", "device"], withKey(device));
    expect(jsonError(last).code).toBe("E_LAST_SLOT");
    const slots = jsonOut<Slot[]>(await runCli(["--json", "slot", "list"], withKey(device)));
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
    const audit = jsonOut<Array<{ action: string; details: Record<string, unknown> }>>(
      await runCli(["--json", "audit"], withKey(device)),
    );
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
