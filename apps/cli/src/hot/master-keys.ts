import {
  keyFileSource,
  type MasterKeySource,
  masterKeySource,
  passphraseSource,
  type UnlockSlot,
} from "@apikey/core/hot";
import type { FastSlot } from "@apikey/storage/fast";

// The master keys `apikey current` can use without asking anyone: the full program's (open-app.ts, cliMasterKeys)
// minus the passphrase prompt. Core tries them in its one unlock order (master-key/unlock-order.ts).

export function hotMasterKeys(env: NodeJS.ProcessEnv, dataDir: string): MasterKeySource[] {
  return [
    masterKeySource(env.APIKEY_MASTER_KEY || undefined),
    passphraseSource({ passphrase: env.APIKEY_PASSPHRASE || undefined }),
    {
      kind: "keychain",
      // The keychain addon loads only for a store that has a keychain slot.
      async open(slot) {
        const { keychainSource } = await import("@apikey/keychain");
        return keychainSource(dataDir).open(slot);
      },
    },
    keyFileSource(dataDir),
  ];
}

/** The raw slots with their parameters parsed (they are JSON text in the row). */
export function unlockSlots(slots: FastSlot[]): UnlockSlot[] {
  return slots.map((s) => ({ ...s, params: s.params === null ? null : JSON.parse(s.params) }));
}
