import { DEK_AAD, open, secretAad } from "@apikey/core/aead";
import { unlockKekFast } from "@apikey/core/kek/unlock-fast";
import { dataDirFrom, storeFileIn } from "@apikey/core/paths";
import { readActiveKeyRow } from "@apikey/storage/fast";

/**
 * Prints the active key and returns true, or returns false so the full program can handle the case
 * (no store, no active key, a prompt needed, an error to render). It never prints anything else.
 */
export async function tryPrintCurrent(profile: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    const dataDir = dataDirFrom(env);
    const row = readActiveKeyRow(storeFileIn(dataDir), profile, { touch: Date.now() });
    if (row === null || row === "stale" || row.status !== "active") return false;
    const kdf = row.kdf ? JSON.parse(row.kdf) : null;
    const kek = await unlockKekFast(row.kekProvider, kdf, dataDir, env);
    if (!kek) return false;
    const dek = open(kek, row.wrappedDek, row.dekNonce, DEK_AAD);
    const secret = open(dek, row.ciphertext, row.nonce, secretAad(row.keyId)).toString("utf8");
    process.stdout.write(`${secret}\n`);
    return true;
  } catch {
    // The full path repeats the work and reports the error properly.
    return false;
  }
}
