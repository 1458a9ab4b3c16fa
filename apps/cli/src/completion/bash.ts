import type { CompletionNode } from "./model.ts";
import { shTables } from "./sh-tables.ts";

// `apikey completion bash`. The command line is walked left to right: subcommand names extend the command path,
// an option that takes a value swallows the next word, anything else is a positional argument. Stored names come
// from `apikey __complete`, which reads names only and never unlocks the store.

export function bashScript(nodes: CompletionNode[]): string {
  return `# bash completion for apikey. Install: echo 'source <(apikey completion bash)' >> ~/.bashrc
${shTables(nodes)}

__apikey_names() {
  "$1" __complete "$2" --profile "$3" 2>/dev/null
}

_apikey() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmdpath="" profile="" pending="" npos=0 i w canonical kind=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if [[ -n $pending ]]; then
      [[ $pending == -p || $pending == --profile ]] && profile=$w
      pending=""
      continue
    fi
    case $w in
      --)
        # What follows belongs to the command \`exec\` runs.
        compopt -o bashdefault -o default 2>/dev/null
        return 0
        ;;
      --profile=*) profile=\${w#--profile=}; continue ;;
      -*)
        if __apikey_takes_value "$cmdpath" "$w" || __apikey_takes_value "" "$w"; then pending=$w; fi
        continue
        ;;
    esac
    canonical=""
    ((npos == 0)) && canonical=$(__apikey_canonical "$cmdpath" "$w")
    if [[ -n $canonical ]]; then
      cmdpath=\${cmdpath:+$cmdpath }$canonical
    else
      npos=$((npos + 1))
    fi
  done

  COMPREPLY=()
  if [[ -n $pending ]]; then
    kind=$(__apikey_option_kind "$cmdpath" "$pending")
    [[ -z $kind ]] && kind=$(__apikey_option_kind "" "$pending")
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(__apikey_options "$cmdpath") \${cmdpath:+$(__apikey_global_options)}" -- "$cur"))
    return 0
  elif ((npos == 0)) && [[ -n $(__apikey_subcommands "$cmdpath") ]]; then
    COMPREPLY=($(compgen -W "$(__apikey_subcommands "$cmdpath")" -- "$cur"))
    return 0
  else
    kind=$(__apikey_argument_kind "$cmdpath" "$npos")
  fi
  case $kind in
    files)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      ;;
    ?*)
      local IFS=$'\\n'
      COMPREPLY=($(compgen -W "$(__apikey_names "\${COMP_WORDS[0]}" "$kind" "\${profile:-default}")" -- "$cur"))
      ;;
  esac
  return 0
}

complete -F _apikey apikey
`;
}
