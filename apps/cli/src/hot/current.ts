import {
  decryptSecret,
  mintFederatedToken,
  shouldRecordUse,
  storeLocationFrom,
  tryUnlock,
  whyNotUsable,
} from "@apikey/core/hot";
import { openActiveKey } from "@apikey/storage/fast";
import { hotMasterKeys, unlockSlots } from "./master-keys.ts";

/**
 * Prints the active key and returns true, or returns false so the full program can handle the case
 * (no store, no active key, a prompt needed, a key to refuse, an OAuth token to refresh, a legacy seal to upgrade,
 * an error to render). It decides nothing itself: core's rule says whether the key may be handed out as it is, and
 * core's unlock order opens the store as the full path would. It never prints anything else, and marks the key used
 * only once it has been decrypted.
 */
export async function tryPrintCurrent(profile: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  let handle: ReturnType<typeof openActiveKey> = null;
  try {
    // The same store choice as every front; a PostgreSQL store has no file to read here: the full path opens it.
    const location = storeLocationFrom(env);
    if (location.kind !== "sqlite") return false;
    const { dataDir } = location;
    handle = openActiveKey(location.path, profile);
    if (handle === null || handle === "stale") return false;
    const { row } = handle;
    // A federated key is handed out as a token minted now: that needs the exchange, not the program (issue 26).
    const why = whyNotUsable({ ...row, expiresAt: row.expiresAt ?? null }, profile, Date.now());
    if (why !== null && why !== "mint") return false;
    const { opened } = await tryUnlock(hotMasterKeys(env, dataDir), unlockSlots(row.slots));
    if (!opened) return false;
    const decrypted = decryptSecret(opened.dek, { ...row, id: row.keyId });
    const secret = why === "mint" ? await mintFederatedToken(row.keyId, decrypted, env) : decrypted;
    const now = Date.now();
    if (shouldRecordUse(row.lastUsedAt, now)) handle.markUsed(now);
    process.stdout.write(`${secret}\n`);
    return true;
  } catch {
    // The full path repeats the work and reports the error properly.
    return false;
  } finally {
    if (handle !== null && handle !== "stale") handle.close();
  }
}
