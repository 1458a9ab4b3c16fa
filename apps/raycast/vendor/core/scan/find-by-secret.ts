// Vendored from packages/core/src/scan/find-by-secret.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { fingerprintSecret } from "../crypto/index.ts";
import type { Vault } from "../vault/vault.ts";
import { toView } from "../vault/views.ts";

// Is this secret (found in a file, say) one we store, and under which name? Compared by the store's keyed
// fingerprint, so nothing is decrypted or revealed and no audit row is needed: the caller already holds the secret.

export async function findBySecret(vault: Vault, secret: string) {
  const key = await vault.store.keys.byFingerprint(fingerprintSecret(await vault.unlock(), secret.trim()));
  if (!key) return null;
  const profile = await vault.store.profiles.get(key.profile);
  return toView(key, profile?.activeKeyId ?? null);
}
