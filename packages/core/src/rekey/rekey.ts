import type { Config } from "../config.ts";
import { unwrapDek, wrapDek } from "../crypto/index.ts";
import type { KekProviderName } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { createKek, type NewKek, unlockKek } from "../kek/index.ts";
import { deleteKeychainEntry, keychainAccount } from "../kek/keychain.ts";
import type { Vault } from "../vault/vault.ts";
import { removeKeyFileIfPresent, syncKeyFile } from "./kek-material.ts";

export interface RekeyInput {
  to: KekProviderName;
  /** `to: "passphrase"`: the new passphrase. Absent: APIKEY_PASSPHRASE when the store is not already passphrase-
   *  protected (then it is the old one), else the Vault's passphrase prompt ("create"). */
  newPassphrase?: string;
  /** `to: "env"`: the new base64 master key. Absent: APIKEY_MASTER_KEY when the store is not already on it. */
  newMasterKey?: string;
}

export interface RekeyResult {
  from: KekProviderName;
  to: KekProviderName;
  /** Old master-key material that could not be removed after the switch (say, a locked keychain). */
  leftovers: string[];
}

/*
 * Crash safety. The only commit point is the one SQLite transaction that replaces the store's meta row (provider,
 * KDF parameters, wrapped data key). The key rows are never touched: the data key stays the same, only its wrapping
 * changes. So the question is only what happens to master-key material outside the database:
 *
 * - New material is created BEFORE the commit and never where the old material is: a keychain entry gets an account
 *   of its own (recorded in the meta row's kdf), and a key file is written only when the store does not use one now.
 *   Killed before the commit: the meta row still names the old provider, whose material is untouched; the new
 *   file/entry is unused (a later re-key removes a stale key file before writing its own; an orphaned keychain entry
 *   unlocks nothing). The key file is fsynced before the commit.
 * - Old material is removed only AFTER the commit. Killed in between: the store opens with the new key; the old
 *   file/entry is left over, unused, and the next `rekey` removes a stale key file it finds.
 * - Key file to key file is refused: the new file would have to replace the old one at the one path readers look
 *   at, and no ordering of "replace the file" and "commit the row" survives a crash between the two. The hint says to
 *   go through another provider (two re-keys, each crash-safe). A new passphrase or APIKEY_MASTER_KEY has no
 *   material on disk, so those may be replaced in place.
 */
export async function rekeyStore(vault: Vault, input: RekeyInput): Promise<RekeyResult> {
  const { store, config } = vault;
  const meta = await store.getMeta();
  if (!meta) {
    throw new ApikeyError(
      ERROR_CODES.USAGE,
      "The store has no master key yet: it is created with the first key.",
      {
        hint: "Add a key first (apikey add NAME); the master key is chosen then.",
      },
    );
  }
  const from = meta.kekProvider;
  const { to } = input;
  if (from === "keyfile" && to === "keyfile") {
    throw new ApikeyError(ERROR_CODES.USAGE, "The store already uses a key file.", {
      hint: "To replace it, re-key to another provider and back (e.g. `apikey rekey --to passphrase`, then `apikey rekey --to keyfile`).",
    });
  }
  // Proves the old master key works before anything else happens.
  const dek = await vault.unlock();
  const leftovers: string[] = [];
  if (from !== "keyfile" && to === "keyfile" && removeKeyFileIfPresent(config.dataDir)) {
    vault.warn("Removed an unused key file left by an interrupted re-key.");
  }

  const made = await createKek({ ...vault.kekContext(), config: newKekConfig(config, from, input) }, to);
  const discard = () => tryQuietly(() => made.discard?.());
  try {
    if (to === "keyfile") syncKeyFile(config.dataDir);
    await checkMaterial(made, config);
    const wrapped = wrapDek(made.kek, dek);
    if (!unwrapDek(made.kek, wrapped.ciphertext, wrapped.nonce).equals(dek)) {
      throw new ApikeyError(ERROR_CODES.INTERNAL, "The re-wrapped data key did not verify; nothing changed.");
    }
    await store.transaction(async (tx) => {
      const current = await tx.getMeta();
      if (!current || !Buffer.from(current.wrappedDek).equals(Buffer.from(meta.wrappedDek))) {
        throw new ApikeyError(
          ERROR_CODES.STORE_BUSY,
          "The store's master key was changed by another process meanwhile.",
          {
            hint: "Nothing changed here. Check `apikey status`, then run the command again if needed.",
          },
        );
      }
      await tx.setMeta({
        ...current,
        kekProvider: to,
        kdf: made.kdf,
        wrappedDek: wrapped.ciphertext,
        dekNonce: wrapped.nonce,
        updatedAt: vault.now(),
      });
      await vault.auditIn(tx, "store.rekey", null, null, { from, to });
    });
  } catch (err) {
    discard();
    throw err;
  }

  // Committed: the old material is now unused. Failing to remove it is reported, not fatal.
  if (from === "keyfile" && to !== "keyfile") {
    if (!tryQuietly(() => removeKeyFileIfPresent(config.dataDir))) leftovers.push("the old key file");
  }
  if (from === "keychain") {
    const account = keychainAccount(meta.kdf, config.dataDir);
    if (!tryQuietly(() => deleteKeychainEntry(account))) leftovers.push("the old keychain entry");
  }
  if (made.warning) vault.warn(made.warning);
  return { from, to, leftovers };
}

/** The config createKek should see: the NEW passphrase or master key in place of the old one. */
function newKekConfig(config: Config, from: KekProviderName, input: RekeyInput): Config {
  if (input.to === "passphrase") {
    const passphrase = input.newPassphrase ?? (from === "passphrase" ? undefined : config.passphrase);
    return { ...config, passphrase };
  }
  if (input.to === "env") {
    const masterKey = input.newMasterKey ?? (from === "env" ? undefined : config.masterKey);
    if (masterKey === undefined) {
      throw new ApikeyError(ERROR_CODES.MASTER_KEY_MISSING, "No new master key was given.", {
        hint: "Give the new base64 master key on stdin (or at the prompt); generate one with: node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"",
      });
    }
    if (from === "env" && masterKey.trim() === config.masterKey?.trim()) {
      throw new ApikeyError(ERROR_CODES.USAGE, "The new master key is the one the store already uses.", {
        hint: "Generate a new one.",
      });
    }
    return { ...config, masterKey };
  }
  return config;
}

/** Reads the new key back from where it was put: a write some backends accept but cannot serve must fail here. */
async function checkMaterial(made: NewKek, config: Config): Promise<void> {
  if (made.provider !== "keyfile" && made.provider !== "keychain") return;
  const now = new Date();
  const probe = {
    kekProvider: made.provider,
    kdf: made.kdf,
    wrappedDek: new Uint8Array(),
    dekNonce: new Uint8Array(),
  };
  const stored = await unlockKek({ ...probe, createdAt: now, updatedAt: now }, { config });
  if (!stored.equals(made.kek)) {
    throw new ApikeyError(
      ERROR_CODES.INTERNAL,
      "The new master key could not be read back; nothing changed.",
    );
  }
}

function tryQuietly(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}
