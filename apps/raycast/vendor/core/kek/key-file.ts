// Vendored from packages/core/src/kek/key-file.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fstatSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
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
    const fd = openSync(keyFilePath(dataDir), "r");
    try {
      tightenOpenFile(fd);
      text = readFileSync(fd, "utf8");
    } finally {
      closeSync(fd);
    }
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

/**
 * Sets the key file back to 0600 if someone loosened it; returns the mode it had when it was looser, else null
 * (also when there is no key file). Reading the key always does this; `status` also reports it.
 */
export function tightenKeyFile(dataDir: string): number | null {
  let fd: number;
  try {
    fd = openSync(keyFilePath(dataDir), "r");
  } catch {
    return null;
  }
  try {
    return tightenOpenFile(fd);
  } finally {
    closeSync(fd);
  }
}

function tightenOpenFile(fd: number): number | null {
  // Windows has no such modes to speak of; there the file's ACL is what the data directory's is.
  if (process.platform === "win32") return null;
  const mode = fstatSync(fd).mode & 0o777;
  if ((mode & 0o077) === 0) return null;
  try {
    fchmodSync(fd, 0o600);
  } catch {
    // Not ours to change (another owner, a read-only mount): the caller still gets the key; status still warns.
  }
  return mode;
}
