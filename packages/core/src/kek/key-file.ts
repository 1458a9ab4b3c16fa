import { randomBytes } from "node:crypto";
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { KEY_FILE } from "../paths.ts";

// Last-resort KEK: a random key in a 0600 file beside the store. It protects against a copied database
// file, not against someone who can read the whole data directory; `apikey status` says so.

export const keyFilePath = (dataDir: string): string => join(dataDir, KEY_FILE);

/**
 * Creates the key file atomically (written in full under a temporary name, then hard-linked into place, which
 * fails if the file exists). When it already exists — another process creating the store at the same moment,
 * or a creation that crashed before its database commit — its key is used instead, so every creator agrees.
 */
export function createKeyFile(dataDir: string): { kek: Buffer; created: boolean } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const final = keyFilePath(dataDir);
  const tmp = `${final}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const kek = randomBytes(32);
  writeFileSync(tmp, `${kek.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(tmp, 0o600);
  try {
    linkSync(tmp, final);
    return { kek, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return { kek: readKeyFile(dataDir), created: false };
  } finally {
    rmSync(tmp, { force: true });
  }
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
