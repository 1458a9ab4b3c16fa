import {
  type Arm,
  argumentKindArms,
  canonicalArms,
  echoArms,
  optionKindArms,
  pathKey,
  valueOptionPatterns,
} from "./lookups.ts";
import { type CompletionNode, globalFlags } from "./model.ts";

// The lookup functions bash and zsh share (both read this POSIX-style `case` syntax). Each is keyed by the
// command path, its canonical names joined by spaces ('' for apikey itself).

/** A single-quoted shell word. */
export const shQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

function caseFunction(name: string, subject: string, arms: Arm[], fallback = ""): string {
  const lines = arms
    .filter(([patterns]) => patterns.length > 0)
    .map(([patterns, body]) => `    ${patterns.map(shQuote).join("|")}) ${body} ;;`);
  return `${name}() {\n  case ${subject} in\n${lines.join("\n")}\n  esac${fallback}\n}`;
}

export function shTables(nodes: CompletionNode[]): string {
  const words = (list: string[]) => `echo ${shQuote(list.join(" "))}`;
  const parents = nodes.filter((n) => n.subcommands.length > 0);
  return [
    "# Subcommands of a command path.",
    caseFunction(
      "__apikey_subcommands",
      '"$1"',
      parents.map((n) => [[pathKey(n)], words(n.subcommands.flatMap((s) => [s.name, ...s.aliases]))]),
    ),
    "# Subcommand descriptions, one name:description a line (zsh shows them).",
    caseFunction("__apikey_described", '"$1"', parents.map(describedArm)),
    "# The canonical name of word $2 as a subcommand of path $1 (aliases resolved); nothing if it is not one.",
    caseFunction("__apikey_canonical", '"$1:$2"', echoArms(canonicalArms(nodes), shQuote)),
    "# Options of a command path.",
    caseFunction(
      "__apikey_options",
      '"$1"',
      nodes.map((n) => [[pathKey(n)], words(n.options.flatMap((o) => o.flags))]),
    ),
    "# Options of apikey itself that every command accepts too.",
    `__apikey_global_options() {\n  ${words(globalFlags(nodes))}\n}`,
    "# Succeeds when option $2 of path $1 takes a value.",
    caseFunction(
      "__apikey_takes_value",
      '"$1:$2"',
      [[valueOptionPatterns(nodes), "return 0"]],
      "\n  return 1",
    ),
    "# What the value of option $2 of path $1 names.",
    caseFunction("__apikey_option_kind", '"$1:$2"', echoArms(optionKindArms(nodes))),
    "# What positional argument $2 (from 0) of path $1 names.",
    caseFunction("__apikey_argument_kind", '"$1:$2"', echoArms(argumentKindArms(nodes))),
  ].join("\n");
}

/** A command path's subcommands as name:description lines, aliases included. */
function describedArm(n: CompletionNode): Arm {
  const described = n.subcommands.flatMap((s) =>
    [s.name, ...s.aliases].map((name) => shQuote(`${name}:${s.description}`)),
  );
  return [[pathKey(n)], `printf '%s\\n' ${described.join(" ")}`];
}
