// Vendored from packages/core/src/master-key/sources.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { createKeyFile, keyFilePath, readKeyFile, removeKeyFile } from "../kek/key-file.ts";
import { parseMasterKey } from "../kek/master-key.ts";
import { checkNewPassphrase, derivePassphraseKek, newScryptParams } from "../kek/passphrase.ts";
import type { MasterKeySource, NewMasterKey, UnlockSlot } from "./source.ts";

// The master-key sources that need nothing native: a raw key (APIKEY_MASTER_KEY or a front's device key), a
// passphrase, and the key file. The OS keychain lives in @apikey/keychain.

// Said when the key file takes a new master key (a new store, a rekey): a fact that stays true afterwards. What to do
// about it is in each front's words (the CLI names its rekey command).
export const KEYFILE_WARNING =
  "The store's master key is kept in a 0600 key file beside it: anyone who can read the data directory can " +
  "decrypt the keys. A passphrase, the OS keychain or APIKEY_MASTER_KEY protects them better.";

/** A raw 32-byte master key in base64: APIKEY_MASTER_KEY, or a device key a front keeps in its own secret store. */
export function masterKeySource(base64: string | undefined): MasterKeySource {
  const kek = () => (base64 === undefined ? null : parseMasterKey(base64));
  return {
    kind: "env",
    open: async () => kek(),
    create: async () => {
      const k = kek();
      return k ? { kind: "env", kek: k, params: null } : null;
    },
  };
}

/** A new random master key for a new slot; the person is shown it once (`reveal`) and must keep it. */
export function generatedMasterKey(): MasterKeySource {
  return {
    kind: "env",
    open: async () => null,
    create: async () => {
      const kek = randomBytes(32);
      return { kind: "env", kek, params: null, reveal: kek.toString("base64") };
    },
  };
}

export interface PassphraseOptions {
  /** Given up front (APIKEY_PASSPHRASE, a front's form). */
  passphrase?: string | undefined;
  /** Asks the person; absent when nobody can be asked. */
  prompt?: ((purpose: "unlock" | "create") => Promise<string>) | undefined;
  /** Whether creating a new store may pick a passphrase without one given up front (only when asked for). */
  promptOnCreate?: boolean;
}

export function passphraseSource(options: PassphraseOptions): MasterKeySource {
  let asked: Promise<string> | undefined;
  const forUnlock = (): Promise<string> | null => {
    if (options.passphrase !== undefined) return Promise.resolve(options.passphrase);
    if (!options.prompt) return null;
    asked ??= options.prompt("unlock");
    return asked;
  };
  return {
    kind: "passphrase",
    interactive: options.passphrase === undefined && options.prompt !== undefined,
    async open(slot: UnlockSlot) {
      if (slot.params?.name !== "scrypt") {
        throw new ApikeyError(
          ERROR_CODES.STORE_CORRUPT,
          "A passphrase slot has no key-derivation parameters.",
        );
      }
      const passphrase = forUnlock();
      return passphrase ? derivePassphraseKek(await passphrase, slot.params) : null;
    },
    async create(): Promise<NewMasterKey | null> {
      let passphrase = options.passphrase;
      if (passphrase === undefined && options.promptOnCreate && options.prompt) {
        passphrase = await options.prompt("create");
      }
      if (passphrase === undefined) return null;
      checkNewPassphrase(passphrase);
      const params = newScryptParams();
      return { kind: "passphrase", kek: await derivePassphraseKek(passphrase, params), params };
    },
  };
}

/** The last resort: a random key in a 0600 file beside the store. */
export function keyFileSource(dataDir: string): MasterKeySource {
  return {
    kind: "keyfile",
    open: async () => (existsSync(keyFilePath(dataDir)) ? readKeyFile(dataDir) : null),
    // No `discard`: another process creating the store at the same moment may have read this very file and be
    // about to commit with it. A leftover file is harmless: the next creation reuses it (createKeyFile).
    create: async () => ({
      kind: "keyfile",
      kek: createKeyFile(dataDir).kek,
      params: null,
      warning: KEYFILE_WARNING,
    }),
    destroy: async () => {
      try {
        removeKeyFile(dataDir);
        return true;
      } catch {
        return false;
      }
    },
  };
}
