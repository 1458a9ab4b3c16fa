// Vendored from packages/core/src/paths.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { homedir } from "node:os";
import { join, resolve } from "node:path";

// Where a store lives. Import-light on purpose: the `apikey current` hot path uses it.

export const STORE_FILE = "apikey.db";
export const KEY_FILE = "master.key";

/** `$APIKEY_HOME`, else `$XDG_DATA_HOME/apikey`, else `~/.local/share/apikey`. */
export function dataDirFrom(env: Record<string, string | undefined>): string {
  if (env.APIKEY_HOME) return resolve(env.APIKEY_HOME);
  const base = env.XDG_DATA_HOME || join(env.HOME || homedir(), ".local", "share");
  return resolve(base, "apikey");
}

export const storeFileIn = (dataDir: string): string => join(dataDir, STORE_FILE);
