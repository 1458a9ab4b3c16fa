import type { Command } from "commander";
import type { Action } from "./action.ts";

// Every command file, in the order `apikey --help` lists their commands, with the top-level commands each defines.
// The program loads only the file of the command being run (issue 25): a command's definition and its action live
// together in its file, and what an action imports (core's use cases, the gateway, prompts) is loaded with it, not
// on every start. A help request, or a word no file claims, loads them all, so help and errors read as before.
// command-groups.test.ts checks each list against what its file really defines.

export type RegisterCommands = (program: Command, action: Action) => void;

export interface CommandGroup {
  /** The top-level commands (and aliases) the file defines. */
  commands: readonly string[];
  load(): Promise<RegisterCommands>;
}

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  {
    commands: [
      "add",
      "list",
      "ls",
      "show",
      "reveal",
      "use",
      "rename",
      "disable",
      "enable",
      "delete",
      "rm",
      "validate",
    ],
    load: async () => (await import("./commands/keys.ts")).registerKeyCommands,
  },
  {
    commands: ["current", "env", "exec"],
    load: async () => (await import("./commands/run.ts")).registerRunCommands,
  },
  { commands: ["inject"], load: async () => (await import("./commands/inject.ts")).registerInjectCommands },
  { commands: ["scan"], load: async () => (await import("./commands/scan.ts")).registerScanCommands },
  {
    commands: ["profile"],
    load: async () => (await import("./commands/profiles.ts")).registerProfileCommands,
  },
  {
    commands: ["status", "audit"],
    load: async () => (await import("./commands/status.ts")).registerStatusCommands,
  },
  {
    commands: ["rotate", "rekey"],
    load: async () => (await import("./commands/rotate.ts")).registerRotateCommands,
  },
  {
    commands: ["export", "import"],
    load: async () => (await import("./commands/transfer.ts")).registerTransferCommands,
  },
  {
    commands: ["oauth", "login"],
    load: async () => (await import("./commands/oauth.ts")).registerOAuthCommands,
  },
  {
    commands: ["usage", "budget"],
    load: async () => (await import("./commands/usage.ts")).registerUsageCommands,
  },
  { commands: ["proxy"], load: async () => (await import("./commands/proxy.ts")).registerProxyCommands },
  { commands: ["slot"], load: async () => (await import("./commands/slots.ts")).registerSlotCommands },
  { commands: ["store"], load: async () => (await import("./commands/store.ts")).registerStoreCommands },
  {
    commands: ["completion", "__complete"],
    load: async () => (await import("./commands/completion.ts")).registerCompletionCommands,
  },
];

/** Commands that print the whole command tree (a completion script is built from every command's options). */
const DESCRIBE_THE_PROGRAM = new Set(["help", "completion"]);

/**
 * The groups to load for argv: the one file that defines the command typed, none for `apikey --version`, else every
 * file. Options before the command are the program's own (--profile takes a value); anything unusual (--help, an
 * unknown option or command) loads them all, and commander answers as it always did.
 */
export function groupsFor(argv: readonly string[]): readonly CommandGroup[] {
  const word = firstWord(argv);
  if (word === "--version" || word === "-V") return [];
  if (word === undefined || word.startsWith("-") || DESCRIBE_THE_PROGRAM.has(word)) return COMMAND_GROUPS;
  const group = COMMAND_GROUPS.find((g) => g.commands.includes(word));
  return group ? [group] : COMMAND_GROUPS;
}

/** The first argument that is not --json or --profile (with its value). */
function firstWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "-p" || arg === "--profile") i++;
    else if (arg !== "--json" && !arg.startsWith("--profile=") && !/^-p./.test(arg)) return arg;
  }
  return undefined;
}
