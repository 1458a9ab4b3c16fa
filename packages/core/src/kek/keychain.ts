import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { ApikeyError, ERROR_CODES } from "../errors.ts";

// The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux) through
// @napi-rs/keyring, loaded only when a store uses it so other paths do not pay for the native addon.

const SERVICE = "apikey";

interface KeyringEntry {
  getPassword(): string | null | undefined;
  setPassword(value: string): void;
}

function entry(account: string): KeyringEntry {
  const require = createRequire(import.meta.url);
  const { Entry } = require("@napi-rs/keyring") as { Entry: new (s: string, a: string) => KeyringEntry };
  return new Entry(SERVICE, account);
}

/** Creates and stores a new KEK; returns null when no keychain is usable here. */
export function tryCreateKeychainKek(account: string): Buffer | null {
  try {
    const kek = randomBytes(32);
    const e = entry(account);
    e.setPassword(kek.toString("base64"));
    // Read back: some backends accept a write they cannot serve later.
    return e.getPassword() === kek.toString("base64") ? kek : null;
  } catch {
    return null;
  }
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
      hint: `Look for service "${SERVICE}", account "${account}" in your keychain, or restore it from a backup.`,
    });
  }
  return kek;
}
