import { existsSync } from "node:fs";
import { homedir } from "node:os";
import {
  type Apikey,
  type Config,
  ERROR_CODES,
  isApikeyError,
  loadConfig,
  type MasterKeySource,
  masterKeySource,
  openApikey,
  passphraseSource,
} from "../../vendor/core/index.ts";
import { openStore } from "../../vendor/storage/node-sqlite.ts";
import { expandDirectory } from "../lib/directory.ts";
import { StoreNotFoundError } from "../lib/hints.ts";
import { assertNodeSqlite } from "../lib/runtime.ts";

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
  // Store Directory is typed text: `~` and relative paths are expanded here (lib/directory.ts), not by a shell.
  const home = env.HOME || homedir();
  return loadConfig({
    HOME: env.HOME,
    XDG_DATA_HOME: env.XDG_DATA_HOME,
    APIKEY_HOME: expandDirectory(prefs.directory, home) ?? expandDirectory(env.APIKEY_HOME, home),
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
 * empty or locked store, or a Raycast too old for node:sqlite, shows the "cannot open" view at once. Never creates a store: the CLI does, so a wrong
 * directory leaves nothing behind.
 */
export async function openExisting(prefs: Preferences, options: OpenOptions): Promise<Apikey> {
  // First: without node:sqlite nothing below can work, and the person must update Raycast, not the store.
  assertNodeSqlite();
  const config = configFrom(prefs, options.env);
  // The store choice every front makes (core's paths.ts). Raycast passes no APIKEY_DATABASE_URL (configFrom), so
  // it is the SQLite file: node:sqlite is the one driver Raycast's runtime can load.
  const location = config.store;
  if (location.kind !== "sqlite") throw new StoreNotFoundError(config.dataDir, false);
  const { path } = location;
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
