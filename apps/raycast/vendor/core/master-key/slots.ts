// Vendored from packages/core/src/master-key/slots.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { randomUUID } from "node:crypto";
import { wrapDek } from "../crypto/data-key.ts";
import type { KekProviderName } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { freeSlotName } from "../rekey/rekey.ts";
import { checkName } from "../vault/names.ts";
import type { MasterKeySession } from "../vault/session.ts";
import type { MasterKeySource } from "./source.ts";

// Master-key slots as a person manages them: list (never material), add (a generated key shown once, a passphrase,
// the keychain), remove (never the last). Each change is one transaction and audited.

export interface SlotView {
  name: string;
  kind: KekProviderName;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface AddSlotResult {
  slot: SlotView;
  /** A generated master key: show it once, it is stored nowhere in clear. */
  masterKey: string | null;
}

export async function listSlots(vault: MasterKeySession): Promise<SlotView[]> {
  return (await vault.store.slots.list()).map((s) => ({
    name: s.name,
    kind: s.kind,
    createdAt: s.createdAt.toISOString(),
    lastUsedAt: s.lastUsedAt?.toISOString() ?? null,
  }));
}

/** Adds a slot wrapping the store's data key under the master key `source` makes. Needs the store unlocked. */
export async function addSlot(
  vault: MasterKeySession,
  input: { name?: string; source: MasterKeySource },
): Promise<AddSlotResult> {
  if (input.name !== undefined) checkName(input.name, "slot");
  const dek = await vault.unlock();
  const made = await input.source.create?.();
  if (!made) {
    throw new ApikeyError(ERROR_CODES.MASTER_KEY_MISSING, "That master key is not available here.", {
      details: { kind: input.source.kind },
    });
  }
  try {
    const wrapped = wrapDek(made.kek, dek);
    const now = vault.now();
    const slot = await vault.store.transaction(async (tx) => {
      if (input.name !== undefined && (await tx.slots.byName(input.name))) {
        throw new ApikeyError(
          ERROR_CODES.NAME_TAKEN,
          `A master-key slot named "${input.name}" already exists.`,
          {
            details: { slot: input.name },
          },
        );
      }
      const row = {
        id: randomUUID(),
        name: input.name ?? (await freeSlotName(tx, made.kind)),
        kind: made.kind,
        params: made.params,
        wrappedDek: wrapped.ciphertext,
        dekNonce: wrapped.nonce,
        createdAt: now,
        lastUsedAt: null,
      };
      await tx.slots.insert(row);
      await vault.auditIn(tx, "slot.add", null, null, { slot: row.name, kind: row.kind });
      return row;
    });
    if (made.warning) vault.warn(made.warning);
    return {
      slot: { name: slot.name, kind: slot.kind, createdAt: now.toISOString(), lastUsedAt: null },
      masterKey: made.reveal ?? null,
    };
  } catch (err) {
    made.discard?.();
    throw err;
  }
}

/**
 * Removes a slot: that master key no longer opens the store. Refuses the last slot (the store would be lost) and
 * needs the store unlocked, so only someone who can open it may take a way in away.
 */
export async function removeSlot(
  vault: MasterKeySession,
  name: string,
): Promise<{ removed: SlotView; leftover: boolean }> {
  await vault.unlock();
  const removed = await vault.store.transaction(async (tx) => {
    const slot = await tx.slots.byName(name);
    if (!slot) {
      throw new ApikeyError(ERROR_CODES.SLOT_NOT_FOUND, "No master-key slot by that name.", {
        details: { slot: name },
      });
    }
    if ((await tx.slots.list()).length === 1) {
      throw new ApikeyError(ERROR_CODES.LAST_SLOT, "The last master-key slot cannot be removed.", {
        details: { slot: name },
      });
    }
    await tx.slots.delete(slot.id);
    await vault.auditIn(tx, "slot.remove", null, null, { slot: slot.name, kind: slot.kind });
    return slot;
  });
  if (vault.openedSlot().id === removed.id) vault.lock();
  // Material outside the database (a keychain entry, the key file) goes only after the commit.
  const source = vault.masterKeys.find((s) => s.kind === removed.kind);
  const leftover = source?.destroy ? !(await source.destroy(removed)) : false;
  return {
    removed: {
      name: removed.name,
      kind: removed.kind,
      createdAt: removed.createdAt.toISOString(),
      lastUsedAt: removed.lastUsedAt?.toISOString() ?? null,
    },
    leftover,
  };
}
