# jobs_identical.sh: output (stdout and stderr) is byte-identical whatever the thread count,
# and a large file split across threads gives the same records as one thread.
. "$(dirname "$0")/lib.bash"
"$EVTRIAGE" dump -j 1 "$CORPUS" >"$TMP/1.out" 2>"$TMP/1.err"; rc1=$?
for j in 2 3 7; do
  "$EVTRIAGE" dump -j $j "$CORPUS" >"$TMP/j.out" 2>"$TMP/j.err"; rc=$?
  cmp -s "$TMP/1.out" "$TMP/j.out" && pass || fail "-j $j: stdout differs from -j 1"
  cmp -s "$TMP/1.err" "$TMP/j.err" && pass || fail "-j $j: stderr differs from -j 1"
  [ $rc -eq $rc1 ] && pass || fail "-j $j: exit $rc, -j 1 exit $rc1"
done
[ "$(wc -l <"$TMP/1.out")" -gt 40000 ] && pass || fail "corpus gave only $(wc -l <"$TMP/1.out") records"
"$EVTRIAGE" dump -j 0 "$CORPUS" >/dev/null 2>&1; [ $? -eq 2 ] && pass || fail "-j 0: want exit 2"
finish
