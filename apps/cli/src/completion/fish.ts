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

// \`apikey completion fish\`: one function walks the command line the way the bash script does (see bash.ts) and
// prints the candidates, with descriptions after a tab; fish filters them by what has been typed.

/** A single-quoted fish word. */
const fishQuote = (s: string): string => `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;

function switchFunction(name: string, arms: Arm[], fallback = ""): string {
  const body = arms
    .filter(([patterns]) => patterns.length > 0)
    .map(([patterns, out]) => `    case ${patterns.map(fishQuote).join(" ")}\n        ${out}`)
    .join("\n");
  return `function ${name}\n    switch $argv[1]\n${body}\n    end${fallback}\nend`;
}

const lines = (items: string[]): string => `printf '%s\\n' ${items.map(fishQuote).join(" ")}`;

export function fishScript(nodes: CompletionNode[]): string {
  return `# fish completion for apikey. Install: apikey completion fish > ~/.config/fish/completions/apikey.fish
${[...lookupFunctions(nodes), globalOptionsFunction(nodes)].join("\n")}

${COMPLETE_FUNCTION}`;
}

/** The tables the completion function looks up, keyed like bash's and zsh's (see lookups.ts). */
function lookupFunctions(nodes: CompletionNode[]): string[] {
  return [
    switchFunction(
      "__apikey_subcommands",
      nodes
        .filter((n) => n.subcommands.length > 0)
        .map((n) => [
          [pathKey(n)],
          lines(n.subcommands.flatMap((s) => [s.name, ...s.aliases].map((w) => `${w}\t${s.description}`))),
        ]),
    ),
    switchFunction("__apikey_canonical", echoArms(canonicalArms(nodes), fishQuote)),
    switchFunction(
      "__apikey_options",
      nodes.map((n) => [
        [pathKey(n)],
        lines(n.options.flatMap((o) => o.flags.map((f) => `${f}\t${o.description}`))),
      ]),
    ),
    switchFunction("__apikey_takes_value", [[valueOptionPatterns(nodes), "return 0"]], "\n    return 1"),
    switchFunction("__apikey_option_kind", echoArms(optionKindArms(nodes))),
    switchFunction("__apikey_argument_kind", echoArms(argumentKindArms(nodes))),
  ];
}

/** apikey's own options that every command accepts too, with their descriptions. */
function globalOptionsFunction(nodes: CompletionNode[]): string {
  const globals = new Set(globalFlags(nodes));
  const root = nodes.find((n) => n.path.length === 0);
  const described = (root?.options ?? []).flatMap((o) =>
    o.flags.filter((f) => globals.has(f)).map((f) => `${f}\t${o.description}`),
  );
  return `function __apikey_global_options\n    ${lines(described)}\nend`;
}

// Walks the command line the way the bash script does, then prints the candidates for the word being completed.
const COMPLETE_FUNCTION = `function __apikey_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmd $tokens[1]
    set -e tokens[1]
    set -l cmdpath ''
    set -l profile default
    set -l pending ''
    set -l npos 0
    for w in $tokens
        if test -n "$pending"
            contains -- $pending -p --profile; and set profile $w
            set pending ''
            continue
        end
        switch $w
            case --
                # What follows belongs to the command \`exec\` runs.
                __fish_complete_subcommand
                return
            case '--profile=*'
                set profile (string replace -- --profile= '' $w)
                continue
            case '-*'
                if __apikey_takes_value "$cmdpath:$w"; or __apikey_takes_value ":$w"
                    set pending $w
                end
                continue
        end
        set -l canonical ''
        test $npos -eq 0; and set canonical (__apikey_canonical "$cmdpath:$w")
        if test -n "$canonical"
            set cmdpath (string trim -- "$cmdpath $canonical")
        else
            set npos (math $npos + 1)
        end
    end

    set -l kind ''
    set -l subs (__apikey_subcommands "$cmdpath")
    if test -n "$pending"
        set kind (__apikey_option_kind "$cmdpath:$pending")
        test -z "$kind"; and set kind (__apikey_option_kind ":$pending")
    else if string match -q -- '-*' "$cur"
        __apikey_options "$cmdpath"
        test -n "$cmdpath"; and __apikey_global_options
        return
    else if test $npos -eq 0; and test (count $subs) -gt 0
        printf '%s\\n' $subs
        return
    else
        set kind (__apikey_argument_kind "$cmdpath:$npos")
    end
    switch "$kind"
        case files
            __fish_complete_path "$cur"
        case keys profiles providers
            $cmd __complete $kind --profile $profile 2>/dev/null
    end
end

complete -c apikey -f -a '(__apikey_complete)'
`;
