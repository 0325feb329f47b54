# corpus_read.sh: every corpus file is read without a crash; record counts are at
# least evtxexport's; exit codes follow the documented contract.
. "$(dirname "$0")/lib.bash"
command -v evtxexport >/dev/null || { echo "FAIL: evtxexport missing (scripts/install-deps.sh)"; exit 1; }
while IFS= read -r -d '' f; do
  out="$TMP/out.jsonl"
  "$EVTRIAGE" dump "$f" >"$out" 2>"$TMP/err"
  rc=$?
  if [ $rc -gt 1 ]; then fail "$f: exit code $rc: $(head -c 300 "$TMP/err")"; continue; fi
  ours=$(wc -l <"$out")
  theirs=$(evtxexport "$f" 2>/dev/null | grep -c '^Event number' || true)
  if [ "$ours" -lt "$theirs" ]; then fail "$f: $ours records, evtxexport $theirs"; continue; fi
  if [ $rc -eq 0 ] && grep -qv ": note: " "$TMP/err"; then fail "$f: exit 0 but stderr: $(head -c 200 "$TMP/err")"; continue; fi
  if [ $rc -eq 1 ] && ! [ -s "$TMP/err" ]; then fail "$f: exit 1 without a message"; continue; fi
  # every line must be valid JSON
  if ! python3 -c 'import json,sys
for l in open(sys.argv[1], encoding="utf-8"): json.loads(l)' "$out" 2>"$TMP/jerr"; then
    fail "$f: invalid JSON: $(tail -1 "$TMP/jerr")"; continue
  fi
  pass
done < <(find "$CORPUS" -iname '*.evtx' -print0 | sort -z)
# usage errors and non-EVTX input
"$EVTRIAGE" dump >/dev/null 2>&1; [ $? -eq 2 ] && pass || fail "dump without path: want exit 2"
"$EVTRIAGE" dump --format xml x >/dev/null 2>&1; [ $? -eq 2 ] && pass || fail "bad format: want exit 2"
"$EVTRIAGE" dump "$CORPUS/parsers/plaso/link_to_System.evtx" >/dev/null 2>"$TMP/e"; rc=$?
[ $rc -eq 1 ] && grep -q "link_to_System.evtx: not an EVTX file" "$TMP/e" && pass || fail "non-EVTX: rc $rc $(cat "$TMP/e")"
"$EVTRIAGE" dump "$TMP/missing.evtx" >/dev/null 2>"$TMP/e"; [ $? -eq 1 ] && pass || fail "missing file: want exit 1"
"$EVTRIAGE" --version | grep -q '^evtriage [0-9]' && pass || fail "--version"
finish
