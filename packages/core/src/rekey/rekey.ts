import { randomUUID } from "node:crypto";
import type { Config } from "../config.ts";
import { unwrapDek, wrapDek } from "../crypto/index.ts";
import type { KekProviderName, MasterKeySlot } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import type { MasterKeySource, NewMasterKey } from "../master-key/source.ts";
import { keyFileSource, masterKeySource, passphraseSource } from "../master-key/sources.ts";
import type { Store } from "../store.ts";
import type { MasterKeySession } from "../vault/session.ts";
import { removeKeyFileIfPresent, syncKeyFile } from "./kek-material.ts";

export interface RekeyInput {
  to: KekProviderName;
  /** `to: "passphrase"`: the new passphrase. Absent: APIKEY_PASSPHRASE when the store is not already passphrase-
   *  protected (then it is the old one). */
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
 * Re-keying replaces the master-key slot that opened the store with a slot under a new master key. Crash safety: the
 * only commit point is the one SQLite transaction that swaps the slots. The key rows are never touched: the data key
 * stays the same, only its wrapping changes. What matters is master-key material outside the database:
 *
 * - New material is created BEFORE the commit and never where the old material is: a keychain entry gets an account
 *   of its own (recorded in the slot's params), and a key file is written only when the store does not use one now.
 *   Killed before the commit: the old slot is untouched; the new file/entry is unused (a later re-key removes a
 *   stale key file before writing its own; an orphaned keychain entry unlocks nothing). The key file is fsynced first.
 * - Old material is removed only AFTER the commit. Killed in between: the store opens with the new key; the old
 *   file/entry is left over, unused, and the next `rekey` removes a stale key file it finds.
 * - Key file to key file is refused: the new file would have to replace the old one at the one path readers look
 *   at, and no ordering of "replace the file" and "commit the row" survives a crash between the two. Going through
 *   another master key works (two re-keys, each crash-safe). A new passphrase or master key has no material on
 *   disk, so those may be replaced in place.
 */
export async function rekeyStore(vault: MasterKeySession, input: RekeyInput): Promise<RekeyResult> {
  const { config } = vault;
  await requireMasterKey(vault.store);
  // Proves the old master key works before anything else happens, and names the slot it opened.
  const dek = await vault.unlock();
  const old = vault.openedSlot();
  const from = old.kind;
  const { to } = input;
  if (from === "keyfile" && to === "keyfile") {
    throw new ApikeyError(ERROR_CODES.USAGE, "The store already uses a key file.", {
      details: { reason: "keyfile_to_keyfile" },
    });
  }
  if (from !== "keyfile" && to === "keyfile" && removeKeyFileIfPresent(config.dataDir)) {
    vault.warn("Removed an unused key file left by an interrupted re-key.");
  }

  const source = newSource(vault, config, from, input);
  const made = await createNewMaterial(source, to);
  try {
    if (to === "keyfile") syncKeyFile(config.dataDir);
    const slot = await sealIntoSlot(vault, source, made, dek, to);
    await swapSlots(vault, old, slot, from, to);
  } catch (err) {
    tryQuietly(() => made.discard?.());
    throw err;
  }

  const leftovers = await removeOldMaterial(vault, old, from, to);
  vault.lock();
  if (made.warning) vault.warn(made.warning);
  return { from, to, leftovers };
}

async function requireMasterKey(store: Store): Promise<void> {
  if ((await store.getMeta()) === null) {
    throw new ApikeyError(
      ERROR_CODES.USAGE,
      "The store has no master key yet: it is created with the first key.",
      { details: { reason: "no_store" } },
    );
  }
}

/** The new master key's material, written where the old one is not (see above). */
async function createNewMaterial(source: MasterKeySource, to: KekProviderName): Promise<NewMasterKey> {
  const made = await source.create?.();
  if (!made) {
    throw new ApikeyError(ERROR_CODES.KEYCHAIN_UNAVAILABLE, "No usable OS keychain was found.", {
      details: { kind: to },
    });
  }
  return made;
}

/** The data key wrapped under the new master key, as a slot, once the new material reads back. */
async function sealIntoSlot(
  vault: MasterKeySession,
  source: MasterKeySource,
  made: NewMasterKey,
  dek: Buffer,
  to: KekProviderName,
): Promise<MasterKeySlot> {
  const wrapped = wrapDek(made.kek, dek);
  const now = vault.now();
  const slot: MasterKeySlot = {
    id: randomUUID(),
    name: to,
    kind: to,
    params: made.params,
    wrappedDek: wrapped.ciphertext,
    dekNonce: wrapped.nonce,
    createdAt: now,
    lastUsedAt: now,
  };
  // Read the new material back from where it was put: a write some backends accept but cannot serve fails here.
  const back = await source.open(slot).catch(() => null);
  if (!back?.equals(made.kek) || !unwrapDek(made.kek, wrapped.ciphertext, wrapped.nonce).equals(dek)) {
    throw new ApikeyError(
      ERROR_CODES.INTERNAL,
      "The new master key could not be read back; nothing changed.",
    );
  }
  return slot;
}

/** The commit point: the old slot out and the new one in, in one transaction, audited. */
async function swapSlots(
  vault: MasterKeySession,
  old: MasterKeySlot,
  slot: MasterKeySlot,
  from: KekProviderName,
  to: KekProviderName,
): Promise<void> {
  await vault.store.transaction(async (tx) => {
    if (!(await tx.slots.byName(old.name))) {
      throw new ApikeyError(
        ERROR_CODES.STORE_BUSY,
        "The store's master key was changed by another process meanwhile.",
      );
    }
    await tx.slots.delete(old.id);
    await tx.slots.insert({ ...slot, name: await freeSlotName(tx, to) });
    await vault.auditIn(tx, "store.rekey", null, null, { from, to });
  });
}

/** Committed: the old material is now unused. Failing to remove it is reported, not fatal. */
async function removeOldMaterial(
  vault: MasterKeySession,
  old: MasterKeySlot,
  from: KekProviderName,
  to: KekProviderName,
): Promise<string[]> {
  const leftovers: string[] = [];
  if (from === "keyfile" && to !== "keyfile") {
    if (!tryQuietly(() => removeKeyFileIfPresent(vault.config.dataDir))) leftovers.push("the old key file");
  }
  if (from === "keychain") {
    const keychain = vault.masterKeys.find((s) => s.kind === "keychain");
    if (!(await keychain?.destroy?.(old))) leftovers.push("the old keychain entry");
  }
  return leftovers;
}

/** A slot name not taken yet: the kind, else the kind with a number. */
export async function freeSlotName(tx: Store, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    if (!(await tx.slots.byName(name))) return name;
  }
}

/** The source of the NEW master key: the new passphrase or master key in place of the old one. */
function newSource(
  vault: MasterKeySession,
  config: Config,
  from: KekProviderName,
  input: RekeyInput,
): MasterKeySource {
  switch (input.to) {
    case "passphrase": {
      const passphrase = input.newPassphrase ?? (from === "passphrase" ? undefined : config.passphrase);
      if (passphrase === undefined) {
        throw new ApikeyError(ERROR_CODES.MASTER_KEY_MISSING, "No new passphrase was given.", {
          details: { kind: "passphrase" },
        });
      }
      return passphraseSource({ passphrase });
    }
    case "env":
      return masterKeySource(newMasterKey(config, from, input));
    case "keyfile":
      return keyFileSource(config.dataDir);
    case "keychain": {
      const keychain = vault.masterKeys.find((s) => s.kind === "keychain");
      if (!keychain) {
        throw new ApikeyError(ERROR_CODES.KEYCHAIN_UNAVAILABLE, "No OS keychain is available here.", {
          details: { kind: "keychain" },
        });
      }
      return keychain;
    }
  }
}

function newMasterKey(config: Config, from: KekProviderName, input: RekeyInput): string {
  const masterKey = input.newMasterKey ?? (from === "env" ? undefined : config.masterKey);
  if (masterKey === undefined) {
    throw new ApikeyError(ERROR_CODES.MASTER_KEY_MISSING, "No new master key was given.", {
      details: { kind: "env" },
    });
  }
  if (from === "env" && masterKey.trim() === config.masterKey?.trim()) {
    throw new ApikeyError(ERROR_CODES.USAGE, "The new master key is the one the store already uses.", {
      details: { reason: "same_master_key" },
    });
  }
  return masterKey;
}

function tryQuietly(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}
