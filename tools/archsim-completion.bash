# Bash completion for archsim: commands, each command's options, scenario paths, and the
# scenario's fields after --set, --vary and --minimise.
# The options come from `archsim help COMMAND` at completion time, so they cannot drift
# from the program. Installed as PREFIX/share/bash-completion/completions/archsim; from a
# checkout: source tools/archsim-completion.bash

# The options of one command, and (in _archsim_valued) those that take a value.
_archsim_options()
{
    "$1" help "$2" 2>/dev/null | sed -n 's/^  \(--*[a-z][-a-z]*\).*/\1/p' | sort -u
}

_archsim_valued()
{
    "$1" help "$2" 2>/dev/null | sed -n "s/^  \(--*[a-z][-a-z]*\) [A-Z'].*/\1/p" | sort -u
}

_archsim()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=${COMP_WORDS[COMP_CWORD-1]}
    local bin=${COMP_WORDS[0]}
    local commands="run check compare sweep limit theory drill estimate fields help"
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        mapfile -t COMPREPLY < <(compgen -W "$commands --help --version --man" -- "$cur")
        return
    fi
    local cmd=${COMP_WORDS[1]}
    if [ "$cmd" = help ]; then
        [ "$COMP_CWORD" -eq 2 ] && mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
        return
    fi
    case " $commands " in *" $cmd "*) ;; *) return ;; esac
    case "$prev" in
    --json | --timeline | --csv | --baseline | --junit | --scenario)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return
        ;;
    --plot)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
        return
        ;;
    --set | --vary | --minimise)
        # A field of the scenario on the line, from `archsim fields FILE --paths`.
        local file="" w
        for w in "${COMP_WORDS[@]:2}"; do
            [[ $w == *.json && -f $w ]] && { file=$w; break; }
        done
        [ -n "$file" ] || return
        local paths
        paths=$("$bin" fields "$file" --paths 2>/dev/null)
        if [ "$prev" = --minimise ] || [ "$cmd" = limit ]; then
            mapfile -t COMPREPLY < <(compgen -W "$paths" -- "$cur")
        else
            compopt -o nospace 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -W "$paths" -S = -- "$cur")
        fi
        return
        ;;
    -*)
        # Any other option that takes a value: nothing sensible to offer.
        if _archsim_valued "$bin" "$cmd" | grep -qx -- "$prev"; then return; fi
        ;;
    esac
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_archsim_options "$bin" "$cmd") --help" -- "$cur")
        return
    fi
    # Scenario files: *.json, and folders to walk into.
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -d -- "$cur"; compgen -f -X '!*.json' -- "$cur")
}

complete -F _archsim archsim ./archsim
