import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { KEY_FILE } from "../paths.ts";

// Last-resort KEK: a random key in a 0600 file beside the store. It protects against a copied database
// file, not against someone who can read the whole data directory; `apikey status` says so.

export const keyFilePath = (dataDir: string): string => join(dataDir, KEY_FILE);

export function createKeyFile(dataDir: string): Buffer {
  const kek = randomBytes(32);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // `wx` so two processes initialising at once cannot overwrite each other's key.
  writeFileSync(keyFilePath(dataDir), `${kek.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(keyFilePath(dataDir), 0o600);
  return kek;
}

export function readKeyFile(dataDir: string): Buffer {
  let text: string;
  try {
    text = readFileSync(keyFilePath(dataDir), "utf8");
  } catch (cause) {
    throw new ApikeyError(ERROR_CODES.MASTER_KEY_MISSING, "This store's key file is missing.", {
      hint: `Restore ${keyFilePath(dataDir)} from a backup; without it the stored keys cannot be decrypted.`,
      cause,
    });
  }
  const kek = Buffer.from(text.trim(), "base64");
  if (kek.length !== 32) {
    throw new ApikeyError(ERROR_CODES.WRONG_MASTER_KEY, "This store's key file is damaged.", {
      hint: `Restore ${keyFilePath(dataDir)} from a backup.`,
    });
  }
  return kek;
}

export function removeKeyFile(dataDir: string): void {
  rmSync(keyFilePath(dataDir), { force: true });
}
