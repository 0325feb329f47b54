# progress_tty.sh: a progress line appears on a terminal's stderr, never otherwise, and never
# shares a line with a diagnostic.
. "$(dirname "$0")/lib.bash"
command -v script >/dev/null || { echo "FAIL: script(1) missing (bsdutils)"; exit 1; }
big="$TMP/big.evtx"
/usr/bin/python3 "$EVTRIAGE_SOURCE/bench/make_big_evtx.py" "$big" 40 "$CORPUS/machine-logs" >/dev/null || fail "make_big_evtx"
# the same file four times (under four names: one path given twice is read once): the line is
# drawn every 0.2 s, and one pass may take less
for i in 2 3 4; do ln "$big" "$TMP/big$i.evtx"; done
script -qfec "$EVTRIAGE dump -j1 $big $TMP/big2.evtx $TMP/big3.evtx $TMP/big4.evtx $CORPUS/parsers/plaso/System2.evtx >/dev/null" "$TMP/tty.txt" >/dev/null 2>&1
grep -q "MiB / .* records .* ETA" "$TMP/tty.txt" && pass || fail "no progress line on a terminal"
tr '\r' '\n' <"$TMP/tty.txt" | grep -q '^System2\|^.*/System2.evtx: chunk 2: file ends' && pass || fail "diagnostic not on its own line"
"$EVTRIAGE" dump -j1 "$big" >/dev/null 2>"$TMP/err.txt"
! grep -q $'\r' "$TMP/err.txt" && pass || fail "progress written to a non-terminal"
script -qfec "$EVTRIAGE dump -q -j1 $big >/dev/null" "$TMP/tty2.txt" >/dev/null 2>&1
! grep -q "ETA" "$TMP/tty2.txt" && pass || fail "--quiet still shows progress"
finish
