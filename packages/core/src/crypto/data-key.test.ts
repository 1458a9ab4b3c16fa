import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../errors.ts";
import { fakeApiKey } from "../test-keys.ts";
import { seal, secretAad } from "./aead.ts";
import {
  decryptSecret,
  encryptSecret,
  fingerprintSecret,
  generateDek,
  unwrapDek,
  wrapDek,
} from "./data-key.ts";

const row1 = { id: "row-1", profile: "default", name: "one", kind: "api", seal: 2 };

describe("envelope encryption", () => {
  it("round-trips a secret bound to its row's identity", () => {
    const dek = generateDek();
    const sealed = encryptSecret(dek, row1, fakeApiKey());
    expect(sealed.ciphertext.includes(Buffer.from(fakeApiKey()))).toBe(false);
    expect(decryptSecret(dek, { ...row1, ...sealed })).toBe(fakeApiKey());
  });

  it("refuses a row whose name, profile or kind was edited (row identity is authenticated)", () => {
    const dek = generateDek();
    const sealed = { ...row1, ...encryptSecret(dek, row1, fakeApiKey()) };
    for (const edit of [{ name: "two" }, { profile: "p2" }, { kind: "admin" }, { id: "row-2" }]) {
      expect(() => decryptSecret(dek, { ...sealed, ...edit })).toThrow(
        expect.objectContaining({ code: ERROR_CODES.STORE_CORRUPT }),
      );
    }
  });

  it("still opens a legacy (seal 1) secret bound to the row id only", () => {
    const dek = generateDek();
    const legacy = seal(dek, Buffer.from(fakeApiKey()), secretAad(row1, 1));
    expect(decryptSecret(dek, { ...row1, ...legacy, seal: 1 })).toBe(fakeApiKey());
    expect(() => decryptSecret(dek, { ...row1, ...legacy, seal: 2 })).toThrow();
  });

  it("uses a fresh nonce per write", () => {
    const dek = generateDek();
    const a = encryptSecret(dek, row1, fakeApiKey());
    const b = encryptSecret(dek, row1, fakeApiKey());
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it("refuses a ciphertext moved to another row", () => {
    const dek = generateDek();
    const sealed = encryptSecret(dek, row1, fakeApiKey());
    expect(() => decryptSecret(dek, { ...row1, ...sealed, id: "row-2" })).toThrow(
      expect.objectContaining({ code: ERROR_CODES.STORE_CORRUPT }),
    );
  });

  it("refuses a flipped bit", () => {
    const dek = generateDek();
    const sealed = encryptSecret(dek, row1, fakeApiKey());
    const tampered = Buffer.from(sealed.ciphertext);
    tampered[3] = (tampered[3] ?? 0) ^ 1;
    expect(() => decryptSecret(dek, { ...row1, ...sealed, ciphertext: tampered })).toThrow();
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
