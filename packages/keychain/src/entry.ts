import { randomBytes, randomUUID } from "node:crypto";
import type { KeychainParams } from "@apikey/core";
import { ApikeyError, ERROR_CODES } from "@apikey/core/errors";

// The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux) through @napi-rs/keyring.
// The addon is imported on first use, never at load, so a bundle that never opens a keychain store never loads it.

const SERVICE = "apikey";

interface KeyringEntry {
  getPassword(): string | null | undefined;
  setPassword(value: string): void;
  deletePassword(): boolean;
}

type EntryCtor = new (s: string, a: string, o?: { linux?: { store?: string } }) => KeyringEntry;
let ctor: Promise<EntryCtor> | undefined;

async function entry(account: string): Promise<KeyringEntry> {
  ctor ??= import("@napi-rs/keyring").then((m) => (m as unknown as { Entry: EntryCtor }).Entry);
  const Entry = await ctor;
  // On Linux, pin Secret Service: the default falls back to the kernel keyring, whose entries vanish with the
  // session, which would lose the store's master key.
  return new Entry(SERVICE, account, { linux: { store: "secret-service" } });
}

/**
 * Creates and stores a new KEK under an account unique to this creation (the store's directory plus a random
 * suffix, recorded in the slot), so two processes creating a store at once never overwrite each other's entry.
 * Returns null when no keychain is usable here.
 */
export async function tryCreateKeychainKek(
  dataDir: string,
): Promise<{ kek: Buffer; params: KeychainParams } | null> {
  const params: KeychainParams = { name: "keychain", account: `${dataDir}#${randomUUID().slice(0, 8)}` };
  try {
    const kek = randomBytes(32);
    const e = await entry(params.account);
    e.setPassword(kek.toString("base64"));
    // Read back: some backends accept a write they cannot serve later.
    return e.getPassword() === kek.toString("base64") ? { kek, params } : null;
  } catch {
    return null;
  }
}

/**
 * Whether a keychain answers here, without writing to it: a read of an account nobody uses returns nothing from a
 * working keychain and throws where there is none (no Secret Service on the session bus, no session bus at all).
 */
export async function keychainAnswers(): Promise<boolean> {
  try {
    (await entry(`probe#${randomUUID()}`)).getPassword();
    return true;
  } catch {
    return false;
  }
}

/** Removes an entry; false when the keychain could not be reached. */
export async function deleteKeychainEntry(account: string): Promise<boolean> {
  try {
    (await entry(account)).deletePassword();
    return true;
  } catch {
    return false;
  }
}

/** Stores created before entries were unique used the bare data directory as the account. */
export function keychainAccount(params: unknown, dataDir: string): string {
  const p = params as Partial<KeychainParams> | null;
  return p?.name === "keychain" && typeof p.account === "string" ? p.account : dataDir;
}

export async function readKeychainKek(account: string): Promise<Buffer> {
  let value: string | null | undefined;
  try {
    value = (await entry(account)).getPassword();
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
      details: { service: SERVICE, account },
    });
  }
  return kek;
}
