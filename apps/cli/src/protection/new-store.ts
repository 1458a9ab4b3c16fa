import type { Config } from "@apikey/core";
import {
  keyFilePath,
  keyFileSource,
  type MasterKeySource,
  type NewMasterKey,
  passphraseSource,
} from "@apikey/core";
import { ApikeyError, ERROR_CODES } from "@apikey/core/errors";
import { keychainAnswers } from "@apikey/keychain";
import { escapeBlock } from "../io/escape.ts";
import { askNewPassphrase } from "../io/secret-input.ts";
import {
  CHOICE_PROMPT,
  choiceScreen,
  KEY_FILE_CREATED,
  type Protection,
  type ProtectionChoice,
  pickProtection,
  protectionChoices,
} from "./choices.ts";

// How a new store gets its first master key in the CLI. Core asks the sources for one only when it is about to
// make a store (any command that makes one: add, import, login, profile create, scan --import, on SQLite or
// PostgreSQL), so asking here asks exactly then, and before anything is written.

/** The key file, saying once, when it makes a new master key, what was chosen and how to change it. */
export function keyFileSourceWithNotice(dataDir: string): MasterKeySource {
  const source = keyFileSource(dataDir);
  return {
    ...source,
    create: async () => {
      const made = await source.create?.();
      return made ? { ...made, warning: KEY_FILE_CREATED } : null;
    },
  };
}

/** Where a person can answer: both stdin (to type) and stderr (where the question is drawn) are a terminal. */
export const canAsk = (): boolean => process.stdin.isTTY === true && process.stderr.isTTY === true;

/**
 * On a terminal, with neither APIKEY_MASTER_KEY nor APIKEY_PASSPHRASE set, the person picks the protection of a new
 * store. Otherwise the sources keep their order (environment, keychain, key file) and nobody is asked.
 *
 * Only core's new-store path asks sources in order (createMasterKey), and the first source is asked first, so the
 * question hangs on the first source alone: the environment's, which has nothing to make when nobody set it. Other
 * paths look a source up by kind (rekey --to keychain, slot remove) and must get it untouched.
 */
export function askProtectionOnCreate(
  sources: MasterKeySource[],
  config: Config,
  ask: boolean = canAsk(),
): MasterKeySource[] {
  const [first, ...rest] = sources;
  if (!first || !ask || config.masterKey !== undefined || config.passphrase !== undefined) return sources;
  let made: Promise<NewMasterKey> | undefined;
  const create = () => {
    made ??= chooseAndCreate(sources, config.dataDir);
    return made;
  };
  return [{ ...first, create }, ...rest];
}

async function chooseAndCreate(sources: MasterKeySource[], dataDir: string): Promise<NewMasterKey> {
  const choices = protectionChoices(await keychainAnswers(), keyFilePath(dataDir));
  const kind = await askChoice(choices);
  const source =
    kind === "passphrase"
      ? passphraseSource({ prompt: () => askNewPassphrase(), promptOnCreate: true })
      : sources.find((s) => s.kind === kind);
  const made = await source?.create?.();
  if (!made) {
    throw new ApikeyError(
      kind === "keychain" ? ERROR_CODES.KEYCHAIN_UNAVAILABLE : ERROR_CODES.MASTER_KEY_MISSING,
      `Could not make a new master key with the ${kind}.`,
      { hint: "Run the command again and pick another protection.", details: { kind } },
    );
  }
  return made;
}

async function askChoice(choices: ProtectionChoice[]): Promise<Protection> {
  // Loaded here: only a new store on a terminal asks, and readline costs every other command's start-up (issue 25).
  const { createInterface } = process.getBuiltinModule("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const stop = new AbortController();
  // Ctrl+C or Ctrl+D: nothing is made.
  rl.on("SIGINT", () => stop.abort());
  rl.on("close", () => stop.abort());
  try {
    process.stderr.write(`${escapeBlock(choiceScreen(choices), false)}\n`);
    for (let tries = 0; tries < 3; tries++) {
      const kind = pickProtection(
        await rl.question(CHOICE_PROMPT(choices), { signal: stop.signal }),
        choices,
      );
      if (kind) return kind;
      process.stderr.write(`Type a number from 1 to ${choices.length}, or Enter for the default.\n`);
    }
  } catch (cause) {
    throw new ApikeyError(ERROR_CODES.CANCELLED, "Cancelled: no store was made.", { cause });
  } finally {
    rl.close();
  }
  throw new ApikeyError(ERROR_CODES.USAGE, "No protection was chosen: no store was made.", {
    hint: `Run the command again and type a number from 1 to ${choices.length}.`,
  });
}
