// Vendored from packages/core/src/master-key/unlock.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { KekProviderName, MasterKeySlot } from "../domain.ts";
import { ApikeyError, ERROR_CODES, isApikeyError } from "../errors.ts";
import type { Store } from "../store.ts";
import type { MasterKeySource } from "./source.ts";
import { holdsDataKey, tryUnlock } from "./unlock-order.ts";

export { holdsDataKey };

export interface OpenedDataKey {
  dek: Buffer;
  /** The slot that opened it. */
  slot: MasterKeySlot;
}

/** Slots' last-used time is bookkeeping: written at most this often, so reads do not turn into writes. */
const TOUCH_EVERY_MS = 60 * 60 * 1000;

/**
 * Opens the store's data key with the first source that has a master key for one of its slots, in the one unlock
 * order (unlock-order.ts), which the CLI's hot path shares.
 */
export async function openDataKey(
  store: Store,
  sources: readonly MasterKeySource[],
  now: Date = new Date(),
): Promise<OpenedDataKey> {
  const all = await store.slots.list();
  const slots = all.filter(holdsDataKey);
  if (slots.length === 0) throw await noSlotError(store);
  const { opened, wrong, firstError } = await tryUnlock(sources, slots);
  if (opened) {
    await touch(store, opened.slot, now);
    return opened;
  }
  if (wrong) {
    throw new ApikeyError(
      ERROR_CODES.WRONG_MASTER_KEY,
      "The master key or passphrase does not unlock this store.",
      { details: { slots: kindsOf(slots) } },
    );
  }
  if (isApikeyError(firstError)) throw firstError;
  throw new ApikeyError(
    ERROR_CODES.MASTER_KEY_MISSING,
    "None of this store's master keys is available here.",
    {
      details: { slots: kindsOf(slots) },
      cause: firstError,
    },
  );
}

/**
 * No slot can unlock the store. A store that was never initialised and holds nothing is simply empty; one that was
 * initialised, holds keys, or has only broken slots has lost what unlocks it: that is damage, never "empty".
 */
async function noSlotError(store: Store): Promise<ApikeyError> {
  const damage = await damageWithoutSlots(store);
  if (damage === null) {
    return new ApikeyError(ERROR_CODES.NO_ACTIVE_KEY, "The store is empty.", {
      details: { reason: "no_store" },
    });
  }
  return damage;
}

/**
 * E_STORE_CORRUPT when the store shows it was created (its meta row, a key, a slot row) but has no usable slot; null
 * for a store that is still new. Also what a first write checks before it creates a store's data key.
 */
export async function damageWithoutSlots(store: Store): Promise<ApikeyError | null> {
  const [meta, keys] = await Promise.all([store.getMeta(), store.keys.list({ secrets: false })]);
  // Slots are read after the meta row: a process creating the store commits both in one transaction, so a store
  // it created since the caller last looked shows its slot here, and is new, not damaged (the caller's own write
  // then meets the other's meta row and retries as before).
  const slots = await store.slots.list();
  if (slots.some(holdsDataKey)) return null;
  const slotRows = slots.length;
  if (meta === null && keys.length === 0 && slotRows === 0) return null;
  return new ApikeyError(
    ERROR_CODES.STORE_CORRUPT,
    "The key store is damaged: none of its master-key slots can unlock it (they were deleted or altered).",
    {
      hint: "Do not add keys to it. Restore the store from a backup or an export bundle; the keys in it cannot be opened without a slot.",
      details: { reason: "no_slots", keys: keys.length, slots: slotRows },
    },
  );
}

async function touch(store: Store, slot: MasterKeySlot, now: Date): Promise<void> {
  if (slot.lastUsedAt && now.getTime() - slot.lastUsedAt.getTime() < TOUCH_EVERY_MS) return;
  try {
    await store.slots.touch(slot.id, now);
  } catch {
    // Bookkeeping only: a read-only or busy store still opens.
  }
}

function kindsOf(slots: MasterKeySlot[]): KekProviderName[] {
  return [...new Set(slots.map((s) => s.kind))];
}

/** The first source that can make a new master key here, in the order the front gave them. */
export async function createMasterKey(sources: readonly MasterKeySource[]) {
  for (const source of sources) {
    const made = await source.create?.();
    if (made) return made;
  }
  throw new ApikeyError(
    ERROR_CODES.MASTER_KEY_MISSING,
    "No master key is available to protect a new store.",
    {
      details: { reason: "no_source" },
    },
  );
}
