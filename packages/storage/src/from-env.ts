import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  type Apikey,
  ApikeyError,
  type Config,
  DATABASE_URL_VARIABLE,
  type Front,
  KEY_FILE,
  keyFileSource,
  loadConfig,
  type MasterKeySource,
  masterKeySource,
  type OpenApikeyOptions,
  openApikey,
  passphraseSource,
  type StoreLocation,
} from "@apikey/core";
import type { Store } from "@apikey/core/store";
import type { BetterSqliteOpenOptions } from "./better-sqlite3.ts";

// How a Node front opens apikey from its environment: the config module reads the variables, core's paths.ts
// decides which store (APIKEY_DATABASE_URL's PostgreSQL, else the SQLite file), and this module opens it and hands
// it to core's openApikey. It lives here, not in core, because opening a store means loading a driver, and core
// never imports storage (storage depends on core). Both drivers load lazily: a front on SQLite never loads pg.

export type StoreOpenOptions = Omit<BetterSqliteOpenOptions, "path">;

/** Opens the store a location names (see core's `storeLocationFrom`). */
export async function openStoreAt(location: StoreLocation, options: StoreOpenOptions = {}): Promise<Store> {
  if (location.kind === "postgres") {
    checkDatabaseUrl(location.url);
    const { openStore } = await import("./postgres.ts");
    return openStore({
      url: location.url,
      label: DATABASE_URL_VARIABLE,
      ...(options.ifMissing !== undefined && { ifMissing: options.ifMissing }),
    });
  }
  const { openStore } = await import("./better-sqlite3.ts");
  return openStore({
    // A key file beside an empty database means a store existed here: refuse instead of starting over.
    evidence: [join(location.dataDir, KEY_FILE)],
    ...options,
    path: location.path,
  });
}

/**
 * Whether a store exists at the location, for the commands that use one only when it is there and must not make
 * one (scan, add's early unlock): the SQLite file, or a PostgreSQL database (and schema) holding apikey's tables.
 * Creates nothing; a PostgreSQL server that cannot be reached is an error, not "no store".
 */
export async function storeExistsAt(location: StoreLocation): Promise<boolean> {
  if (location.kind === "sqlite") return existsSync(location.path);
  checkDatabaseUrl(location.url);
  const { storeExists } = await import("./postgres.ts");
  return storeExists({ url: location.url, label: DATABASE_URL_VARIABLE });
}

function checkDatabaseUrl(url: string): void {
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new ApikeyError("E_USAGE", `${DATABASE_URL_VARIABLE} must be a postgres:// URL.`, {
      details: { variable: DATABASE_URL_VARIABLE },
    });
  }
}

/** The master keys any process can offer from its environment: APIKEY_MASTER_KEY, APIKEY_PASSPHRASE, the key file. */
export function environmentMasterKeys(config: Config): MasterKeySource[] {
  return [
    masterKeySource(config.masterKey),
    passphraseSource({ passphrase: config.passphrase }),
    keyFileSource(config.dataDir),
  ];
}

export interface OpenApikeyFromEnvOptions extends Pick<OpenApikeyOptions, "validator" | "now" | "onWarning"> {
  front: Front;
  /** Who acts, for the audit log. */
  actor: string;
  /** The variables to read; default process.env. Ignored when `config` is given. */
  env?: Record<string, string | undefined>;
  /** A config the front already loaded (from the same environment). */
  config?: Config;
  /** The master keys to offer, in order; default `environmentMasterKeys` (no keychain, no prompt). */
  masterKeys?: (config: Config) => MasterKeySource[];
  /** How to open the store: whether a missing one may be created, server-side checkpoints. */
  storeOptions?: StoreOpenOptions;
  /** A store already open (tests, a server sharing one store between actors); the location is then not used. */
  store?: Store;
}

/** The one way a Node front opens apikey: environment → config → which store → openApikey. */
export async function openApikeyFromEnv(options: OpenApikeyFromEnvOptions): Promise<Apikey> {
  const config = options.config ?? loadConfig(options.env ?? process.env);
  const masterKeys = (options.masterKeys ?? environmentMasterKeys)(config);
  const store = options.store ?? (await openStoreAt(config.store, options.storeOptions));
  return openApikey({
    store,
    masterKeys,
    config,
    actor: options.actor,
    front: options.front,
    ...(options.validator && { validator: options.validator }),
    ...(options.now && { now: options.now }),
    ...(options.onWarning && { onWarning: options.onWarning }),
  });
}
