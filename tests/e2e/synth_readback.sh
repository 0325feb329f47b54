# synth_readback.sh: every sample scenario and the all-types scenario are written by
# `evtriage synth` and read back through evtriage dump, evtxexport (libevtx) and python-evtx,
# which must all agree with the scenario (synth_readback.py); the .evtx files committed under
# samples/ must be exactly what synth writes from their scenario today.
. "$(dirname "$0")/lib.bash"
SRC=${EVTRIAGE_SOURCE:?source tree}
command -v evtxexport >/dev/null || { echo "FAIL: evtxexport missing (scripts/install-deps.sh)"; exit 1; }
scenarios=("$SRC/tests/e2e/data/synth-all-types.yaml")
for s in "$SRC"/samples/*/scenario.yaml; do [ -f "$s" ] && scenarios+=("$s"); done
for s in "${scenarios[@]}"; do
  name=$(basename "$(dirname "$s")")
  out="$TMP/$name"
  if ! "$EVTRIAGE" synth -q "$s" -o "$out" 2>"$TMP/err"; then
    fail "$s: synth failed: $(cat "$TMP/err")"
    continue
  fi
  if /usr/bin/python3 "$SRC/tests/e2e/synth_readback.py" "$s" "$out" "$EVTRIAGE" >"$TMP/log" 2>&1; then
    pass
  else
    fail "$s: readback"; cat "$TMP/log"
  fi
  # A second run writes the same bytes (no clock, no randomness in the writer).
  "$EVTRIAGE" synth -q "$s" -o "$TMP/again-$name" && diff -r "$out" "$TMP/again-$name" >/dev/null && pass \
    || fail "$s: two runs wrote different files"
  # Committed sample files match their scenario.
  dir=$(dirname "$s")
  if [ "$dir" != "$SRC/tests/e2e/data" ]; then
    while IFS= read -r -d '' f; do
      rel=${f#"$dir/"}
      cmp -s "$f" "$out/$rel" && pass || fail "$f differs from what synth writes from $s (regenerate: evtriage synth $s -o $dir)"
    done < <(find "$dir" -name '*.evtx' -print0)
    n_written=$(find "$out" -name '*.evtx' | wc -l)
    n_kept=$(find "$dir" -name '*.evtx' | wc -l)
    [ "$n_written" -eq "$n_kept" ] && pass || fail "$dir holds $n_kept .evtx files, synth writes $n_written"
  fi
done
# --scale: many chunks, rising ids, noise from other providers; every reader agrees on the count.
"$EVTRIAGE" synth -q --scale 40 --noise 3 "$SRC/tests/e2e/data/synth-all-types.yaml" -o "$TMP/scaled" || fail "scale: synth failed"
big="$TMP/scaled/TYPES01/Evtriage-Test%4Operational.evtx"
ours=$("$EVTRIAGE" dump --format count "$big" 2>"$TMP/err"); rc=$?
[ $rc -eq 0 ] && [ "$ours" = 60160 ] && pass || fail "scale: evtriage read $ours records (exit $rc), expected 60160: $(cat "$TMP/err")"
theirs=$(evtxexport "$big" 2>/dev/null | grep -c '^Event number')
[ "$theirs" = "$ours" ] && pass || fail "scale: evtxexport read $theirs records, evtriage $ours"
"$EVTRIAGE" dump "$big" | /usr/bin/python3 -c '
import json, sys
ids = [json.loads(l)["record_id"] for l in sys.stdin]
assert ids == list(range(100, 100 + len(ids))), "record ids not consecutive from 100"
' && pass || fail "scale: record ids"
finish
