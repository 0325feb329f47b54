# man_pages.sh: the man pages made from --help at build time: one per command `evtriage --help`
# lists, each renders without a groff warning, names every option its command's --help lists,
# and evtriage(1) lists every command; the bash completion offers the same commands and options.
. "$(dirname "$0")/lib.bash"
: "${EVTRIAGE_BUILD:?build folder}" "${EVTRIAGE_SOURCE:?source tree}"
MAN=$EVTRIAGE_BUILD/man
# option names of a --help text: "  --name" / "  -x, --name" at the start of an option line
options_of() { sed -n 's/^ \{1,4\}\(-[a-zA-Z]\)\{0,1\}\(, \)\{0,1\}\(--[a-z][a-z-]*\)\{0,1\}[ ,].*/\1 \3/p' | tr ' ' '\n' | grep -v '^$' | sort -u; }
# a page as text: wide, unhyphenated, so an option is never split across lines
render() { zcat "$1" | groff -man -Tutf8 -rLL=250n -rHY=0 -P-cbou 2>/dev/null; }

"$EVTRIAGE" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' >"$TMP/commands"
[ "$(wc -l <"$TMP/commands")" -ge 5 ] && pass || fail "commands of --help: $(cat "$TMP/commands")"
check_page() {   # check_page PAGE HELP_ARGS...
  local page=$MAN/$1.1.gz name=$1
  shift
  [ -f "$page" ] || { fail "no man page $name"; return; }
  zcat "$page" | groff -man -Tutf8 -ww -z >"$TMP/warn" 2>&1
  [ ! -s "$TMP/warn" ] && pass || fail "$name: groff warns: $(head -3 "$TMP/warn")"
  MANWIDTH=80 man -l "$page" >/dev/null 2>"$TMP/manerr" && [ ! -s "$TMP/manerr" ] && pass || fail "$name: man -l: $(cat "$TMP/manerr")"
  render "$page" >"$TMP/$name.txt"
  grep -q "^NAME" "$TMP/$name.txt" && grep -q "^SYNOPSIS" "$TMP/$name.txt" && grep -q "^OPTIONS" "$TMP/$name.txt" \
    && pass || fail "$name: sections missing"
  "$EVTRIAGE" "$@" --help | options_of >"$TMP/opts"
  [ -s "$TMP/opts" ] && pass || fail "$name: no options in --help"
  while read -r o; do
    grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" "$TMP/$name.txt" && pass || fail "$name: option $o of --help not in the man page"
  done <"$TMP/opts"
  # the first paragraph of --help's description is in the page
  "$EVTRIAGE" "$@" --help | sed -n '3,/^$/p' | tr -s ' \n' '  ' >"$TMP/desc"
  tr -s ' \n' '  ' <"$TMP/$name.txt" | grep -qF "$(cut -c1-60 "$TMP/desc" | sed 's/^ //')" && pass \
    || fail "$name: description of --help not in the page"
}
check_page evtriage
while read -r c; do
  check_page "evtriage-$c" "$c"
  grep -q "evtriage-$c(1)" "$TMP/evtriage.txt" && pass || fail "evtriage(1) does not list $c"
done <"$TMP/commands"
n=$(find "$MAN" -name '*.1.gz' | wc -l)
[ "$n" -eq $(($(wc -l <"$TMP/commands") + 1)) ] && pass || fail "$n man pages for $(wc -l <"$TMP/commands") commands"
# evtriage(1) names every place the packs are looked for, and the variables
for w in EVTRIAGE_RULES ../share/evtriage/rules "install prefix" "source tree" EVTRIAGE_MAPPING NO_COLOR; do
  grep -qF "$w" "$TMP/evtriage.txt" && pass || fail "evtriage(1) lacks $w"
done

# bash completion: what `evtriage [COMMAND] --help` lists
complete_words() {   # complete_words WORD... : the completions of the last word
  EVTRIAGE_BIN=$EVTRIAGE bash -c '
    . "$0"
    COMP_WORDS=("$EVTRIAGE_BIN" "$@"); COMP_CWORD=$#
    _evtriage; printf "%s\n" "${COMPREPLY[@]}"' "$EVTRIAGE_SOURCE/packaging/evtriage.bash" "$@"
}
[ "$(complete_words '' | sort)" = "$(sort "$TMP/commands")" ] && pass || fail "completion of commands: $(complete_words '' | tr '\n' ' ')"
[ "$(complete_words analyze --report- | sort | tr '\n' ' ')" = "--report-html --report-md " ] && pass \
  || fail "completion of analyze --report-: $(complete_words analyze --report- | tr '\n' ' ')"
[ "$(complete_words hunt --format '' | sort | tr '\n' ' ')" = "csv jsonl table " ] && pass \
  || fail "completion of hunt --format: $(complete_words hunt --format '' | tr '\n' ' ')"
[ "$(complete_words rules l)" = "lint" ] && pass || fail "completion of rules l: $(complete_words rules l)"
mkdir "$TMP/cdir" && touch "$TMP/cdir/System.evtx"
[ "$(complete_words dump "$TMP/cdir/Sys")" = "$TMP/cdir/System.evtx" ] && pass || fail "completion of a file name"
finish
