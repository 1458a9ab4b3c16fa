// Vendored from packages/core/src/master-key/unlock.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { unwrapDek } from "../crypto/data-key.ts";
import type { KekProviderName, MasterKeySlot } from "../domain.ts";
import { ApikeyError, ERROR_CODES, isApikeyError } from "../errors.ts";
import type { Store } from "../store.ts";
import type { MasterKeySource } from "./source.ts";

export interface OpenedDataKey {
  dek: Buffer;
  /** The slot that opened it. */
  slot: MasterKeySlot;
}

/** Slots' last-used time is bookkeeping: written at most this often, so reads do not turn into writes. */
const TOUCH_EVERY_MS = 60 * 60 * 1000;

/**
 * Opens the store's data key with the first source that has a master key for one of its slots. Sources that ask a
 * person go last, so a prompt appears only when nothing else opens the store.
 */
export async function openDataKey(
  store: Store,
  sources: readonly MasterKeySource[],
  now: Date = new Date(),
): Promise<OpenedDataKey> {
  const slots = await store.slots.list();
  if (slots.length === 0) {
    throw new ApikeyError(ERROR_CODES.NO_ACTIVE_KEY, "The store is empty.", {
      details: { reason: "no_store" },
    });
  }
  const ordered = [...sources.filter((s) => !s.interactive), ...sources.filter((s) => s.interactive)];
  let wrong = false;
  let firstError: unknown;
  for (const source of ordered) {
    for (const slot of slots.filter((s) => s.kind === source.kind)) {
      let kek: Buffer | null;
      try {
        kek = await source.open(slot);
      } catch (err) {
        // One unavailable source (a locked keychain) must not hide a slot another source opens.
        firstError ??= err;
        continue;
      }
      if (kek === null) continue;
      try {
        const dek = unwrapDek(kek, slot.wrappedDek, slot.dekNonce);
        await touch(store, slot, now);
        return { dek, slot };
      } catch (err) {
        if (!isApikeyError(err, ERROR_CODES.WRONG_MASTER_KEY)) throw err;
        wrong = true;
      }
    }
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
