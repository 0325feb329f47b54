# rules_regex_limit.sh: a regular expression that backtracks without end ((a|aa)+ against a
# long run of a's) gives up after PCRE2's match steps instead of taking PCRE2's default of
# 10 million per event; the events it gave up on read as no match, and that is said once per
# input and rule (file, rule file:line, count, first record), exit 1, in hunt, analyze (a
# rule-gave-up gap) and rules test (the test fails); other rules match as before, and what is
# said is the same whatever -j is.
. "$(dirname "$0")/lib.bash"
run=$(python3 -c "print('a' * 60 + '!')")
{
  printf 'scenario: regex-limit\nhosts:\n  - computer: H1\n    files:\n      - channel: System\n        events:\n'
  for i in $(seq 1 40); do
    printf "          - {time: 2025-01-01T00:00:%02dZ, event_id: 1, provider: P, event_data: {Cmd: '%s', Tag: 'x%d'}}\n" \
      $((i % 60)) "$run" "$i"
  done
  printf "          - {time: 2025-01-01T00:01:00Z, event_id: 1, provider: P, event_data: {Cmd: 'short', Tag: 'y'}}\n"
} >"$TMP/s.yaml"
"$EVTRIAGE" synth -q "$TMP/s.yaml" -o "$TMP/logs" || fail "synth"
mkdir -p "$TMP/rules"
cat >"$TMP/rules/slow.yml" <<'YAML'
title: backtracks
id: 11111111-1111-4111-8111-111111111111
logsource: {product: windows}
detection:
  sel:
    Cmd|re: '^(a|aa)+$'
  condition: sel
level: low
YAML
cat >"$TMP/rules/fine.yml" <<'YAML'
title: tags
id: 22222222-2222-4222-8222-222222222222
logsource: {product: windows}
detection:
  sel:
    Tag|re: '^x[0-9]+$'
  condition: sel
level: low
YAML
want="$TMP/logs/H1/System.evtx: rule '11111111-1111-4111-8111-111111111111' ($TMP/rules/slow.yml:1): its regular expression gave up on 40 event(s) (first: record 1) after 1000000 match steps, and read them as not matching (a nested quantifier such as (a|aa)+ can backtrack without end)"

for j in 1 2; do
  "$EVTRIAGE" hunt -q -j $j --format jsonl --rules "$TMP/rules" "$TMP/logs" >"$TMP/h$j.jsonl" 2>"$TMP/h$j.err"; rc=$?
  [ $rc -eq 1 ] && grep -qxF "$want" "$TMP/h$j.err" && [ "$(grep -c 'gave up' "$TMP/h$j.err")" -eq 1 ] && pass \
    || { fail "hunt -j $j: exit $rc"; cat "$TMP/h$j.err"; }
  n=$(grep -c '22222222-2222-4222-8222-222222222222' "$TMP/h$j.jsonl" || true)
  [ "$n" -eq 40 ] && ! grep -q '11111111-1111' "$TMP/h$j.jsonl" && pass || fail "hunt -j $j: $n matches of the other rule"
done
cmp -s "$TMP/h1.err" "$TMP/h2.err" && cmp -s "$TMP/h1.jsonl" "$TMP/h2.jsonl" && pass || fail "hunt: -j 1 and -j 2 differ"

"$EVTRIAGE" analyze -q --rules "$TMP/rules" --json "$TMP/r.json" "$TMP/logs" 2>"$TMP/a.err"; rc=$?
[ $rc -eq 1 ] && grep -qxF "$want" "$TMP/a.err" && pass || { fail "analyze: exit $rc"; cat "$TMP/a.err"; }
python3 - "$TMP/r.json" "$want" <<'PY' && pass || fail "analyze: no rule-gave-up gap in the JSON report"
import json, sys
r = json.load(open(sys.argv[1]))
gaps = [g for g in r["gaps"] if g["kind"] == "rule-gave-up"]
assert [g["message"] for g in gaps] == [sys.argv[2]], gaps
assert not [g for g in r["gaps"] if g["kind"] == "damaged"], r["gaps"]
PY

# over many units of work (a file of 20 chunks, units of 8): the count is summed over them and
# the first record is the file's first, whatever -j is; the first 149 events do not give up
{
  printf 'scenario: regex-limit-many\nhosts:\n  - computer: H2\n    files:\n      - channel: System\n        events:\n'
  pad=$(python3 -c "print('p' * 2000)")
  for i in $(seq 1 300); do
    cmd=short; [ "$i" -ge 150 ] && cmd=$run
    printf "          - {time: 2025-01-01T00:%02d:%02dZ, event_id: 1, provider: P, event_data: {Cmd: '%s', Pad: '%s'}}\n" \
      $((i / 60)) $((i % 60)) "$cmd" "$pad"
  done
} >"$TMP/many.yaml"
"$EVTRIAGE" synth -q "$TMP/many.yaml" -o "$TMP/many" || fail "synth many"
chunks=$(( ($(stat -c %s "$TMP/many/H2/System.evtx") - 4096) / 65536 ))
for j in 1 2; do "$EVTRIAGE" hunt -q -j $j --format jsonl --rules "$TMP/rules" "$TMP/many" >"$TMP/m$j.jsonl" 2>"$TMP/m$j.err"; done
[ "$chunks" -gt 16 ] && cmp -s "$TMP/m1.err" "$TMP/m2.err" && cmp -s "$TMP/m1.jsonl" "$TMP/m2.jsonl" \
  && grep -qF "System.evtx: rule '11111111-1111-4111-8111-111111111111' ($TMP/rules/slow.yml:1): its regular expression gave up on 151 event(s) (first: record 150)" "$TMP/m1.err" \
  && [ "$(grep -c 'gave up' "$TMP/m1.err")" -eq 1 ] && pass || { fail "many units: $chunks chunks"; cat "$TMP/m1.err" "$TMP/m2.err"; }

# a rule's own test that only passes because its expression gave up is a failure
cat >"$TMP/tested.yml" <<YAML
title: backtracks, tested
id: 33333333-3333-4333-8333-333333333333
logsource: {product: windows}
detection:
  sel:
    Cmd|re: '^(a|aa)+\$'
  condition: sel
level: low
tests:
  - name: a long run is no match
    events:
      - {EventID: 1, Channel: System, Cmd: '$run'}
    expect_not: [33333333-3333-4333-8333-333333333333]
YAML
"$EVTRIAGE" rules test "$TMP/tested.yml" >"$TMP/t.out" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q "FAIL.*a long run is no match.*its regular expression gave up on 1 event(s)" "$TMP/t.out" && pass \
  || { fail "rules test: exit $rc"; cat "$TMP/t.out"; }
finish
