import { existsSync } from "node:fs";
import { ApikeyError, type Config, ERROR_CODES, loadConfig, storeFileIn } from "@apikey/core";
import type { Store } from "@apikey/core/store";
import { openStore } from "@apikey/storage";
import { StoreNotFoundError } from "../lib/hints.ts";

/** The extension's preferences (package.json `preferences`). Empty strings mean "not set". */
export interface Preferences {
  directory?: string;
  masterKey?: string;
}

/**
 * The config the core sees: the preferences over Raycast's own environment. The `masterKey` preference is a
 * master-key slot's device key or the store's APIKEY_MASTER_KEY; either way it unwraps the data key like the env one.
 */
export function configFrom(prefs: Preferences, env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig({
    ...env,
    APIKEY_HOME: prefs.directory?.trim() || env.APIKEY_HOME,
    APIKEY_MASTER_KEY: prefs.masterKey?.trim() || env.APIKEY_MASTER_KEY,
  });
}

/**
 * Opens an existing store and never creates one: the CLI creates stores, so a wrong directory shows the "not found"
 * view instead of leaving an empty database behind. Refuses keychain-locked stores before anything touches the
 * keychain (Store review rejects extensions that ask for it).
 */
export async function openExistingStore(config: Config): Promise<Store> {
  const path = storeFileIn(config.dataDir);
  if (!existsSync(path)) {
    throw new StoreNotFoundError(config.dataDir, false);
  }
  // The swap point for @apikey/storage's node:sqlite entry: Raycast's runtime cannot load better-sqlite3.
  const store = await openStore({ path, driver: "node-sqlite" });
  const meta = await store.getMeta();
  if (!meta) {
    await store.close();
    throw new StoreNotFoundError(config.dataDir, true);
  }
  if (meta.kekProvider === "keychain") {
    await store.close();
    throw new ApikeyError(ERROR_CODES.KEYCHAIN_UNAVAILABLE, "This store is locked by the OS keychain.");
  }
  return store;
}
