import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  open,
  SEAL_VERSION,
  secretAad,
  shouldRecordUse,
  storeLocationFrom,
  unlockDataKeyFast,
} from "@apikey/core/hot";
import { openActiveKey } from "@apikey/storage/fast";

/**
 * better-sqlite3's JavaScript is bundled in; its addon stays in this package's node_modules. The path is built,
 * not resolved: resolution would read package.json files on every call. That is where the workspace and
 * `npm install -g` put it; where npm hoisted it instead (npx, a project's node_modules), resolve it once.
 */
function addonPath(): string {
  const release = ["build", "Release", "better_sqlite3.node"];
  const beside = join(__dirname, "..", "node_modules", "better-sqlite3", ...release);
  if (existsSync(beside)) return beside;
  return join(dirname(createRequire(__filename).resolve("better-sqlite3/package.json")), ...release);
}

/** The keychain addon loads only for a store that has a keychain slot. */
async function readKeychain(
  params: Parameters<typeof import("@apikey/keychain").keychainAccount>[0],
  dataDir: string,
) {
  const { keychainAccount, readKeychainKek } = await import("@apikey/keychain");
  return readKeychainKek(keychainAccount(params, dataDir));
}

/**
 * Prints the active key and returns true, or returns false so the full program can handle the case
 * (no store, no active key, a prompt needed, an OAuth token to refresh, a legacy seal to upgrade, an error to
 * render). It never prints anything else, and marks the key used only once it has been decrypted.
 */
export async function tryPrintCurrent(profile: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  let handle: ReturnType<typeof openActiveKey> = null;
  try {
    // The same store choice as every front; a PostgreSQL store has no file to read here: the full path opens it.
    const location = storeLocationFrom(env);
    if (location.kind !== "sqlite") return false;
    const { dataDir } = location;
    handle = openActiveKey(location.path, profile, { nativeBinding: addonPath() });
    if (handle === null || handle === "stale") return false;
    const { row } = handle;
    // OAuth tokens expire and may need a refresh, which only the full path can do; a pointer into another profile
    // or a legacy seal is the full path's to refuse or upgrade.
    if (
      row.status !== "active" ||
      row.kind === "oauth" ||
      row.profile !== profile ||
      row.seal !== SEAL_VERSION
    )
      return false;
    const dek = await unlockDataKeyFast(row.slots, dataDir, env, readKeychain);
    if (!dek) return false;
    const identity = { id: row.keyId, profile: row.profile, name: row.name, kind: row.kind };
    const secret = open(dek, row.ciphertext, row.nonce, secretAad(identity)).toString("utf8");
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
