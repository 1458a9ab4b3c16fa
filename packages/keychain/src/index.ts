import type { MasterKeySource } from "@apikey/core";
import { deleteKeychainEntry, keychainAccount, readKeychainKek, tryCreateKeychainKek } from "./entry.ts";

export { keychainAccount, keychainAnswers, readKeychainKek } from "./entry.ts";

/** The OS keychain as a master-key source, for Node fronts that may load a native addon (the CLI, the bot). */
export function keychainSource(dataDir: string): MasterKeySource {
  return {
    kind: "keychain",
    open: async (slot) => readKeychainKek(keychainAccount(slot.params, dataDir)),
    async create() {
      const made = await tryCreateKeychainKek(dataDir);
      if (!made) return null;
      return {
        kind: "keychain",
        kek: made.kek,
        params: made.params,
        discard: () => void deleteKeychainEntry(made.params.account),
      };
    },
    destroy: (slot) => deleteKeychainEntry(keychainAccount(slot.params, dataDir)),
  };
}
