# evtriage.bash: bash completion for evtriage. Commands and options come from the program's own
# `--help` at completion time (`evtriage --help`, `evtriage COMMAND --help`), so they are always
# those of the evtriage being run; other words complete as file names. Needs nothing but bash
# (bash-completion, where installed, loads it from its completions folder).

# The options (and their argument's name) listed by "$@ --help", one "OPTION ARG" per line.
_evtriage_options()
{
    "$@" --help 2>/dev/null | sed -n 's/^ \{1,4\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\)\( [^ ]*\)\{0,1\}.*/\2\3/p'
    "$@" --help 2>/dev/null | sed -n 's/^ \{1,4\}\(-[a-zA-Z]\)[, ].*/\1/p'
}

_evtriage()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local prog=${COMP_WORDS[0]} cmd="" sub="" i
    [[ $prog == "~/"* ]] && prog=$HOME/${prog#"~/"}
    for ((i = 1; i < COMP_CWORD; i++)); do
        [[ ${COMP_WORDS[i]} == -* ]] && continue
        if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}
        elif [[ $cmd == rules && -z $sub ]]; then sub=${COMP_WORDS[i]}
        fi
    done
    COMPREPLY=()
    if [[ -z $cmd ]]; then
        local words
        if [[ $cur == -* ]]; then
            words=$(_evtriage_options "$prog" | cut -d' ' -f1)
        else
            words=$("$prog" --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
        fi
        mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
        return
    fi
    if [[ $cmd == rules && -z $sub && $cur != -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "lint test" -- "$cur")
        return
    fi
    local opts
    opts=$(_evtriage_options "$prog" "$cmd")
    # the value of an option: its listed choices (ARG "a|b|c"), else a file name
    local arg
    arg=$(printf '%s\n' "$opts" | awk -v o="$prev" '$1 == o { print $2; exit }')
    if [[ $prev == -* && -n $arg ]]; then
        if [[ $arg == *"|"* ]]; then
            mapfile -t COMPREPLY < <(compgen -W "${arg//|/ }" -- "$cur")
            return
        fi
    elif [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(printf '%s\n' "$opts" | cut -d' ' -f1)" -- "$cur")
        return
    fi
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}
complete -F _evtriage evtriage
