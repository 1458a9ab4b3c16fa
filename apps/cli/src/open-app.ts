import { hostname, userInfo } from "node:os";
import {
  type Apikey,
  type Config,
  type MasterKeySource,
  masterKeySource,
  passphraseSource,
} from "@apikey/core";
import { keychainSource } from "@apikey/keychain";
import type { IfMissing } from "@apikey/storage/better-sqlite3";
import { openApikeyFromEnv } from "@apikey/storage/from-env";
import type { Output } from "./io/output.ts";
import { askHidden, askNewPassphrase } from "./io/secret-input.ts";
import { askProtectionOnCreate, keyFileSourceWithNotice } from "./protection/new-store.ts";

// How the CLI opens the store. Loaded by context.ts when a command first asks for the store, not at start: it
// brings core's use cases, the keychain and the prompts (issue 25).

export function cliActor(): string {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep "unknown".
  }
  return `cli:${user}@${hostname()}`;
}

/**
 * The master keys the CLI can offer, in the order a new store picks from: APIKEY_MASTER_KEY, APIKEY_PASSPHRASE, the
 * OS keychain, then (with a one-line notice) a key file. On a terminal a passphrase slot is asked for last, and a new
 * store's protection is asked for (protection/new-store.ts).
 */
export function cliMasterKeys(config: Config): MasterKeySource[] {
  return [
    masterKeySource(config.masterKey),
    passphraseSource({
      passphrase: config.passphrase,
      prompt: process.stdin.isTTY
        ? (purpose) =>
            purpose === "create" ? askNewPassphrase() : askHidden("Passphrase for the apikey store")
        : undefined,
    }),
    keychainSource(config.dataDir),
    keyFileSourceWithNotice(config.dataDir),
  ];
}

export function openCliApikey(
  config: Config,
  out: Output,
  mode: { ifMissing: IfMissing; server?: boolean },
): Promise<Apikey> {
  // APIKEY_DATABASE_URL=postgres://… selects a shared PostgreSQL store; without it, the SQLite file.
  return openApikeyFromEnv({
    config,
    storeOptions: {
      // Only the commands that add a key may create the store (see program.ts); the rest create nothing.
      ifMissing: mode.ifMissing,
      // A server (the gateway) checkpoints SQLite's WAL on a worker thread, never inside a request's commit.
      backgroundCheckpoints: mode.server === true,
      onCheckpointFallback: (reason) =>
        out.warn(
          `Checkpointing the store in the background stopped (${reason}); SQLite checkpoints inline now.`,
        ),
    },
    masterKeys: (config) => askProtectionOnCreate(cliMasterKeys(config), config),
    actor: cliActor(),
    front: "cli",
    onWarning: (text) => out.warn(text),
  });
}
