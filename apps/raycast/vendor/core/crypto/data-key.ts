// Vendored from packages/core/src/crypto/data-key.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { DEK_AAD, open, type Sealed, type SealIdentity, seal, secretAad } from "./aead.ts";

// Envelope encryption: one random data key (DEK) encrypts every secret; only the DEK is wrapped by the
// key-encryption key (KEK), so changing the KEK re-wraps 32 bytes and touches no key rows.

export const generateDek = (): Buffer => randomBytes(32);

export function wrapDek(kek: Uint8Array, dek: Uint8Array): Sealed {
  return seal(kek, dek, DEK_AAD);
}

export function unwrapDek(kek: Uint8Array, wrapped: Uint8Array, nonce: Uint8Array): Buffer {
  try {
    return open(kek, wrapped, nonce, DEK_AAD);
  } catch (cause) {
    throw new ApikeyError(
      ERROR_CODES.WRONG_MASTER_KEY,
      "The master key or passphrase does not unlock this store.",
      {
        hint: "Check APIKEY_MASTER_KEY / APIKEY_PASSPHRASE (or the key file / keychain entry this store was created with).",
        cause,
      },
    );
  }
}

/** Seals a key's secret to its identity with the current seal version (the row's `seal` must say so). */
export function encryptSecret(dek: Uint8Array, key: SealIdentity, secret: string): Sealed {
  return seal(dek, Buffer.from(secret, "utf8"), secretAad(key));
}

export function decryptSecret(
  dek: Uint8Array,
  key: SealIdentity & { seal: number; ciphertext: Uint8Array; nonce: Uint8Array },
): string {
  try {
    return open(dek, key.ciphertext, key.nonce, secretAad(key, key.seal)).toString("utf8");
  } catch (cause) {
    // The DEK unwrapped, so this row was altered: moved, renamed or re-pointed outside apikey.
    throw new ApikeyError(ERROR_CODES.STORE_CORRUPT, "A stored key failed its integrity check.", {
      hint: "The row was modified outside apikey. Delete the key and add it again, or restore a backup.",
      cause,
    });
  }
}

/**
 * A keyed hash (HMAC-SHA256 under a key derived from the DEK), so that two stores' fingerprints cannot be
 * compared and a stolen database does not let anyone test guesses without the DEK.
 */
export function fingerprintSecret(dek: Uint8Array, secret: string): string {
  const fpKey = Buffer.from(hkdfSync("sha256", dek, Buffer.alloc(0), "apikey:fingerprint:v1", 32));
  return createHmac("sha256", fpKey).update(secret, "utf8").digest("hex");
}
