import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../errors.ts";
import { fakeApiKey } from "../test-keys.ts";
import {
  decryptSecret,
  encryptSecret,
  fingerprintSecret,
  generateDek,
  unwrapDek,
  wrapDek,
} from "./envelope.ts";

describe("envelope encryption", () => {
  it("round-trips a secret bound to its row id", () => {
    const dek = generateDek();
    const sealed = encryptSecret(dek, "row-1", fakeApiKey());
    expect(sealed.ciphertext.includes(Buffer.from(fakeApiKey()))).toBe(false);
    expect(decryptSecret(dek, "row-1", sealed.ciphertext, sealed.nonce)).toBe(fakeApiKey());
  });

  it("uses a fresh nonce per write", () => {
    const dek = generateDek();
    const a = encryptSecret(dek, "row-1", fakeApiKey());
    const b = encryptSecret(dek, "row-1", fakeApiKey());
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it("refuses a ciphertext moved to another row", () => {
    const dek = generateDek();
    const sealed = encryptSecret(dek, "row-1", fakeApiKey());
    expect(() => decryptSecret(dek, "row-2", sealed.ciphertext, sealed.nonce)).toThrow(
      expect.objectContaining({ code: ERROR_CODES.STORE_CORRUPT }),
    );
  });

  it("refuses a flipped bit", () => {
    const dek = generateDek();
    const sealed = encryptSecret(dek, "row-1", fakeApiKey());
    const tampered = Buffer.from(sealed.ciphertext);
    tampered[3] = (tampered[3] ?? 0) ^ 1;
    expect(() => decryptSecret(dek, "row-1", tampered, sealed.nonce)).toThrow();
  });

  it("unwraps the data key only with the right KEK", () => {
    const kek = randomBytes(32);
    const dek = generateDek();
    const wrapped = wrapDek(kek, dek);
    expect(unwrapDek(kek, wrapped.ciphertext, wrapped.nonce).equals(dek)).toBe(true);
    expect(() => unwrapDek(randomBytes(32), wrapped.ciphertext, wrapped.nonce)).toThrow(
      expect.objectContaining({ code: ERROR_CODES.WRONG_MASTER_KEY }),
    );
  });

  it("fingerprints are stable per store and differ across stores", () => {
    const dek = generateDek();
    expect(fingerprintSecret(dek, fakeApiKey())).toBe(fingerprintSecret(dek, fakeApiKey()));
    expect(fingerprintSecret(dek, fakeApiKey("A"))).not.toBe(fingerprintSecret(dek, fakeApiKey("B")));
    expect(fingerprintSecret(generateDek(), fakeApiKey())).not.toBe(fingerprintSecret(dek, fakeApiKey()));
  });
});
