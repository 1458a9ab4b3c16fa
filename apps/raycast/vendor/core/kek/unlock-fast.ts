// Vendored from packages/core/src/kek/unlock-fast.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { DEK_AAD, open } from "../crypto/aead.ts";
import type { KekProviderName, KeychainParams, ScryptParams } from "../domain.ts";
import { readKeyFile } from "./key-file.ts";
import { parseMasterKey } from "./master-key.ts";
import { derivePassphraseKek } from "./passphrase.ts";

/** A master-key slot as the fast read returns it: params still JSON text. */
export interface FastSlot {
  kind: KekProviderName;
  params: string | null;
  wrappedDek: Uint8Array;
  dekNonce: Uint8Array;
}

export interface FastEnv {
  APIKEY_MASTER_KEY?: string | undefined;
  APIKEY_PASSPHRASE?: string | undefined;
}

/** Reads a keychain-held master key; the front passes it in so this module loads no native addon. */
export type KeychainReader = (params: KeychainParams | null, dataDir: string) => Promise<Buffer>;

// Cheapest first: a master key in the environment, the keychain, the key file, then scrypt.
const ORDER: KekProviderName[] = ["env", "keychain", "keyfile", "passphrase"];

/**
 * The data key for the `apikey current` hot path: no prompts, no zod, no config object. Returns null when no slot
 * opens without asking the person (or anything fails); the caller then takes the full path, which can prompt and
 * render errors.
 */
export async function unlockDataKeyFast(
  slots: FastSlot[],
  dataDir: string,
  env: FastEnv,
  readKeychain: KeychainReader,
): Promise<Buffer | null> {
  const sorted = [...slots].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  for (const slot of sorted) {
    try {
      const kek = await kekFor(slot, dataDir, env, readKeychain);
      if (kek) return open(kek, slot.wrappedDek, slot.dekNonce, DEK_AAD);
    } catch {
      // Try the next slot; the full path reports what is wrong.
    }
  }
  return null;
}

async function kekFor(
  slot: FastSlot,
  dataDir: string,
  env: FastEnv,
  readKeychain: KeychainReader,
): Promise<Buffer | null> {
  const params = slot.params === null ? null : (JSON.parse(slot.params) as ScryptParams | KeychainParams);
  switch (slot.kind) {
    case "env":
      return env.APIKEY_MASTER_KEY ? parseMasterKey(env.APIKEY_MASTER_KEY) : null;
    case "keyfile":
      return readKeyFile(dataDir);
    case "keychain":
      return readKeychain(params?.name === "keychain" ? params : null, dataDir);
    case "passphrase":
      return env.APIKEY_PASSPHRASE && params?.name === "scrypt"
        ? derivePassphraseKek(env.APIKEY_PASSPHRASE, params)
        : null;
  }
}
