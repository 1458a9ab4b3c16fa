import { homedir } from "node:os";
import { join, resolve } from "node:path";

// Where a store lives. Import-light on purpose: the `apikey current` hot path uses it.

export const STORE_FILE = "apikey.db";
export const KEY_FILE = "master.key";

/** The environment variable that selects a shared PostgreSQL store instead of the SQLite file. */
export const DATABASE_URL_VARIABLE = "APIKEY_DATABASE_URL";

/** `$APIKEY_HOME`, else `$XDG_DATA_HOME/apikey`, else `~/.local/share/apikey`. */
export function dataDirFrom(env: Record<string, string | undefined>): string {
  if (env.APIKEY_HOME) return resolve(env.APIKEY_HOME);
  const base = env.XDG_DATA_HOME || join(env.HOME || homedir(), ".local", "share");
  return resolve(base, "apikey");
}

export const storeFileIn = (dataDir: string): string => join(dataDir, STORE_FILE);

/** Which store a process uses: the shared PostgreSQL database, or the SQLite file in the data directory. */
export type StoreLocation =
  | { kind: "postgres"; url: string; dataDir: string }
  | { kind: "sqlite"; path: string; dataDir: string };

/**
 * The one store choice every front makes (the CLI, its hot path, the Slack bot, the gateway it starts, Raycast):
 * APIKEY_DATABASE_URL, when set to anything but blanks, selects PostgreSQL (its shape is checked where it is
 * opened); otherwise the SQLite file in the data directory. Pure over the variables given, so the hot path can ask
 * without loading the config module.
 */
export function storeLocationFrom(env: Record<string, string | undefined>): StoreLocation {
  const dataDir = dataDirFrom(env);
  const url = env[DATABASE_URL_VARIABLE]?.trim();
  return url ? { kind: "postgres", url, dataDir } : { kind: "sqlite", path: storeFileIn(dataDir), dataDir };
}
