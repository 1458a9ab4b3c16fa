import { open, refreshAad, SEAL_VERSION, type SealIdentity, seal } from "../crypto/aead.ts";
import { decryptSecret, encryptSecret } from "../crypto/data-key.ts";
import type { KeyRecord } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import type { KeyPatch, Store } from "../store.ts";

// A key's secret (and an OAuth key's refresh token) is sealed to the key's identity — id, profile, name, kind — so a
// row edited outside apikey fails to decrypt. Whatever changes that identity re-seals in the same transaction.

/** The fields that re-seal `key`'s secrets for `to` (its new name or profile). */
export function resealFields(dek: Buffer, key: KeyRecord, to: SealIdentity = key): KeyPatch {
  const secret = encryptSecret(dek, to, decryptSecret(dek, key));
  const patch: KeyPatch = { ciphertext: secret.ciphertext, nonce: secret.nonce, seal: SEAL_VERSION };
  if (key.refreshCiphertext && key.refreshNonce) {
    let refresh: Buffer;
    try {
      refresh = open(dek, key.refreshCiphertext, key.refreshNonce, refreshAad(key, key.seal));
    } catch (cause) {
      throw new ApikeyError(ERROR_CODES.STORE_CORRUPT, "A stored refresh token failed its integrity check.", {
        cause,
        details: { key: key.name, profile: key.profile },
      });
    }
    const sealed = seal(dek, refresh, refreshAad(to));
    patch.refreshCiphertext = sealed.ciphertext;
    patch.refreshNonce = sealed.nonce;
  }
  return patch;
}

/**
 * Stores written before seal version 2 bound secrets to the row id only. The first unlock re-seals every such row in
 * one transaction; returns how many.
 */
export async function upgradeSeals(store: Store, dek: Buffer): Promise<number> {
  // Only the legacy rows, selected by the store: reading every row here was a third of a list's time (issue 25).
  const legacy = await store.keys.list({ sealBelow: SEAL_VERSION });
  if (legacy.length === 0) return 0;
  return store.transaction(async (tx) => {
    let count = 0;
    for (const key of legacy) {
      const current = await tx.keys.byId(key.id);
      if (!current || current.seal >= SEAL_VERSION) continue;
      await tx.keys.update(key.id, resealFields(dek, current));
      count++;
    }
    return count;
  });
}
