import { randomBytes, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import type { KeychainParams } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";

// The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux) through
// @napi-rs/keyring, loaded only when a store uses it so other paths do not pay for the native addon.

const SERVICE = "apikey";

interface KeyringEntry {
  getPassword(): string | null | undefined;
  setPassword(value: string): void;
  deletePassword(): boolean;
}

function entry(account: string): KeyringEntry {
  const require = createRequire(import.meta.url);
  const { Entry } = require("@napi-rs/keyring") as {
    Entry: new (s: string, a: string, o?: { linux?: { store?: string } }) => KeyringEntry;
  };
  // On Linux, pin Secret Service: the default falls back to the kernel keyring, whose entries vanish with the
  // session, which would lose the store's master key.
  return new Entry(SERVICE, account, { linux: { store: "secret-service" } });
}

/**
 * Creates and stores a new KEK under an account unique to this creation (the store's directory plus a random
 * suffix, recorded in the store's metadata), so two processes creating a store at once never overwrite each
 * other's entry. Returns null when no keychain is usable here.
 */
export function tryCreateKeychainKek(dataDir: string): { kek: Buffer; params: KeychainParams } | null {
  const params: KeychainParams = { name: "keychain", account: `${dataDir}#${randomUUID().slice(0, 8)}` };
  try {
    const kek = randomBytes(32);
    const e = entry(params.account);
    e.setPassword(kek.toString("base64"));
    // Read back: some backends accept a write they cannot serve later.
    return e.getPassword() === kek.toString("base64") ? { kek, params } : null;
  } catch {
    return null;
  }
}

/** Removes an entry this process created for a store that did not get created after all. */
export function deleteKeychainEntry(account: string): void {
  try {
    entry(account).deletePassword();
  } catch {
    // Best effort: an orphaned random entry holds nothing that protects data.
  }
}

/** Stores created before entries were unique used the bare data directory as the account. */
export function keychainAccount(params: unknown, dataDir: string): string {
  const p = params as Partial<KeychainParams> | null;
  return p?.name === "keychain" && typeof p.account === "string" ? p.account : dataDir;
}

export function readKeychainKek(account: string): Buffer {
  let value: string | null | undefined;
  try {
    value = entry(account).getPassword();
  } catch (cause) {
    throw new ApikeyError(
      ERROR_CODES.KEYCHAIN_UNAVAILABLE,
      "The OS keychain holding this store's master key is not available.",
      {
        hint: "Unlock your keychain (or start your Secret Service, e.g. gnome-keyring) and try again.",
        cause,
      },
    );
  }
  const kek = value ? Buffer.from(value, "base64") : Buffer.alloc(0);
  if (kek.length !== 32) {
    throw new ApikeyError(ERROR_CODES.MASTER_KEY_MISSING, "The keychain has no master key for this store.", {
      hint: `Look for service "${SERVICE}", user "${account}" in your keychain, or restore it from a backup.`,
    });
  }
  return kek;
}
