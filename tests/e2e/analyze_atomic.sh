# analyze_atomic.sh: a report file is written whole or not at all. A write that fails (the
# file size limit, with SIGXFSZ ignored: EFBIG) or a process killed while writing (SIGXFSZ)
# leaves the earlier report byte for byte and no temporary file; a replaced report keeps its
# mode (and owner, as root); a link stays a link and its file is replaced; a file with two
# names is written in place (both names see it, and a failure says it was written in place); a
# FIFO and a bind-mounted file are written into; a link that leads nowhere yet makes its file; a
# 255-byte name works. Both kinds of temporary file are run: unnamed (O_TMPFILE) and named
# (EVTRIAGE_TEMP_NAMED=1).
. "$(dirname "$0")/lib.bash"
IN="$CORPUS/machine-logs"
umask 022
listing() { (cd "$1" && ls -A | sort | tr '\n' ' '); }

for kind in unnamed named; do
  named=0; [ $kind = named ] && named=1
  D="$TMP/$kind"; mkdir -p "$D/real"
  run() { EVTRIAGE_TEMP_NAMED=$named "$EVTRIAGE" analyze -q -j 2 "$@" "$IN"; }

  # a new report: 0666 less the umask, nothing else left in the folder
  run --json "$D/new.json" 2>"$TMP/err" && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$D/new.json" \
    && [ "$(stat -c %a "$D/new.json")" = 644 ] && [ "$(listing "$D")" = "new.json real " ] && pass \
    || { fail "$kind: new report: $(stat -c %a "$D/new.json") [$(listing "$D")]"; cat "$TMP/err"; }
  (umask 077; run --json "$D/private.json") && [ "$(stat -c %a "$D/private.json")" = 600 ] && pass \
    || fail "$kind: umask 077 gave $(stat -c %a "$D/private.json")"
  rm -f "$D/private.json"

  # a replaced report keeps its mode; a link stays a link, the file it names is replaced
  printf 'earlier\n' >"$D/kept.md" && chmod 640 "$D/kept.md"
  run --report-md "$D/kept.md" && grep -q '^# ' "$D/kept.md" && [ "$(stat -c %a "$D/kept.md")" = 640 ] && pass \
    || fail "$kind: replaced report: mode $(stat -c %a "$D/kept.md")"
  printf 'earlier\n' >"$D/real/target.json" && ln -s real/target.json "$D/link.json"
  run --json "$D/link.json" && [ -L "$D/link.json" ] && grep -q '"schema"' "$D/real/target.json" \
    && [ "$(listing "$D/real")" = "target.json " ] && pass || fail "$kind: report through a link"
  if [ "$(id -u)" = 0 ]; then
    chown nobody "$D/kept.md"
    run --report-md "$D/kept.md" && [ "$(stat -c %U "$D/kept.md")" = nobody ] && pass \
      || fail "$kind: owner of a replaced report: $(stat -c %U "$D/kept.md")"
  else
    echo "note: not root, the owner of a replaced report is not checked"
  fi

  # two names: written in place, so both see the new report
  printf 'earlier\n' >"$D/one.csv" && ln "$D/one.csv" "$D/two.csv"
  run --timeline "$D/two.csv" && head -1 "$D/one.csv" | grep -q '^datetime,' && [ "$(stat -c %h "$D/one.csv")" = 2 ] \
    && pass || fail "$kind: a report with two names"

  # a link that leads nowhere yet: the file it names is made, the link stays
  ln -s real/later.json "$D/dangling.json"
  run --json "$D/dangling.json" && [ -L "$D/dangling.json" ] && grep -q '"schema"' "$D/real/later.json" && pass \
    || fail "$kind: report through a link that led nowhere"
  rm -f "$D/dangling.json" "$D/real/later.json"
  # a name as long as a name may be (255 bytes): its temporary name must fit too
  long=$(printf 'r%.0s' $(seq 1 250)).json
  run --json "$D/$long" 2>"$TMP/err" && grep -q '"schema"' "$D/$long" && pass || { fail "$kind: a 255-byte name"; cat "$TMP/err"; }
  rm -f "$D/$long"

  # a write that fails part way: exit 1, said once, the earlier report as it was, no temporary file
  seq 1 100 >"$D/big.csv"; cp "$D/big.csv" "$TMP/big.before"; before=$(listing "$D")
  (trap '' XFSZ; ulimit -f 16; run --all --timeline "$D/big.csv") 2>"$TMP/err"; rc=$?
  [ $rc -eq 1 ] && cmp -s "$D/big.csv" "$TMP/big.before" && [ "$(listing "$D")" = "$before" ] \
    && grep -q "analyze: error writing $D/big.csv: File too large (not written; a file there before is left as it was)" "$TMP/err" \
    && [ "$(wc -l <"$TMP/err")" -eq 1 ] && pass \
    || { fail "$kind: failed write: exit $rc [$(listing "$D")]"; cat "$TMP/err"; }
done

# a file with two names is written in place: a write that fails says so, not that it was kept
D="$TMP/unnamed"
(trap '' XFSZ; ulimit -f 16; exec "$EVTRIAGE" analyze -q --all --timeline "$D/two.csv" "$IN") 2>"$TMP/err"; rc=$?
[ $rc -eq 1 ] && grep -qF "analyze: error writing $D/two.csv: File too large (written in place: what is there may be incomplete)" "$TMP/err" \
  && pass || { fail "failed write in place: exit $rc"; cat "$TMP/err"; }

# a file mounted over its name (a container's bind-mounted report): rename cannot replace it,
# so it is written into, as fopen would
printf 'earlier\n' >"$TMP/mounted.json"; printf 'source\n' >"$TMP/source.json"
if unshare -m true 2>/dev/null; then
  unshare -m sh -c 'mount --bind "$1" "$2" && exec "$3" analyze -q --json "$2" "$4"' sh "$TMP/source.json" "$TMP/mounted.json" "$EVTRIAGE" "$IN" \
    2>"$TMP/err"; rc=$?
  [ $rc -eq 0 ] && grep -q '"schema"' "$TMP/source.json" && pass || { fail "bind-mounted report: exit $rc"; cat "$TMP/err"; }
else
  echo "note: unshare -m not permitted here: a bind-mounted report file is not checked"
fi

# killed while writing (SIGXFSZ not ignored): the unnamed temporary file leaves nothing behind
D="$TMP/unnamed"; before=$(listing "$D")
{ (ulimit -f 16; exec "$EVTRIAGE" analyze -q --all --timeline "$D/big.csv" "$IN") 2>/dev/null; } 2>/dev/null; rc=$?
[ $rc -eq 153 ] && cmp -s "$D/big.csv" "$TMP/big.before" && [ "$(listing "$D")" = "$before" ] && pass \
  || fail "killed write: exit $rc [$(listing "$D")] (want 153 and the folder as it was)"

# a FIFO is written to, not replaced
mkfifo "$TMP/pipe.json"
cat "$TMP/pipe.json" >"$TMP/from-pipe.json" & reader=$!
"$EVTRIAGE" analyze -q --json "$TMP/pipe.json" "$IN"; rc=$?
wait $reader
[ $rc -eq 0 ] && [ -p "$TMP/pipe.json" ] && grep -q '"schema"' "$TMP/from-pipe.json" && pass || fail "FIFO report: exit $rc"
finish
