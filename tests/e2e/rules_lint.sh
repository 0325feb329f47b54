# rules_lint.sh: `evtriage rules lint` reports every problem of broken rule files as
# file:line:column and exits 1; clean files exit 0.
. "$(dirname "$0")/lib.bash"
cat >"$TMP/typo.yml" <<'YAML'
title: Typo in a key
logsource:
    product: windows
    category: process_creation
detecton:
    selection:
        Image|endswith: '\whoami.exe'
    condition: selection
YAML
"$EVTRIAGE" rules lint "$TMP/typo.yml" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] && pass || fail "typo: exit $rc"
grep -qx "$TMP/typo.yml:5:1: error: unknown key 'detecton' in rule (did you mean 'detection'?)" "$TMP/out" && pass || fail "typo: $(cat "$TMP/out")"
# a YAML complex key ("? ") where a name belongs: refused with its position (fuzz_rules found
# the loader crashing on it)
printf 'title: Complex key\nextract:\n  ? a: b\n    c: d\ndetection: {sel: {EventID: 1}, condition: sel}\n' >"$TMP/ckey.yml"
"$EVTRIAGE" rules lint "$TMP/ckey.yml" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 1 ] && grep -qx "$TMP/ckey.yml:3:5: error: a mapping key must be text, not a list or map" "$TMP/out" && pass || fail "complex key: exit $rc: $(cat "$TMP/out")"
cat >"$TMP/broken.yml" <<'YAML'
title: Many problems
id: aaaaaaaa-0000-4000-8000-000000000001
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswith: '\cmd.exe'
        CommandLine|contians: 'x'
    condition: selection
---
title: Bad regex
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        CommandLine|re: '(unclosed'
    condition: selection
---
title: Bad condition
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image: x
    condition: selection and not filter
---
title: Bad reference
correlation:
    type: event_count
    rules:
        - no-such-rule
    group-by: [Computer]
    timespan: 1h
    condition:
        gte: 5
---
title: Unmapped field
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        ServiceFileName: x
    condition: selection
YAML
"$EVTRIAGE" rules lint "$TMP/broken.yml" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] && pass || fail "broken: want exit 1"
f="$TMP/broken.yml"
for want in \
  "$f:9:9: error: unknown modifier 'contians'" \
  "$f:18:35: error: bad regular expression: missing closing parenthesis (at offset 9)" \
  "$f:28:34: error: condition: unknown search identifier 'filter'" \
  "$f:34:11: error: unknown rule reference 'no-such-rule'" \
  "$f:46:9: warning: field 'ServiceFileName' is not mapped: no event of this logsource (process_creation_sysmon, ...) carries it"; do
  grep -qxF "$want" "$TMP/out" && pass || fail "missing: $want; got: $(cat "$TMP/out")"
done
grep -q "rules lint: 1 rule(s) compiled, 4 error(s), 1 warning(s)" "$TMP/err" && pass || fail "summary: $(cat "$TMP/err")"
# every problem of a rule is said, not only its first (issue 31): metadata, each extracted field,
# each field and each value of each selection, the condition, rca and tests
cat >"$TMP/many.yml" <<'YAML'
title: Many problems in one rule
level: severe
fact: maybe
logsource:
    product: windows
    category: process_creation
extract:
    a: {field: CommandLine, split: ' '}
    b: {from: a, re: '(x'}
    c: {from: b}
detection:
    selection:
        Image|endswith: '\cmd.exe'
        CommandLine|contians: 'x'
    other:
        CommandLine|re:
            - '(one'
            - 'fine'
            - '[two'
        ParentImage|startswith|endswith: 'y'
    condition: selection and not filter
rca:
    title: "broken {"
tests:
    - name: t
YAML
"$EVTRIAGE" rules lint "$TMP/many.yml" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] && pass || fail "many: want exit 1"
f="$TMP/many.yml"
for want in \
  "$f:2:8: error: unknown level 'severe' (informational, low, medium, high, critical)" \
  "$f:3:7: error: fact must be true or false" \
  "$f:8:8: error: extract 'a': split needs an 'index'" \
  "$f:9:25: error: bad regular expression: missing closing parenthesis (at offset 2)" \
  "$f:14:9: error: unknown modifier 'contians'" \
  "$f:17:20: error: bad regular expression: missing closing parenthesis (at offset 4)" \
  "$f:19:20: error: bad regular expression: missing terminating ] for character class (at offset 4)" \
  "$f:20:9: error: contains, startswith and endswith exclude each other" \
  "$f:21:34: error: condition: unknown search identifier 'filter'" \
  "$f:23:12: error: template: unterminated or empty placeholder at offset 7" \
  "$f:25:7: error: a test needs a non-empty 'events' list"; do
  grep -qxF "$want" "$TMP/out" && pass || fail "many: missing: $want; got: $(cat "$TMP/out")"
done
# no second error for what an earlier one explains ('c' is from the broken 'b')
[ "$(wc -l <"$TMP/out")" -eq 11 ] && grep -q "0 rule(s) compiled, 11 error(s), 0 warning(s)" "$TMP/err" && pass \
  || fail "many: want exactly 11 problems: $(cat "$TMP/out" "$TMP/err")"
printf 'title: c\ncorrelation:\n    type: event_cnt\n    rules: [a, b]\n    group-by: [{x: 1}]\n    timespan: 5 minutes\n' >"$TMP/corrs.yml"
"$EVTRIAGE" rules lint "$TMP/corrs.yml" >"$TMP/out" 2>&1
for want in "3:11: error: correlation type must be event_count, value_count, temporal, temporal_ordered or absent" \
            "5:16: error: expected a name" "6:15: error: bad timespan '5 minutes' (number + s, m, h or d)"; do
  grep -qxF "$TMP/corrs.yml:$want" "$TMP/out" && pass || fail "correlation: missing: $want; got: $(cat "$TMP/out")"
done
# a file's diagnostics stop at 100 errors and 100 warnings; one line says how many more there
# were, and every one is counted (lint's summary, hunt's count)
python3 - "$TMP/cap.yml" <<'PY'
import sys
out = ["title: e%d\nlogsource: {product: windows, service: system}\ndetection: {sel: {EventID|contians: %d}, condition: sel}\n" % (i, i) for i in range(150)]
out += ["title: w%d\nlogsource: {product: windows, service: system}\ndetection: {sel: {EventID: %d}, condition: sel}\ncolour: red\n" % (i, i) for i in range(120)]
open(sys.argv[1], "w").write("---\n".join(out))
PY
"$EVTRIAGE" rules lint "$TMP/cap.yml" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] && pass || fail "cap: want exit 1"
[ "$(grep -c ': error: unknown modifier' "$TMP/out")" -eq 100 ] && [ "$(grep -c ': warning: unknown key' "$TMP/out")" -eq 100 ] && pass \
  || fail "cap: want 100 errors and 100 warnings shown: $(grep -c . "$TMP/out")"
tail -1 "$TMP/out" | grep -qxF "$TMP/cap.yml: error: 50 more error(s) and 20 more warning(s) in this file not shown (at most 100 of each are)" \
  && pass || fail "cap: last line: $(tail -1 "$TMP/out")"
grep -q "120 rule(s) compiled, 150 error(s), 120 warning(s)" "$TMP/err" && pass || fail "cap: summary: $(cat "$TMP/err")"
"$EVTRIAGE" hunt --rules "$TMP/cap.yml" "$CORPUS/machine-logs/System.evtx" >/dev/null 2>"$TMP/err"
grep -q "hunt: 150 rule error(s)" "$TMP/err" && [ "$(grep -c 'unknown modifier' "$TMP/err")" -eq 100 ] && pass \
  || fail "cap: hunt: $(tail -3 "$TMP/err")"
# YAML syntax errors carry libyaml's position
printf 'title: x\ndetection: [a, b\n' >"$TMP/syntax.yml"
"$EVTRIAGE" rules lint "$TMP/syntax.yml" >"$TMP/out" 2>&1
[ $? -eq 1 ] && grep -q "^$TMP/syntax.yml:[0-9]*:[0-9]*: error: " "$TMP/out" && pass || fail "syntax: $(cat "$TMP/out")"
# rule files are parsed side by side, yet compiled and reported in path order: the same
# diagnostics, in the same order, with one thread or several; a missing path is said in its turn
mkdir -p "$TMP/many"
for i in $(seq -w 1 30); do
  printf 'title: Rule %s\nlogsource: {product: windows, service: system}\ndetecton: {sel: {EventID: %d}, condition: sel}\n' "$i" "$((10#$i))" >"$TMP/many/r$i.yml"
done
printf 'title: Good\nlogsource: {product: windows, service: system}\ndetection: {sel: {EventID: 1}, condition: sel}\nstatuss: test\n---\ntitle: x\ndetection: [a, b\n' >"$TMP/many/r15b.yml"
for j in 1 3; do
  "$EVTRIAGE" analyze -q -j $j --rules "$TMP/many/r01.yml" --rules "$TMP/nowhere.yml" --rules "$TMP/many" "$CORPUS/machine-logs" >/dev/null 2>"$TMP/many-$j.err"
done
cmp -s "$TMP/many-1.err" "$TMP/many-3.err" && pass || fail "rule diagnostics differ between -j 1 and -j 3: $(diff "$TMP/many-1.err" "$TMP/many-3.err" | head -5)"
grep -o '^[^:]*' "$TMP/many-3.err" | grep -v '^evtriage' | uniq >"$TMP/order"
{ echo "$TMP/many/r01.yml"; echo "$TMP/nowhere.yml"; for i in $(seq -w 1 30); do echo "$TMP/many/r$i.yml"; [ "$i" = 15 ] && echo "$TMP/many/r15b.yml"; done; } >"$TMP/want"
cmp -s "$TMP/order" "$TMP/want" && pass || fail "rule diagnostics out of path order: $(diff "$TMP/want" "$TMP/order" | head -6)"
# the documents before a syntax error are compiled (what is wrong with the first comes first)
grep -A1 "r15b.yml:4:1: error: unknown key 'statuss'" "$TMP/many-3.err" | grep -q "r15b.yml:8:[0-9]*: error: did not find" && pass || fail "syntax error after a good document: $(grep r15b "$TMP/many-3.err")"
# a correlation over a rule that is then left out (its own reference is unknown) goes too, said
# where it names it (fuzz_rules found the correlator reading past its tables on this)
cat >"$TMP/chain.yml" <<'YAML'
title: Outer
name: outer
correlation: {type: event_count, rules: [inner], timespan: 1h, condition: {gte: 2}}
---
title: Inner
name: inner
correlation: {type: event_count, rules: [nowhere], timespan: 1h, condition: {gte: 2}}
YAML
"$EVTRIAGE" rules lint "$TMP/chain.yml" >"$TMP/out" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -qx "$TMP/chain.yml:3:42: error: refers to rule 'inner', which has errors and is left out" "$TMP/out" \
  && pass || fail "chain: exit $rc: $(cat "$TMP/out")"
# warnings only: exit 0; --strict makes them errors
"$EVTRIAGE" rules lint "$CORPUS/sigma-regression" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 0 ] && pass || fail "regression rules: $(head -5 "$TMP/out")"
grep -q "101 rule(s) compiled, 0 error(s)" "$TMP/err" && pass || fail "regression summary: $(cat "$TMP/err")"
"$EVTRIAGE" rules lint --strict "$CORPUS/sigma-regression" >/dev/null 2>&1
[ $? -eq 1 ] && pass || fail "--strict: warnings must fail"
# usage
"$EVTRIAGE" rules lint >/dev/null 2>&1; [ $? -eq 2 ] && pass || fail "lint without path: want 2"
"$EVTRIAGE" rules frobnicate x >/dev/null 2>&1; [ $? -eq 2 ] && pass || fail "unknown subcommand: want 2"
"$EVTRIAGE" analyse x >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] && grep -qx "evtriage: unknown command 'analyse' (did you mean 'analyze'?)" "$TMP/err" && pass \
  || fail "misspelt command: exit $rc: $(head -1 "$TMP/err")"
"$EVTRIAGE" rules --help | grep -q 'rules lint' && pass || fail "rules --help"
"$EVTRIAGE" rules lint --help | grep -q 'file:line:column' && pass || fail "rules lint --help"
"$EVTRIAGE" rules lint "$TMP/missing.yml" >"$TMP/out" 2>&1; [ $? -eq 1 ] && pass || fail "missing file: want 1"
finish
