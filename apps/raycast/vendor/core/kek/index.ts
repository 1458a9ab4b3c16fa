// Vendored from packages/core/src/kek/index.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { KekProviderName } from "../domain.ts";
import { keyFilePath } from "./key-file.ts";

export { keyFilePath } from "./key-file.ts";
export { parseMasterKey } from "./master-key.ts";
export { DEFAULT_SCRYPT, derivePassphraseKek, MIN_PASSPHRASE_LENGTH } from "./passphrase.ts";

/** How a front asks the person for a passphrase; absent when nobody can be asked (no TTY). */
export type PassphrasePrompt = (purpose: "unlock" | "create") => Promise<string>;

export function describeKekProvider(provider: KekProviderName, dataDir: string): string {
  switch (provider) {
    case "env":
      return "master key (APIKEY_MASTER_KEY or a device key)";
    case "passphrase":
      return "passphrase (scrypt)";
    case "keychain":
      return "OS keychain";
    case "keyfile":
      return `key file ${keyFilePath(dataDir)} (weakest: readable by anyone who can read the data directory)`;
  }
}
