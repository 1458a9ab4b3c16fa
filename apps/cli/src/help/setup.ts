import type { Command } from "commander";
import { UsageError } from "../io/errors.ts";
import { EXAMPLES } from "./examples.ts";
import { TOPICS } from "./topics.ts";

// Help, made the same for every command once the program is defined: examples at the end of each --help, a usage
// error that points at the help of the command it is about, a command group given alone (`apikey`, `apikey
// profile`) printing its help to stdout with status 0 (as gh does), and `apikey help TOPIC`.

/** The command as typed: "apikey proxy token create". */
export function commandLine(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** The key of EXAMPLES: the path below the root ("" for apikey itself). */
export const pathOf = (cmd: Command): string => commandLine(cmd).split(" ").slice(1).join(" ");

export function* allCommands(cmd: Command): Generator<Command> {
  yield cmd;
  for (const sub of cmd.commands) yield* allCommands(sub);
}

/** What to say after a usage error of a command, where pointing at its help is not enough. */
const AFTER_ERROR: Record<string, string> = {
  // `apikey exec sh -c …`: commander reads -c as exec's own option; the command's options must follow `--`.
  exec: "(the command's own options reach it only after `--`: apikey exec -- sh -c 'echo hi'; see `apikey exec --help`)",
};

export function setUpHelp(program: Command, options: { json: boolean }): void {
  // Replaces commander's own `help [command]`, which knows commands but not topics.
  program.helpCommand(false);
  program
    .command("help [topic...]")
    .description(`help for a command (apikey help add), or a topic: ${Object.keys(TOPICS).join(", ")}`)
    .action((words: string[]) => showHelp(program, words));

  for (const cmd of allCommands(program)) {
    const examples = EXAMPLES[pathOf(cmd)];
    if (examples) cmd.addHelpText("after", `\nExamples:\n${examples.map((e) => `  ${e}`).join("\n")}`);
    // Under --json the error itself is the JSON line; a pointer to help would only be noise on stderr.
    if (!options.json)
      cmd.showHelpAfterError(AFTER_ERROR[pathOf(cmd)] ?? `(run \`${commandLine(cmd)} --help\` for usage)`);
    if (isGroup(cmd)) {
      cmd.allowExcessArguments(true).action(() => showGroupHelp(cmd));
    }
  }
}

/** A group given alone: its help on stdout. Given an argument that is no subcommand: commander's own error. */
export function showGroupHelp(cmd: Command): void {
  if (cmd.args.length > 0) (cmd as unknown as { unknownCommand(): never }).unknownCommand();
  cmd.outputHelp();
}

/** A command that only holds subcommands (commander would print its help to stderr when given alone). */
function isGroup(cmd: Command): boolean {
  // `_actionHandler` is commander's own record of .action(); the help tests fail if that ever changes.
  return cmd.commands.length > 0 && (cmd as unknown as { _actionHandler: unknown })._actionHandler == null;
}

function showHelp(program: Command, words: string[]): void {
  if (words.length === 0) {
    program.outputHelp();
    return;
  }
  const topic = words.length === 1 ? TOPICS[words[0] as string] : undefined;
  if (topic) {
    process.stdout.write(`${topic.text()}\n`);
    return;
  }
  let cmd: Command | undefined = program;
  for (const word of words) cmd = cmd?.commands.find((c) => c.name() === word || c.aliases().includes(word));
  if (cmd === undefined) {
    throw new UsageError(
      `No command or help topic named "${words.join(" ")}".`,
      `Topics: ${Object.entries(TOPICS)
        .map(([name, t]) => `${name} (${t.summary})`)
        .join(", ")}; commands: \`apikey --help\`.`,
    );
  }
  cmd.outputHelp();
}
