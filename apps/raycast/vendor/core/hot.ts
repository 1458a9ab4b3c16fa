// Vendored from packages/core/src/hot.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// @apikey/core/hot — what `apikey current` needs to answer without loading the program: which store (the one store
// choice), the one rule that says whether the active key may be handed out as it is, the one unlock order, the
// master keys that need nothing native, the secret's seal and the last-used rule. Every module behind it loads only
// node built-ins (a guard test follows the imports), so the CLI's first bundle stays small.

export { shouldRecordUse } from "./active/last-used.ts";
export { type ActiveKeyFacts, usableWithoutDecision, whyNotUsable } from "./active/usable.ts";
export { decryptSecret } from "./crypto/data-key.ts";
export type { MasterKeySource, UnlockSlot } from "./master-key/source.ts";
export { keyFileSource, masterKeySource, passphraseSource } from "./master-key/sources.ts";
export { tryUnlock } from "./master-key/unlock-order.ts";
export { dataDirFrom, type StoreLocation, storeFileIn, storeLocationFrom } from "./paths.ts";

/** A federated key's token for `current` (federation/hot-mint.ts); the exchange and the SDK load only when called. */
export async function mintFederatedToken(
  keyId: string,
  decrypted: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  return (await import("./federation/hot-mint.ts")).mintFederatedToken(keyId, decrypted, env);
}
