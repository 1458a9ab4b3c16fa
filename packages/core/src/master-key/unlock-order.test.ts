import { describe, expect, it } from "vitest";
import { wrapDek } from "../crypto/data-key.ts";
import type { KekProviderName } from "../domain.ts";
import type { MasterKeySource, UnlockSlot } from "./source.ts";
import { tryUnlock, unlockAttempts } from "./unlock-order.ts";

// Issue 21: one unlock order for openDataKey and the `apikey current` hot path.

const DEK = Buffer.alloc(32, 7);
const kekOf = (n: number) => Buffer.alloc(32, n);
const slot = (kind: KekProviderName, kek: Buffer): UnlockSlot => {
  const w = wrapDek(kek, DEK);
  return { kind, params: null, wrappedDek: w.ciphertext, dekNonce: w.nonce };
};
const source = (kind: KekProviderName, kek: Buffer | null, interactive = false): MasterKeySource => ({
  kind,
  interactive,
  open: async () => kek,
});

describe("issue 21: the unlock order", () => {
  it("tries sources in one order whatever order a front lists them in; asking a person comes last", () => {
    const slots = (["keyfile", "keychain", "passphrase", "env"] as const).map((k) => slot(k, kekOf(1)));
    const asked = source("passphrase", kekOf(1), true);
    const order = unlockAttempts(
      [source("keyfile", null), asked, source("keychain", null), source("env", null)],
      slots,
    ).map((a) => `${a.source.kind}${a.source.interactive ? "?" : ""}`);
    expect(order).toEqual(["env", "keychain", "keyfile", "passphrase?"]);
    const given = unlockAttempts([source("keyfile", null), source("passphrase", null)], slots);
    expect(given.map((a) => a.source.kind)).toEqual(["passphrase", "keyfile"]);
  });

  it("matches a source only to slots of its kind that hold a data key", () => {
    const broken = { ...slot("env", kekOf(1)), dekNonce: new Uint8Array(3) };
    const attempts = unlockAttempts([source("env", kekOf(1))], [broken, slot("keyfile", kekOf(1))]);
    expect(attempts).toEqual([]);
  });

  it("a wrong key is noted and the next slot still opens; an unavailable source does not hide another", async () => {
    const failing: MasterKeySource = {
      kind: "keychain",
      open: async () => Promise.reject(new Error("locked")),
    };
    const out = await tryUnlock(
      [source("env", kekOf(9)), failing, source("keyfile", kekOf(2))],
      [slot("env", kekOf(1)), slot("keychain", kekOf(3)), slot("keyfile", kekOf(2))],
    );
    expect(out.opened?.dek).toEqual(DEK);
    expect(out.opened?.slot.kind).toBe("keyfile");
    expect(out.wrong).toBe(true);
    expect((out.firstError as Error).message).toBe("locked");
    const none = await tryUnlock([source("env", null)], [slot("env", kekOf(1))]);
    expect(none).toEqual({ opened: null, wrong: false, firstError: undefined });
  });
});
