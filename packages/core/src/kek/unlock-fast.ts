import type { KekProviderName, KeychainParams, ScryptParams } from "../domain.ts";
import { readKeyFile } from "./key-file.ts";
import { keychainAccount, readKeychainKek } from "./keychain.ts";
import { parseMasterKey } from "./master-key.ts";
import { derivePassphraseKek } from "./passphrase.ts";

/**
 * KEK lookup for the `apikey current` hot path: no prompts, no zod, no config object. Returns null when
 * the person would have to be asked (a passphrase store without APIKEY_PASSPHRASE); the caller then takes the
 * full path, which can prompt and render errors.
 */
export async function unlockKekFast(
  provider: KekProviderName,
  kdf: ScryptParams | KeychainParams | null,
  dataDir: string,
  env: { APIKEY_MASTER_KEY?: string | undefined; APIKEY_PASSPHRASE?: string | undefined },
): Promise<Buffer | null> {
  switch (provider) {
    case "env":
      return env.APIKEY_MASTER_KEY ? parseMasterKey(env.APIKEY_MASTER_KEY) : null;
    case "keyfile":
      return readKeyFile(dataDir);
    case "keychain":
      return readKeychainKek(keychainAccount(kdf, dataDir));
    case "passphrase":
      return env.APIKEY_PASSPHRASE && kdf?.name === "scrypt"
        ? derivePassphraseKek(env.APIKEY_PASSPHRASE, kdf)
        : null;
  }
}
