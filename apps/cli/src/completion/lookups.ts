import { type CompletionNode, OPTION_KINDS } from "./model.ts";

// What every shell's lookup functions answer, apart from how each shell spells a `case`: the patterns of each arm
// and what it answers. Patterns are keyed by the command path, its canonical names joined by spaces ('' for apikey
// itself), then `:` and a word, a flag or a position.

/** One arm of a lookup: the patterns it matches and what it answers. */
export type Arm = [patterns: string[], answer: string];

/** The arms with each answer printed by `echo`, quoted for the shell when it may need it (a name; a kind never). */
export const echoArms = (arms: Arm[], quote: (s: string) => string = (s) => s): Arm[] =>
  arms.map(([patterns, answer]) => [patterns, `echo ${quote(answer)}`]);

export const pathKey = (node: CompletionNode): string => node.path.join(" ");

/** Each subcommand's spellings (name and aliases) under its parent's path; answers the canonical name. */
export function canonicalArms(nodes: CompletionNode[]): Arm[] {
  return nodes.flatMap((n) =>
    n.subcommands.map((s): Arm => [[s.name, ...s.aliases].map((w) => `${pathKey(n)}:${w}`), s.name]),
  );
}

/** `path:flag` of every option that takes a value. */
export function valueOptionPatterns(nodes: CompletionNode[]): string[] {
  return nodes.flatMap((n) =>
    n.options.filter((o) => o.takesValue).flatMap((o) => o.flags.map((f) => `${pathKey(n)}:${f}`)),
  );
}

/** Options whose value names something completable; answers its kind. */
export function optionKindArms(nodes: CompletionNode[]): Arm[] {
  return nodes.flatMap((n) =>
    n.options
      .filter((o) => o.takesValue)
      .flatMap((o): Arm[] => {
        const kind = o.flags.map((f) => OPTION_KINDS[f]).find((k) => k !== undefined);
        return kind ? [[o.flags.map((f) => `${pathKey(n)}:${f}`), kind]] : [];
      }),
  );
}

/** Positional arguments (`path:index`, from 0) that name something completable; answers its kind. */
export function argumentKindArms(nodes: CompletionNode[]): Arm[] {
  return nodes.flatMap((n) =>
    n.args.flatMap((kind, i): Arm[] => (kind ? [[[`${pathKey(n)}:${i}`], kind]] : [])),
  );
}
