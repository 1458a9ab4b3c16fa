import type { Command, Option } from "commander";

// What a shell needs to complete apikey, read from commander's own definition so the scripts follow the program:
// each command path's subcommands (aliases included), its options, which options take a value, and what kind of
// name each positional argument and option value is.

/** Names completed from the store (by `apikey __complete`), or file names from the shell. */
export type ValueKind = "keys" | "profiles" | "providers" | "files";

export interface CompletionNode {
  /** Canonical command names from the root, e.g. ["profile", "delete"]; [] for apikey itself. */
  path: string[];
  subcommands: Array<{ name: string; aliases: string[]; description: string }>;
  options: Array<{ flags: string[]; takesValue: boolean; description: string }>;
  /** The kind of each positional argument, by position; null where nothing can be offered. */
  args: Array<ValueKind | null>;
}

/** Which positional arguments name something stored. Checked against the program by completion.test.ts. */
export const ARGUMENT_KINDS: Record<string, Array<ValueKind | null>> = {
  show: ["keys"],
  reveal: ["keys"],
  use: ["keys"],
  rename: ["keys", null],
  disable: ["keys"],
  enable: ["keys"],
  delete: ["keys"],
  validate: ["keys"],
  rotate: ["keys"],
  "budget set": ["keys", null],
  "budget clear": ["keys"],
  "oauth refresh": ["keys"],
  "oauth provider remove": ["providers"],
  "profile delete": ["profiles"],
  login: ["providers"],
  import: ["files"],
};

/** Option values that name something stored, by long flag (the same flag means the same thing everywhere). */
export const OPTION_KINDS: Record<string, ValueKind> = {
  "--profile": "profiles",
  "--key": "keys",
  "--out": "files",
};

const HELP = { flags: ["-h", "--help"], takesValue: false, description: "display help for command" };

const isHidden = (cmd: Command): boolean => (cmd as unknown as { _hidden?: boolean })._hidden === true;

function optionOf(o: Option) {
  return {
    flags: [o.short, o.long].filter((f): f is string => typeof f === "string"),
    takesValue: o.required || o.optional,
    description: o.description,
  };
}

/** Every visible command of `program`, depth first, the root first. */
export function completionModel(program: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (cmd: Command, path: string[]) => {
    const visible = cmd.commands.filter((c) => !isHidden(c));
    nodes.push({
      path,
      subcommands: visible.map((c) => ({
        name: c.name(),
        aliases: c.aliases(),
        description: c.description(),
      })),
      options: [...cmd.options.filter((o) => !o.hidden).map(optionOf), HELP],
      args: ARGUMENT_KINDS[path.join(" ")] ?? [],
    });
    for (const c of visible) visit(c, [...path, c.name()]);
  };
  visit(program, []);
  return nodes;
}

/** apikey's own options that commander also accepts after a subcommand (help and version belong to the root). */
export function globalFlags(nodes: CompletionNode[]): string[] {
  const root = nodes.find((n) => n.path.length === 0);
  const own = new Set(["-h", "--help", "-V", "--version"]);
  return (root?.options ?? []).flatMap((o) => o.flags).filter((f) => !own.has(f));
}
