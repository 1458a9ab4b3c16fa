import { type CompletionNode, globalFlags, OPTION_KINDS } from "./model.ts";

// The lookup functions bash and zsh share (both read this POSIX-style `case` syntax). Each is keyed by the
// command path, its canonical names joined by spaces ('' for apikey itself).

/** A single-quoted shell word. */
export const shQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

function caseFunction(name: string, subject: string, arms: Array<[string[], string]>, fallback = ""): string {
  const lines = arms
    .filter(([patterns]) => patterns.length > 0)
    .map(([patterns, body]) => `    ${patterns.map(shQuote).join("|")}) ${body} ;;`);
  return `${name}() {\n  case ${subject} in\n${lines.join("\n")}\n  esac${fallback}\n}`;
}

const key = (node: CompletionNode): string => node.path.join(" ");

export function shTables(nodes: CompletionNode[]): string {
  const words = (list: string[]) => `echo ${shQuote(list.join(" "))}`;
  return [
    "# Subcommands of a command path.",
    caseFunction(
      "__apikey_subcommands",
      '"$1"',
      nodes
        .filter((n) => n.subcommands.length > 0)
        .map((n) => [[key(n)], words(n.subcommands.flatMap((s) => [s.name, ...s.aliases]))]),
    ),
    "# Subcommand descriptions, one name:description a line (zsh shows them).",
    caseFunction(
      "__apikey_described",
      '"$1"',
      nodes
        .filter((n) => n.subcommands.length > 0)
        .map((n) => [
          [key(n)],
          `printf '%s\\n' ${n.subcommands
            .flatMap((s) => [s.name, ...s.aliases].map((name) => shQuote(`${name}:${s.description}`)))
            .join(" ")}`,
        ]),
    ),
    "# The canonical name of word $2 as a subcommand of path $1 (aliases resolved); nothing if it is not one.",
    caseFunction(
      "__apikey_canonical",
      '"$1:$2"',
      nodes.flatMap((n) =>
        n.subcommands.map((s): [string[], string] => [
          [s.name, ...s.aliases].map((w) => `${key(n)}:${w}`),
          `echo ${shQuote(s.name)}`,
        ]),
      ),
    ),
    "# Options of a command path.",
    caseFunction(
      "__apikey_options",
      '"$1"',
      nodes.map((n) => [[key(n)], words(n.options.flatMap((o) => o.flags))]),
    ),
    "# Options of apikey itself that every command accepts too.",
    `__apikey_global_options() {\n  ${words(globalFlags(nodes))}\n}`,
    "# Succeeds when option $2 of path $1 takes a value.",
    caseFunction(
      "__apikey_takes_value",
      '"$1:$2"',
      [
        [
          nodes.flatMap((n) =>
            n.options.filter((o) => o.takesValue).flatMap((o) => o.flags.map((f) => `${key(n)}:${f}`)),
          ),
          "return 0",
        ],
      ],
      "\n  return 1",
    ),
    "# What the value of option $2 of path $1 names.",
    caseFunction(
      "__apikey_option_kind",
      '"$1:$2"',
      nodes.flatMap((n) =>
        n.options
          .filter((o) => o.takesValue)
          .flatMap((o): Array<[string[], string]> => {
            const kind = o.flags.map((f) => OPTION_KINDS[f]).find((k) => k !== undefined);
            return kind ? [[o.flags.map((f) => `${key(n)}:${f}`), `echo ${kind}`]] : [];
          }),
      ),
    ),
    "# What positional argument $2 (from 0) of path $1 names.",
    caseFunction(
      "__apikey_argument_kind",
      '"$1:$2"',
      nodes.flatMap((n) =>
        n.args.flatMap(
          (kind, i): Array<[string[], string]> => (kind ? [[[`${key(n)}:${i}`], `echo ${kind}`]] : []),
        ),
      ),
    ),
  ].join("\n");
}
