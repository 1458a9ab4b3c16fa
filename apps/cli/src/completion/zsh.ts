import type { CompletionNode } from "./model.ts";
import { shTables } from "./sh-tables.ts";

// `apikey completion zsh`: the same walk as the bash script (see bash.ts), with zsh's compadd/_describe so
// subcommands show their descriptions.

export function zshScript(nodes: CompletionNode[]): string {
  return `#compdef apikey
# zsh completion for apikey. Install (after compinit): echo 'source <(apikey completion zsh)' >> ~/.zshrc
${shTables(nodes)}

_apikey() {
  local cur=\${words[CURRENT]} cmdpath="" profile="" pending="" npos=0 i w canonical kind=""
  for ((i = 2; i < CURRENT; i++)); do
    w=\${words[i]}
    if [[ -n $pending ]]; then
      [[ $pending == -p || $pending == --profile ]] && profile=$w
      pending=""
      continue
    fi
    case $w in
      --)
        # What follows belongs to the command \`exec\` runs.
        _files
        return
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

  if [[ -n $pending ]]; then
    kind=$(__apikey_option_kind "$cmdpath" "$pending")
    [[ -z $kind ]] && kind=$(__apikey_option_kind "" "$pending")
  elif [[ $cur == -* ]]; then
    local -a opts
    opts=(\${=$(__apikey_options "$cmdpath")})
    [[ -n $cmdpath ]] && opts+=(\${=$(__apikey_global_options)})
    compadd -- $opts
    return
  elif ((npos == 0)) && [[ -n $(__apikey_subcommands "$cmdpath") ]]; then
    local -a subs
    subs=(\${(f)"$(__apikey_described "$cmdpath")"})
    _describe -t commands 'apikey command' subs
    return
  else
    kind=$(__apikey_argument_kind "$cmdpath" "$npos")
  fi
  case $kind in
    files) _files ;;
    ?*)
      local -a names
      names=(\${(f)"$("\${words[1]}" __complete "$kind" --profile "\${profile:-default}" 2>/dev/null)"})
      compadd -- $names
      ;;
  esac
}

if [[ \${zsh_eval_context[-1]} == loadautoload ]]; then
  _apikey "$@"
else
  compdef _apikey apikey
fi
`;
}
