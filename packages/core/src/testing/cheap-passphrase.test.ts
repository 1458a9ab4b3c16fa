import { describe, expect, it } from "vitest";
import type { MasterKeySlot } from "../domain.ts";
import { ERROR_CODES } from "../errors.ts";
import { DEFAULT_SCRYPT } from "../kek/passphrase.ts";
import { passphraseSource } from "../master-key/sources.ts";
import { cheapPassphraseSource, TEST_SCRYPT } from "./cheap-passphrase.ts";

const slot = (params: MasterKeySlot["params"]) => ({
  kind: "passphrase" as const,
  params,
  wrappedDek: new Uint8Array(),
  dekNonce: new Uint8Array(),
});

describe("cheapPassphraseSource (tests only)", () => {
  it("records N=2^10, the floor a store may hold, and the shipped source opens it with the same key", async () => {
    const made = await cheapPassphraseSource("TEST passphrase, long enough").create?.();
    expect(made?.params).toMatchObject({ name: "scrypt", ...TEST_SCRYPT });
    const shipped = await passphraseSource({ passphrase: "TEST passphrase, long enough" }).open(
      slot(made?.params ?? null),
    );
    expect(shipped?.equals(made?.kek ?? Buffer.alloc(0))).toBe(true);
    const wrong = await passphraseSource({ passphrase: "another TEST passphrase" }).open(
      slot(made?.params ?? null),
    );
    expect(wrong?.equals(made?.kek ?? Buffer.alloc(0))).toBe(false);
  });

  it("keeps the rules of a new passphrase, and leaves what apikey itself writes at N=2^17", async () => {
    await expect(cheapPassphraseSource("short").create?.()).rejects.toMatchObject({
      code: ERROR_CODES.PASSPHRASE_WEAK,
    });
    // What the shipped source creates (sources.test.ts checks a real creation at this cost).
    expect(DEFAULT_SCRYPT).toEqual({ N: 2 ** 17, r: 8, p: 1 });
  });

  it("N=2^10 is the floor: one step below, the shipped source calls the slot damaged", async () => {
    const made = await cheapPassphraseSource("TEST passphrase, long enough").create?.();
    const lower = { ...(made?.params as object), N: 2 ** 9 } as MasterKeySlot["params"];
    await expect(
      passphraseSource({ passphrase: "TEST passphrase, long enough" }).open(slot(lower)),
    ).rejects.toMatchObject({ code: ERROR_CODES.STORE_CORRUPT });
  });
});
