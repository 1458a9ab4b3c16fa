// Vendored from packages/core/src/crypto/aead.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// AES-256-GCM with a fresh 96-bit nonce per seal and associated data binding the ciphertext to its use.
// Kept free of other imports: the `apikey current` hot path loads this module alone.

const TAG_BYTES = 16;

export interface Sealed {
  /** ciphertext with the 16-byte tag appended */
  ciphertext: Buffer;
  nonce: Buffer;
}

export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string): Sealed {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext: Buffer.concat([body, cipher.getAuthTag()]), nonce };
}

/** Throws (Node's "Unsupported state or unable to authenticate data") when key, nonce, AAD or bytes differ. */
export function open(key: Uint8Array, ciphertext: Uint8Array, nonce: Uint8Array, aad: string): Buffer {
  const ct = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
  if (ct.length < TAG_BYTES) throw new Error("ciphertext too short");
  const decipher = createDecipheriv("aes-256-gcm", key, nonce);
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(ct.subarray(ct.length - TAG_BYTES));
  return Buffer.concat([decipher.update(ct.subarray(0, ct.length - TAG_BYTES)), decipher.final()]);
}

/** What a key's secret is bound to. Editing any of these in the database makes the secret fail to decrypt. */
export interface SealIdentity {
  id: string;
  profile: string;
  name: string;
  kind: string;
}

/** The seal version new writes use; 1 (row id only) is read for stores written before it, then re-sealed. */
export const SEAL_VERSION = 2;

export const secretAad = (key: SealIdentity, version: number = SEAL_VERSION): string =>
  version === 1
    ? `apikey:key:v1:${key.id}`
    : `apikey:key:v2:${JSON.stringify([key.id, key.profile, key.name, key.kind])}`;

export const refreshAad = (key: SealIdentity, version: number = SEAL_VERSION): string =>
  version === 1
    ? `apikey:refresh:v1:${key.id}`
    : `apikey:refresh:v2:${JSON.stringify([key.id, key.profile, key.name, key.kind])}`;
export const DEK_AAD = "apikey:dek:v1";
