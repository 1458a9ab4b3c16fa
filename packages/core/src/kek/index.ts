import type { Config } from "../config.ts";
import type { KekProviderName, KeychainParams, ScryptParams, StoreMeta } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { createKeyFile, keyFilePath, readKeyFile } from "./key-file.ts";
import { deleteKeychainEntry, keychainAccount, readKeychainKek, tryCreateKeychainKek } from "./keychain.ts";
import { parseMasterKey } from "./master-key.ts";
import { checkNewPassphrase, derivePassphraseKek, newScryptParams } from "./passphrase.ts";

export { keyFilePath } from "./key-file.ts";
export { parseMasterKey } from "./master-key.ts";
export { DEFAULT_SCRYPT, derivePassphraseKek, MIN_PASSPHRASE_LENGTH } from "./passphrase.ts";

/** How a front asks the person for a passphrase; absent when nobody can be asked (no TTY). */
export type PassphrasePrompt = (purpose: "unlock" | "create") => Promise<string>;

export interface KekContext {
  config: Config;
  promptPassphrase?: PassphrasePrompt | undefined;
}

export interface NewKek {
  provider: KekProviderName;
  kek: Buffer;
  kdf: ScryptParams | KeychainParams | null;
  /** Shown to the person when the choice weakens protection. */
  warning?: string;
  /** Undoes side effects (a written key file) when the store's creation does not commit. */
  discard?: () => void;
}

export const KEYFILE_WARNING =
  "No OS keychain, APIKEY_MASTER_KEY or passphrase is available, so the store's master key is kept in a 0600 file " +
  "beside it. Anyone who can read your data directory can decrypt your keys. Set APIKEY_MASTER_KEY or " +
  "APIKEY_PASSPHRASE before creating the store for stronger protection.";

/** Order when nothing is asked for: an explicit key, a passphrase, the OS keychain, then a key file. */
export async function createKek(ctx: KekContext, prefer?: KekProviderName): Promise<NewKek> {
  const { config } = ctx;
  const choice = prefer ?? (config.masterKey ? "env" : config.passphrase ? "passphrase" : undefined);
  if (choice === "env") {
    if (!config.masterKey) throw missingMasterKey();
    return { provider: "env", kek: parseMasterKey(config.masterKey), kdf: null };
  }
  if (choice === "passphrase") {
    const passphrase = config.passphrase ?? (await askPassphrase(ctx, "create"));
    checkNewPassphrase(passphrase);
    const kdf = newScryptParams();
    return { provider: "passphrase", kek: await derivePassphraseKek(passphrase, kdf), kdf };
  }
  if (choice === undefined || choice === "keychain") {
    const made = tryCreateKeychainKek(config.dataDir);
    if (made) {
      return {
        provider: "keychain",
        kek: made.kek,
        kdf: made.params,
        discard: () => deleteKeychainEntry(made.params.account),
      };
    }
    if (choice === "keychain") {
      throw new ApikeyError(ERROR_CODES.KEYCHAIN_UNAVAILABLE, "No usable OS keychain was found.", {
        hint: "Use APIKEY_MASTER_KEY or a passphrase instead.",
      });
    }
  }
  // No `discard`: another process creating the store at the same moment may have read this very file and be
  // about to commit with it, so removing it could orphan that store's keys. A leftover file is harmless: the next
  // creation reuses it (createKeyFile), and it protects nothing until a store's data key is wrapped with it.
  return { provider: "keyfile", kek: createKeyFile(config.dataDir).kek, kdf: null, warning: KEYFILE_WARNING };
}

export async function unlockKek(meta: StoreMeta, ctx: KekContext): Promise<Buffer> {
  const { config } = ctx;
  switch (meta.kekProvider) {
    case "env":
      if (!config.masterKey) throw missingMasterKey();
      return parseMasterKey(config.masterKey);
    case "passphrase": {
      if (meta.kdf?.name !== "scrypt") {
        throw new ApikeyError(ERROR_CODES.STORE_CORRUPT, "The store's passphrase parameters are missing.");
      }
      const passphrase = config.passphrase ?? (await askPassphrase(ctx, "unlock"));
      return derivePassphraseKek(passphrase, meta.kdf);
    }
    case "keychain":
      return readKeychainKek(keychainAccount(meta.kdf, config.dataDir));
    case "keyfile":
      return readKeyFile(config.dataDir);
  }
}

export function describeKekProvider(provider: KekProviderName, dataDir: string): string {
  switch (provider) {
    case "env":
      return "APIKEY_MASTER_KEY (environment)";
    case "passphrase":
      return "passphrase (scrypt)";
    case "keychain":
      return "OS keychain";
    case "keyfile":
      return `key file ${keyFilePath(dataDir)} (weakest: readable by anyone who can read the data directory)`;
  }
}

async function askPassphrase(ctx: KekContext, purpose: "unlock" | "create"): Promise<string> {
  if (!ctx.promptPassphrase) {
    throw new ApikeyError(ERROR_CODES.MASTER_KEY_MISSING, "This store is locked with a passphrase.", {
      hint: "Set APIKEY_PASSPHRASE, or run apikey in a terminal so it can ask.",
    });
  }
  return ctx.promptPassphrase(purpose);
}

function missingMasterKey(): ApikeyError {
  return new ApikeyError(
    ERROR_CODES.MASTER_KEY_MISSING,
    "This store is locked with APIKEY_MASTER_KEY, which is not set.",
    {
      hint: "Export APIKEY_MASTER_KEY with the base64 key this store was created with.",
    },
  );
}
