import { existsSync } from "node:fs";
import { type Config, ERROR_CODES, isApikeyError, loadConfig, storeFileIn } from "@apikey/core";
import { type Apikey, openApikey } from "@apikey/core/app";
import { type MasterKeySource, masterKeySource, passphraseSource } from "@apikey/core/master-key";
import { openStore } from "@apikey/storage/node-sqlite";
import { StoreNotFoundError } from "../lib/hints.ts";

/** The extension's preferences (package.json `preferences`). Empty strings mean "not set". */
export interface Preferences {
  directory?: string;
  masterKey?: string;
}

export interface OpenOptions {
  actor: string;
  env?: NodeJS.ProcessEnv;
  /** Tests inject a clock; the commands use the real one. */
  now?: () => Date;
  /** Open the data key now (default). Writes that touch no secret skip it: the list that offered them already did. */
  unlock?: boolean;
}

/** Settings from the preferences; the environment only for what a person may have set for Raycast itself. */
export function configFrom(prefs: Preferences, env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig({
    HOME: env.HOME,
    XDG_DATA_HOME: env.XDG_DATA_HOME,
    APIKEY_HOME: prefs.directory?.trim() || env.APIKEY_HOME,
    ANTHROPIC_BASE_URL: env.ANTHROPIC_BASE_URL,
    APIKEY_VALIDATE_TIMEOUT_MS: env.APIKEY_VALIDATE_TIMEOUT_MS,
  });
}

/**
 * The master keys the extension can offer: the `masterKey` preference (a slot's device key, or the store's
 * APIKEY_MASTER_KEY), then APIKEY_MASTER_KEY / APIKEY_PASSPHRASE when Raycast's environment has them. Never the OS
 * keychain: Store review rejects extensions that ask for it, and its module is native.
 */
export function masterKeysFrom(prefs: Preferences, env: NodeJS.ProcessEnv = process.env): MasterKeySource[] {
  const sources: MasterKeySource[] = [];
  const pref = prefs.masterKey?.trim();
  if (pref) sources.push(masterKeySource(pref));
  if (env.APIKEY_MASTER_KEY) sources.push(masterKeySource(env.APIKEY_MASTER_KEY));
  if (env.APIKEY_PASSPHRASE) sources.push(passphraseSource({ passphrase: env.APIKEY_PASSPHRASE }));
  return sources;
}

/**
 * Opens an existing store through the core's front API and unlocks it (one AES-GCM open, no network), so a missing,
 * empty or locked store shows the "cannot open" view at once. Never creates a store: the CLI does, so a wrong
 * directory leaves nothing behind.
 */
export async function openExisting(prefs: Preferences, options: OpenOptions): Promise<Apikey> {
  const config = configFrom(prefs, options.env);
  const path = storeFileIn(config.dataDir);
  if (!existsSync(path)) throw new StoreNotFoundError(config.dataDir, false);
  const app = openApikey({
    store: await openStore({ path, ifMissing: "refuse" }),
    masterKeys: masterKeysFrom(prefs, options.env),
    // The environment's ANTHROPIC_API_KEY is a CLI convenience; Raycast lists stored keys only.
    config: { ...config, envApiKey: undefined },
    actor: options.actor,
    front: "raycast",
    ...(options.now && { now: options.now }),
  });
  if (options.unlock === false) return app;
  try {
    await app.unlock();
    return app;
  } catch (err) {
    await app.close();
    if (isApikeyError(err, ERROR_CODES.NO_ACTIVE_KEY) && err.details?.reason === "no_store") {
      throw new StoreNotFoundError(config.dataDir, true);
    }
    throw err;
  }
}
