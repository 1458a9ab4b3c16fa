// Vendored from packages/core/src/master-key/unlock-order.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { unwrapDek } from "../crypto/data-key.ts";
import type { KekProviderName } from "../domain.ts";
import { ERROR_CODES, isApikeyError } from "../errors.ts";
import type { MasterKeySource, UnlockSlot } from "./source.ts";

export type { UnlockSlot };

// Which master key is tried on which slot, and in what order — written once, for openDataKey (unlock.ts) and the
// CLI's `apikey current` hot path, which must open a store exactly as the full path would or leave it to it. Light
// on purpose (node:crypto and the error codes): the hot path loads it.

/**
 * A master key given for this run (APIKEY_MASTER_KEY, a device key, then APIKEY_PASSPHRASE) before what the machine
 * holds (the OS keychain, then the key file, the weakest). Sources that ask a person go after all of them, so a
 * prompt appears only when nothing else opens the store.
 */
export const UNLOCK_ORDER: readonly KekProviderName[] = ["env", "passphrase", "keychain", "keyfile"];

/** A wrapped 256-bit data key: 32 bytes plus the 16-byte tag, under a 96-bit nonce. Anything else is damage. */
export function holdsDataKey(slot: Pick<UnlockSlot, "wrappedDek" | "dekNonce">): boolean {
  return slot.wrappedDek.byteLength === 48 && slot.dekNonce.byteLength === 12;
}

type Opener = Pick<MasterKeySource, "kind" | "interactive" | "open">;

/** Every (source, slot) pair to try, in order: each source on the slots of its kind that hold a data key. */
export function unlockAttempts<S extends UnlockSlot, O extends Opener>(
  sources: readonly O[],
  slots: readonly S[],
): { source: O; slot: S }[] {
  const rank = (s: O) => (s.interactive ? UNLOCK_ORDER.length : 0) + UNLOCK_ORDER.indexOf(s.kind);
  // Stable: two sources of one kind (a device key and APIKEY_MASTER_KEY) keep the front's order.
  const ordered = sources
    .map((source, i) => ({ source, i }))
    .sort((a, b) => rank(a.source) - rank(b.source) || a.i - b.i)
    .map((e) => e.source);
  const usable = slots.filter(holdsDataKey);
  return ordered.flatMap((source) =>
    usable.filter((s) => s.kind === source.kind).map((slot) => ({ source, slot })),
  );
}

export interface UnlockOutcome<S> {
  opened: { dek: Buffer; slot: S } | null;
  /** Some master key was offered for a slot and did not unwrap it. */
  wrong: boolean;
  /** The first source that failed (a locked keychain), kept so the caller can say why nothing opened. */
  firstError: unknown;
}

/** Tries each pair in order; the first data key that unwraps wins. Errors other than a wrong key are thrown. */
export async function tryUnlock<S extends UnlockSlot>(
  sources: readonly Opener[],
  slots: readonly S[],
): Promise<UnlockOutcome<S>> {
  let wrong = false;
  let firstError: unknown;
  for (const { source, slot } of unlockAttempts(sources, slots)) {
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
      return { opened: { dek: unwrapDek(kek, slot.wrappedDek, slot.dekNonce), slot }, wrong, firstError };
    } catch (err) {
      if (!isApikeyError(err, ERROR_CODES.WRONG_MASTER_KEY)) throw err;
      wrong = true;
    }
  }
  return { opened: null, wrong, firstError };
}
