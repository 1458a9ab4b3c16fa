import type { KekProviderName, KeychainParams, MasterKeySlot, ScryptParams } from "../domain.ts";

// The port through which a front hands core the master keys it can offer. Core tries them against the store's
// slots; it never decides by itself where a master key comes from (the OS keychain needs a native addon that a
// Raycast bundle cannot hold, a passphrase needs a person, a server has APIKEY_MASTER_KEY).

/** What opening reads of a slot: a stored slot, or the hot path's raw row with its params parsed. */
export type UnlockSlot = Pick<MasterKeySlot, "kind" | "params" | "wrappedDek" | "dekNonce">;

/** New master-key material for a new slot. */
export interface NewMasterKey {
  kind: KekProviderName;
  kek: Buffer;
  params: ScryptParams | KeychainParams | null;
  /** Shown to the person when the choice weakens protection. */
  warning?: string;
  /** A generated master key the person must keep: shown once by the front, never stored in clear. */
  reveal?: string;
  /** Undoes material written outside the database (a keychain entry) when the slot is not committed. */
  discard?: () => void;
}

export interface MasterKeySource {
  readonly kind: KekProviderName;
  /** Asks a person (a passphrase prompt): tried after every source that does not. */
  readonly interactive?: boolean;
  /** The master key for this slot, or null when this source has none to offer for it. */
  open(slot: UnlockSlot): Promise<Buffer | null>;
  /** Material for a new slot, or null when this source cannot make one here (no keychain, no passphrase given). */
  create?(): Promise<NewMasterKey | null>;
  /** Removes what a removed slot kept outside the database; false when that failed. */
  destroy?(slot: MasterKeySlot): Promise<boolean>;
}
