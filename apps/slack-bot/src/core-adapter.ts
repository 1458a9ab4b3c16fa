import { type Config, loadConfig, masterKeySource, type Validator } from "@apikey/core";
import type { Store } from "@apikey/core/store";
import { ConfigError } from "./config.ts";
import type { CoreFor, CorePort, SlackActorInfo } from "./core-port.ts";
import type { ClaimOnce } from "./replay.ts";

// Opens the bot's store once and hands out the core acting as each person. One Store is shared; each person gets
// a thin `openApikey` over it whose audit rows carry them (front `slack`). The store also backs replay protection
// and the reminders' "sent" marks, so several replicas on one store agree.

export function actorString(a: SlackActorInfo): string {
  // Display names are the person's own choice: keep them short and free of characters that could fake structure.
  const name = a.displayName?.replace(/[^\p{L}\p{N} ._-]/gu, "").slice(0, 40);
  return `slack:${a.teamId ?? "?"}/${a.userId}${name ? ` (${name})` : ""}`;
}

export interface BotCore {
  coreFor: CoreFor;
  /** The bot itself, for the scheduler's reminders and owed deactivations. */
  system: CorePort;
  claims: ClaimOnce;
  close(): Promise<void>;
}

export interface OpenBotCoreOptions {
  /** Defaults to the store the environment names (APIKEY_DATABASE_URL, else the SQLite file); used for claims too. */
  store?: Store;
  validator?: Validator;
  now?: () => Date;
}

export async function openBotCore(config: Config, options: OpenBotCoreOptions = {}): Promise<BotCore> {
  // A server has no keychain and no one at a prompt: the master key comes from the environment.
  if (!config.masterKey) {
    throw new ConfigError(
      "APIKEY_MASTER_KEY is not set: it must be the base64 master key of the bot's store.",
    );
  }
  // Parsing it throws the core's E_MASTER_KEY_FORMAT now rather than at the first key added.
  await masterKeySource(config.masterKey).create?.();
  // Loaded here, so the bot's other modules (and its tests of pure parts) never load a driver. The store is the
  // one every front picks: APIKEY_DATABASE_URL=postgres://… puts every replica of the bot on one shared
  // PostgreSQL store; without it, the SQLite file.
  const { openApikeyFromEnv, openStoreAt } = await import("@apikey/storage/from-env");
  const open = (store: Store | undefined) =>
    openApikeyFromEnv({
      config,
      masterKeys: (c) => [masterKeySource(c.masterKey)],
      actor: "slack:bot",
      front: "slack",
      ...(store ? { store } : {}),
      ...(options.validator ? { validator: options.validator } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  const system = await open(options.store);
  // Replay claims get a connection of their own: a claim precedes every ack, and on the shared connection it
  // would queue behind every other command's reads and writes (on PostgreSQL a store is one session, its work
  // serialised). A store passed in (tests, one in-process PGlite) is used for both.
  const claimer = options.store ? system : await open(await openStoreAt(config.store));
  // Fail at start-up, with the core's coded error, when the master key is wrong. A new store has nothing to
  // unlock yet: its first key creates it with this master key.
  if ((await system.status()).initialised) await system.unlock();
  return {
    // Each person acts through the same store, with their own audit rows.
    coreFor: (actor) => system.actingAs(actorString(actor)),
    system,
    claims: { claimOnce: (name) => claimer.claimOnce(`slack:req:${name}`) },
    close: async () => {
      if (claimer !== system) await claimer.close();
      await system.close();
    },
  };
}

/** The core's own settings from the environment (APIKEY_HOME, APIKEY_MASTER_KEY, ANTHROPIC_BASE_URL…). */
export function coreConfigFrom(env: Record<string, string | undefined>): Config {
  return loadConfig(env);
}
