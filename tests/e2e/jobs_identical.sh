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
# The corpus as one zip (with a zip nested in it): members are inflated on the workers, yet
# output is the same at any -j and equals the directory's, record for record.
(cd "$CORPUS" && zip -q -r "$TMP/corpus.zip" . -x 'sigma-regression/*') || fail "zip"
(cd "$CORPUS" && zip -q -r "$TMP/inner.zip" sigma-regression) && (cd "$TMP" && zip -q corpus.zip inner.zip) || fail "inner zip"
"$EVTRIAGE" dump -j 1 "$TMP/corpus.zip" >"$TMP/z1.out" 2>"$TMP/z1.err"; rcz=$?
for j in 2 5; do
  "$EVTRIAGE" dump -j $j "$TMP/corpus.zip" >"$TMP/zj.out" 2>"$TMP/zj.err"; rc=$?
  cmp -s "$TMP/z1.out" "$TMP/zj.out" && cmp -s "$TMP/z1.err" "$TMP/zj.err" && [ $rc -eq $rcz ] && pass || fail "zip -j $j differs from -j 1 (exit $rc vs $rcz)"
done
# the same records as the directory, ignoring the file name and the order of the files
sed 's/^{"file":"[^"]*",//' "$TMP/1.out" | sort >"$TMP/dir.sorted"
sed 's/^{"file":"[^"]*",//' "$TMP/z1.out" | sort >"$TMP/zip.sorted"
cmp -s "$TMP/dir.sorted" "$TMP/zip.sorted" && pass || fail "zip records differ from the directory's: $(diff "$TMP/dir.sorted" "$TMP/zip.sorted" | head -c 300)"
grep -q '"file":"[^"]*corpus.zip!inner.zip!sigma-regression/' "$TMP/z1.out" && pass || fail "nested zip members not read"
grep -q 'SOURCES.md: skipped: not an EVTX file' "$TMP/z1.err" && pass || fail "non-EVTX member not listed as skipped"
[ "$(wc -l <"$TMP/1.out")" -gt 40000 ] && pass || fail "corpus gave only $(wc -l <"$TMP/1.out") records"
# A zip of members past half the work window (4 MiB at -j2): the next one inflates behind the
# one being delivered and waits its turn helping it; the same output at any -j, in memory or
# through temporary files.
"$EVTRIAGE" synth -q "$(dirname "$0")/../../samples/healthy-baseline/scenario.yaml" -o "$TMP/scaled" --scale 800 || fail "synth"
cp "$TMP/scaled/AZVM01/Application.evtx" "$TMP/scaled/AZVM01/Application-again.evtx"
(cd "$TMP/scaled" && zip -q -r "$TMP/big-members.zip" .) || fail "zip of big members"
"$EVTRIAGE" dump -j 1 "$TMP/big-members.zip" >"$TMP/b1.out" 2>"$TMP/b1.err"; rcb=$?
for run in "-j 2" "-j 3" "-j 2 budget"; do
  set -- $run
  if [ "${3:-}" = budget ]; then EVTRIAGE_MEMORY_BUDGET_MIB=1 "$EVTRIAGE" dump "$1" "$2" "$TMP/big-members.zip" >"$TMP/bj.out" 2>"$TMP/bj.err"
  else "$EVTRIAGE" dump "$1" "$2" "$TMP/big-members.zip" >"$TMP/bj.out" 2>"$TMP/bj.err"; fi
  rc=$?
  cmp -s "$TMP/b1.out" "$TMP/bj.out" && cmp -s "$TMP/b1.err" "$TMP/bj.err" && [ $rc -eq $rcb ] && pass ||
    fail "zip of big members, $run: differs from -j 1 (exit $rc vs $rcb)"
done
[ "$(wc -l <"$TMP/b1.out")" -gt 100000 ] && [ "$(find "$TMP/scaled" -size +4200k | wc -l)" -ge 3 ] && pass ||
  fail "zip of big members: $(wc -l <"$TMP/b1.out") records, or fewer than three members past 4 MiB"
for j in 0 1025 2x -3; do
  "$EVTRIAGE" dump -j $j "$CORPUS" >/dev/null 2>"$TMP/jerr"; rc=$?
  [ $rc -eq 2 ] && grep -q "from 1 to 1024, got '$j'" "$TMP/jerr" && pass || fail "-j $j: want exit 2 and a message (exit $rc)"
done
# The system may refuse threads (a container's process limit, ulimit -u): the run goes on with
# those it got, or on one, with the same output. As root the limit binds only another user.
# (Pools used to join threads that never started: a crash at about 5 processes here.) LSan's
# own thread at exit would meet the same limit: leaks are checked everywhere else.
limited() { # nproc command...: runs it with at most nproc processes of its user
  local n=$1; shift
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=65534 --regid=65534 --clear-groups bash -c 'ulimit -u "$0"; exec "$@"' "$n" "$@"
  else
    bash -c 'ulimit -u "$0"; exec "$@"' "$(( $(ps -L -u "$(id -u)" --no-headers | wc -l) + n ))" "$@"
  fi
}
chmod 755 "$TMP"; chmod 644 "$TMP/corpus.zip"
for n in 1 3 5; do
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 limited $n "$EVTRIAGE" dump -j 8 "$TMP/corpus.zip" >"$TMP/l.out" 2>"$TMP/l.err"; rc=$?
  cmp -s "$TMP/z1.out" "$TMP/l.out" && cmp -s "$TMP/z1.err" "$TMP/l.err" && [ $rc -eq $rcz ] && pass ||
    fail "dump -j 8 with $n process(es) allowed: differs from -j 1 (exit $rc vs $rcz): $(head -c 300 "$TMP/l.err")"
done
# analyze over the corpus (which holds copies of records: see the duplicate-records gaps) with
# every event on a spilled timeline: every output byte-identical at any -j and in any order of
# the paths; which copy of a record is kept does not depend on either.
export SOURCE_DATE_EPOCH=1700000000
dirs=("$CORPUS"/*/)
rev=(); for ((i=${#dirs[@]}-1; i>=0; i--)); do rev+=("${dirs[i]}"); done
an() { # tag -j N paths...
  local tag=$1; shift
  "$EVTRIAGE" analyze --all --no-color --json "$TMP/$tag.json" --report-md "$TMP/$tag.md" --timeline "$TMP/$tag.csv" \
    "$@" >"$TMP/$tag.out" 2>"$TMP/$tag.err"; echo $? >"$TMP/$tag.rc"
}
an a1 -j 1 "${dirs[@]}"
an a3 -j 3 "${dirs[@]}"
an r2 -j 2 "${rev[@]}"
for t in a3 r2; do
  same=1
  for x in json md csv out err rc; do cmp -s "$TMP/a1.$x" "$TMP/$t.$x" || { same=0; echo "differs: $t.$x" >&2; }; done
  [ $same -eq 1 ] && pass || fail "analyze $t differs from -j 1 in path order"
done
grep -q 'of the timeline were read more than once' "$TMP/a1.json" && [ "$(wc -l <"$TMP/a1.csv")" -gt 16384 ] && pass \
  || fail "the corpus run has no copies, or its timeline did not spill"
finish
