# yaml_hostile.sh: rule files and synth scenarios made to cost without bound (deep nesting,
# aliases that multiply, long conditions) or to mislead (duplicate keys, bad bytes) are refused
# promptly at file:line:column, by `rules lint`, `hunt --rules`, `analyze --rules` and `synth`,
# with the exit codes the README gives. The hostile inputs are made here (python3), small and
# quick; every command runs under `timeout`, so a hang fails instead of stalling the suite.
. "$(dirname "$0")/lib.bash"
SEC="$EVTRIAGE_SHARED/security/2026-12"
EVTX="$CORPUS/machine-logs"
[ -d "$EVTX" ] || { echo "FAIL: $EVTX not found"; exit 1; }
RULE_HEAD='title: t
logsource: {product: windows, service: system}
detection:
    sel:
        EventID: 1
    condition: sel
'
# run NAME CMD...: runs the command under a 30 s limit; $rc, $TMP/NAME.out and $TMP/NAME.err
run() {
  local name=$1; shift
  timeout 30 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
  rc=$?
  [ $rc -ne 124 ] || fail "$name: still running after 30 s"
}
# has NAME LINE: the exact line is in the output or the errors of NAME
has() { grep -qxF "$2" "$TMP/$1.out" "$TMP/$1.err" && pass || fail "$1 (exit $rc): no line '$2' in: $(head -c 600 "$TMP/$1.out" "$TMP/$1.err")"; }

# ---- nesting depth (issue 33, defect 10): libyaml's scanner costs the depth for every token,
# so 100,000 nested flow maps took minutes; now the 101st level is an error, said at once
python3 -c "import sys; sys.stdout.write(sys.argv[1] + 'tags: ' + '{a: ' * 100000 + '1' + '}' * 100000 + '\n')" \
  "$RULE_HEAD" >"$TMP/deep_map.yml"
run deep_map "$EVTRIAGE" rules lint "$TMP/deep_map.yml"
[ $rc -eq 1 ] && pass || fail "deep_map: exit $rc"
# the document's own map is the first level: the 101st is the 100th '{' (column 7 + 99 x 4)
has deep_map "$TMP/deep_map.yml:7:403: error: lists and maps nested more than 100 levels deep"
python3 -c "import sys; sys.stdout.write(sys.argv[1] + 'tags: ' + '[' * 100000 + '1' + ']' * 100000 + '\n')" \
  "$RULE_HEAD" >"$TMP/deep_seq.yml"
run deep_seq_hunt "$EVTRIAGE" hunt --rules "$TMP/deep_seq.yml" "$EVTX"
[ $rc -eq 2 ] && pass || fail "deep_seq_hunt: exit $rc"
has deep_seq_hunt "$TMP/deep_seq.yml:7:106: error: lists and maps nested more than 100 levels deep"
# 99 levels are fine (a rule with an unknown key of them compiles, with a warning)
python3 -c "import sys; sys.stdout.write(sys.argv[1] + 'custom: ' + '[' * 98 + '1' + ']' * 98 + '\n')" \
  "$RULE_HEAD" >"$TMP/deep_ok.yml"
run deep_ok "$EVTRIAGE" rules lint "$TMP/deep_ok.yml"
[ $rc -eq 0 ] && grep -q '1 rule(s) compiled, 0 error(s)' "$TMP/deep_ok.err" && pass || fail "deep_ok: exit $rc: $(cat "$TMP/deep_ok.err")"
# depth through aliases: each anchor one level deeper than the one it names
python3 - "$RULE_HEAD" >"$TMP/deep_alias.yml" <<'PY'
import sys
out = [sys.argv[1], "custom:\n", "  - &a0 [x]\n"]
out += ["  - &a%d [*a%d]\n" % (i, i - 1) for i in range(1, 200)]
sys.stdout.write("".join(out))
PY
run deep_alias "$EVTRIAGE" rules lint "$TMP/deep_alias.yml"
[ $rc -eq 1 ] && pass || fail "deep_alias: exit $rc"
# the root map and the custom list hold each, so '*a97' (98 levels) is the first too deep
has deep_alias "$TMP/deep_alias.yml:106:11: error: alias '*a97' nests lists and maps more than 100 levels deep"
# an alias inside the node it names would make a tree that holds itself
printf '%scustom: &c [1, *c]\n' "$RULE_HEAD" >"$TMP/cycle.yml"
run cycle "$EVTRIAGE" rules lint "$TMP/cycle.yml"
[ $rc -eq 1 ] && pass || fail "cycle: exit $rc"
has cycle "$TMP/cycle.yml:7:16: error: alias '*c' inside the node it names"
# 100,000 anchors, then 100,000 aliases of the first: anchors were searched one by one (143 s);
# now by hash (well under a second)
python3 -c "import sys; n = 100000; sys.stdout.write(sys.argv[1] + 'custom:\n' + ''.join('  - &a%d x\n' % i for i in range(n)) + '  - *a0\n' * n)" \
  "$RULE_HEAD" >"$TMP/anchors.yml"
run anchors "$EVTRIAGE" rules lint "$TMP/anchors.yml"
[ $rc -eq 0 ] && grep -q '1 rule(s) compiled, 0 error(s)' "$TMP/anchors.err" && pass || fail "anchors: exit $rc: $(cat "$TMP/anchors.err")"
# a scenario: the same bound, with synth's exit 2 and nothing written
python3 - >"$TMP/deep_scen.yaml" <<'PY'
import sys
sys.stdout.write("scenario: deep\nhosts:\n  - computer: H\n    files:\n      - channel: System\n        events:\n"
                 "          - {time: 2025-01-01T00:00:00Z, event_id: 1, provider: P, user_data: "
                 + "{A: " * 100000 + "x" + "}" * 100000 + "}\n")
PY
run deep_scen "$EVTRIAGE" synth "$TMP/deep_scen.yaml" -o "$TMP/deep_scen_out"
[ $rc -eq 2 ] && [ ! -e "$TMP/deep_scen_out" ] && pass || fail "deep_scen: exit $rc"
has deep_scen "$TMP/deep_scen.yaml:7:451: lists and maps nested more than 100 levels deep"

# ---- aliases (defect 5): a 1 MiB anchor used 1,000 times took lint to 1 GB, 100,000 times past
# 4 GB; now what aliases add to a file is bounded (16 MiB, a node counting as its text + 64
# bytes) as the tree is built, and the alias that passes it is named where it is
cat >"$TMP/alias.py" <<'PY'
import sys
n = int(sys.argv[2])
sys.stdout.write(sys.argv[1] + "    big:\n        Data|contains: &big '" + "x" * (1 << 20) + "'\n"
                 "    uses:\n        Data|contains:\n" + "            - *big\n" * n)
PY
python3 "$TMP/alias.py" "$RULE_HEAD" 1000 >"$TMP/alias_1k.yml"
# 15 uses add 15 x (1 MiB + 64) bytes; the 16th passes 16 MiB (line 6 + 4 + 16)
want="$TMP/alias_1k.yml:26:15: error: alias '*big' (1048640 bytes) makes the file's aliases add more than 16 MiB (a node counts as its text and 64 bytes)"
run alias_lint /usr/bin/time -f 'maxrss %M' "$EVTRIAGE" rules lint "$TMP/alias_1k.yml"
[ $rc -eq 1 ] && pass || fail "alias_lint: exit $rc"
has alias_lint "$want"
kb=$(sed -n 's/^maxrss //p' "$TMP/alias_lint.err")
[ -n "$kb" ] && [ "$kb" -lt 200000 ] && pass || fail "alias_lint: peak ${kb:-?} KB"
run alias_hunt "$EVTRIAGE" hunt --rules "$TMP/alias_1k.yml" "$EVTX"
[ $rc -eq 2 ] && pass || fail "alias_hunt: exit $rc"
has alias_hunt "$want"
run alias_analyze "$EVTRIAGE" analyze -q --rules "$TMP/alias_1k.yml" "$EVTX"
[ $rc -eq 2 ] && pass || fail "alias_analyze: exit $rc"
has alias_analyze "$want"
# the 100,000 uses of the review (1.5 MB): the same error, as soon as it is passed
python3 "$TMP/alias.py" "$RULE_HEAD" 100000 >"$TMP/alias_100k.yml"
run alias_100k "$EVTRIAGE" rules lint "$TMP/alias_100k.yml"
[ $rc -eq 1 ] && pass || fail "alias_100k: exit $rc"
has alias_100k "${want/alias_1k/alias_100k}"
# small nodes multiplied (billion laughs of maps): counted by node, 64 bytes each
python3 - "$RULE_HEAD" >"$TMP/laughs.yml" <<'PY'
import sys
out = [sys.argv[1], "custom:\n", "  l0: &l0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n"]
for i in range(1, 9):
    out.append("  l%d: &l%d [%s]\n" % (i, i, ", ".join(["*l%d" % (i - 1)] * 10)))
sys.stdout.write("".join(out))
PY
run laughs "$EVTRIAGE" rules lint "$TMP/laughs.yml"
[ $rc -eq 1 ] && grep -q "^$TMP/laughs.yml:1[0-9]:[0-9]*: error: alias '\*l[0-9]' ([0-9]* bytes) makes the file's aliases add more than 16 MiB" "$TMP/laughs.out" \
  && pass || fail "laughs: exit $rc: $(head -c 300 "$TMP/laughs.out")"
# anchors belong to their document (YAML's rule, and PyYAML's): an alias to one of an earlier
# document is unknown
printf '%scustom: &c [1]\n---\n%scustom: *c\n' "$RULE_HEAD" "$RULE_HEAD" >"$TMP/alias_doc.yml"
run alias_doc "$EVTRIAGE" rules lint "$TMP/alias_doc.yml"
[ $rc -eq 1 ] && pass || fail "alias_doc: exit $rc"
has alias_doc "$TMP/alias_doc.yml:15:9: error: unknown alias '*c'"
# a scenario (synth read 1.5 MB of this shape to 24 GB): the same bound, exit 2, nothing written
python3 - >"$TMP/alias_scen.yaml" <<'PY'
import sys
sys.stdout.write("scenario: aliases\nhosts:\n  - computer: H\n    files:\n      - channel: System\n        events:\n"
                 "          - time: 2025-01-01T00:00:00Z\n            event_id: 1\n            provider: P\n"
                 "            event_data:\n              Big: &big '" + "x" * (1 << 20) + "'\n"
                 + "".join("              D%d: *big\n" % i for i in range(100000)))
PY
run alias_scen /usr/bin/time -f 'maxrss %M' "$EVTRIAGE" synth "$TMP/alias_scen.yaml" -o "$TMP/alias_scen_out"
[ $rc -eq 2 ] && [ ! -e "$TMP/alias_scen_out" ] && pass || fail "alias_scen: exit $rc"
has alias_scen "$TMP/alias_scen.yaml:27:20: alias '*big' (1048640 bytes) makes the file's aliases add more than 16 MiB (a node counts as its text and 64 bytes)"
kb=$(sed -n 's/^maxrss //p' "$TMP/alias_scen.err")
[ -n "$kb" ] && [ "$kb" -lt 200000 ] && pass || fail "alias_scen: peak ${kb:-?} KB"
# ---- long conditions (defect 4): 2,206 `or`s, `1 of s*` over 2,206 selections and 8,016 nested
# parentheses crashed lint, hunt and analyze (exit 139: recursion in the condition parser and
# the rule index). Chains of or/and and quantifiers are one node each now, so the first two
# work; nesting is bounded (64), so the third is an error at the 65th '('
for f in min_or_2206 min_sels_2206; do
  run "$f" "$EVTRIAGE" rules lint "$SEC/yaml/$f.yml"
  [ $rc -eq 0 ] && grep -q '1 rule(s) compiled, 0 error(s)' "$TMP/$f.err" && pass || fail "$f: exit $rc: $(cat "$TMP/$f.err")"
done
# they match what their short forms match: `sel` (EventID 1), and EventID 0 to 2205
printf 'title: t\nlogsource: {product: windows}\ndetection:\n    sel: {EventID: 1}\n    condition: sel\n' >"$TMP/short_or.yml"
printf 'title: t\nlogsource: {product: windows}\ndetection:\n    s: {EventID|lt: 2206}\n    condition: s\n' >"$TMP/short_sels.yml"
for pair in "min_or_2206 short_or" "min_sels_2206 short_sels"; do
  set -- $pair
  run "$1_hunt" "$EVTRIAGE" hunt --format csv --rules "$SEC/yaml/$1.yml" "$EVTX"
  [ $rc -eq 0 ] && pass || fail "$1_hunt: exit $rc"
  run "$2_hunt" "$EVTRIAGE" hunt --format csv --rules "$TMP/$2.yml" "$EVTX"
  n=$(($(wc -l <"$TMP/$2_hunt.out") - 1))
  [ "$n" -gt 100 ] && cut -d, -f5- "$TMP/$1_hunt.out" | cmp -s - <(cut -d, -f5- "$TMP/$2_hunt.out") && pass \
    || fail "$1 matches other events than $2 ($n)"
  run "$1_analyze" "$EVTRIAGE" analyze -q --rules "$SEC/yaml/$1.yml" "$EVTX"
  [ $rc -eq 0 ] && pass || fail "$1_analyze: exit $rc: $(tail -2 "$TMP/$1_analyze.err")"
done
f="$SEC/yaml/min_paren_8016.yml"
want="$f:7:80: error: condition: parentheses and 'not' nested more than 64 deep"
run paren_lint "$EVTRIAGE" rules lint "$f"
[ $rc -eq 1 ] && pass || fail "paren_lint: exit $rc"
has paren_lint "$want"
run paren_hunt "$EVTRIAGE" hunt --rules "$f" "$EVTX"
[ $rc -eq 2 ] && pass || fail "paren_hunt: exit $rc"
has paren_hunt "$want"
run paren_analyze "$EVTRIAGE" analyze -q --rules "$f" "$EVTX"
[ $rc -eq 2 ] && pass || fail "paren_analyze: exit $rc"
has paren_analyze "$want"
# 10,000 nested `not`s: the same bound
python3 -c "import sys; sys.stdout.write(sys.argv[1].replace('condition: sel', 'condition: ' + 'not ' * 10000 + 'sel'))" \
  "$RULE_HEAD" >"$TMP/nots.yml"
run nots "$EVTRIAGE" rules lint "$TMP/nots.yml"
has nots "$TMP/nots.yml:6:272: error: condition: parentheses and 'not' nested more than 64 deep"
# quantifiers over many selections: at most 1,000,000 comparisons of names and patterns with
# the selections (2,000 selections, 600 quantifiers: the 501st passes it)
python3 - >"$TMP/quant.yml" <<'PY'
import sys
sels = "".join("    s%d: {EventID: %d}\n" % (i, i) for i in range(2000))
sys.stdout.write("title: t\nlogsource: {product: windows}\ndetection:\n" + sels
                 + "    condition: " + " or ".join(["1 of s*"] * 600) + "\n")
PY
run quant "$EVTRIAGE" rules lint "$TMP/quant.yml"
[ $rc -eq 1 ] && pass || fail "quant: exit $rc"
has quant "$TMP/quant.yml:2004:$((16 + 500 * 11)): error: condition: more than 1,000,000 comparisons of names and patterns with the search identifiers"

# correlation chains: their depth was found by following every reference anew, so 30
# correlations each naming the one before three times took 3^30 steps (a hang); now each
# rule's depth is worked out once, without recursion
cat >"$TMP/corr.py" <<'PY'
import sys
n, fan = int(sys.argv[1]), int(sys.argv[2])
out = ["title: base\nname: c0\nlogsource: {product: windows, service: system}\ndetection:\n    sel: {EventID: 1}\n    condition: sel\n"]
for i in range(1, n + 1):
    refs = ", ".join(["c%d" % (i - 1)] * fan)
    out.append("title: c%d\nname: c%d\ncorrelation: {type: event_count, rules: [%s], group-by: [Computer], timespan: 1h, condition: {gte: 1}}\n" % (i, i, refs))
sys.stdout.write("---\n".join(out))
PY
python3 "$TMP/corr.py" 30 3 >"$TMP/corr_fan.yml"
run corr_fan "$EVTRIAGE" rules lint "$TMP/corr_fan.yml"
[ $rc -eq 0 ] && grep -q '31 rule(s) compiled, 0 error(s)' "$TMP/corr_fan.err" && pass || fail "corr_fan: exit $rc: $(cat "$TMP/corr_fan.err")"
# at most 32 correlations in a chain (c33 is the 33rd); deeper ones were called loops
python3 "$TMP/corr.py" 34 1 >"$TMP/corr_deep.yml"
run corr_deep "$EVTRIAGE" rules lint "$TMP/corr_deep.yml"
[ $rc -eq 1 ] && pass || fail "corr_deep: exit $rc"
has corr_deep "$TMP/corr_deep.yml:$((6 + 33 * 4)):42: error: a chain of 33 correlations: at most 32"
has corr_deep "$TMP/corr_deep.yml:$((6 + 34 * 4)):42: error: a chain of 34 correlations: at most 32"
# a loop is still one
printf 'title: a\nname: a\ncorrelation: {type: event_count, rules: [b], timespan: 1h, condition: {gte: 1}}\n---\ntitle: b\nname: b\ncorrelation: {type: event_count, rules: [a], timespan: 1h, condition: {gte: 1}}\n' >"$TMP/corr_loop.yml"
run corr_loop "$EVTRIAGE" rules lint "$TMP/corr_loop.yml"
has corr_loop "$TMP/corr_loop.yml:3:42: error: correlation references form a loop"
has corr_loop "$TMP/corr_loop.yml:7:42: error: correlation references form a loop"

# a rule folder with two links to itself: the walk doubled at every level (a hang); a folder
# reached again through a link is said (a warning) and not walked again
mkdir -p "$TMP/loopdir"
printf '%s' "$RULE_HEAD" >"$TMP/loopdir/r.yml"
ln -s . "$TMP/loopdir/a"
ln -s . "$TMP/loopdir/b"
run loopdir "$EVTRIAGE" rules lint "$TMP/loopdir"
[ $rc -eq 0 ] && grep -q '1 rule(s) compiled, 0 error(s), 2 warning(s)' "$TMP/loopdir.err" && pass || fail "loopdir: exit $rc: $(cat "$TMP/loopdir.err")"
has loopdir "$TMP/loopdir/a: warning: a directory already walked (through a link): not walked again"

# ---- duplicate keys (defect 9): the review's rule has `condition: sel` then `condition: not sel`;
# evtriage kept the first silently, pySigma the last: an error at the second
f="$SEC/yaml/rule_dup_cond.yml"
run dup_lint "$EVTRIAGE" rules lint "$f"
[ $rc -eq 1 ] && pass || fail "dup_lint: exit $rc"
has dup_lint "$f:8:5: error: duplicate key 'condition' (first at line 7, column 5)"
run dup_hunt "$EVTRIAGE" hunt --rules "$f" "$EVTX"
[ $rc -eq 2 ] && pass || fail "dup_hunt: exit $rc"
has dup_hunt "$f:8:5: error: duplicate key 'condition' (first at line 7, column 5)"
run dup_analyze "$EVTRIAGE" analyze -q --rules "$f" "$EVTX"
[ $rc -eq 2 ] && pass || fail "dup_analyze: exit $rc"
# written differently (quoted, through an alias) a key is still the same key; the same name in
# two maps is no duplicate
printf '%scustom: {&k a: 1, b: {a: 2}, "b": 3}\n' "$RULE_HEAD" >"$TMP/dup_quoted.yml"
run dup_quoted "$EVTRIAGE" rules lint "$TMP/dup_quoted.yml"
has dup_quoted "$TMP/dup_quoted.yml:7:30: error: duplicate key 'b' (first at line 7, column 19)"
printf '%scustom: {&k a: 1, *k : 2}\n' "$RULE_HEAD" >"$TMP/dup_alias.yml"
run dup_alias "$EVTRIAGE" rules lint "$TMP/dup_alias.yml"
has dup_alias "$TMP/dup_alias.yml:7:19: error: duplicate key 'a' (first at line 7, column 10)"
# in a scenario
cat >"$TMP/dup_scen.yaml" <<'YAML'
scenario: dup
hosts:
  - computer: H
    files:
      - channel: System
        events:
          - time: 2025-01-01T00:00:00Z
            event_id: 1
            provider: P
            event_id: 2
YAML
run dup_scen "$EVTRIAGE" synth "$TMP/dup_scen.yaml" -o "$TMP/dup_scen_out"
[ $rc -eq 2 ] && [ ! -e "$TMP/dup_scen_out" ] && pass || fail "dup_scen: exit $rc"
has dup_scen "$TMP/dup_scen.yaml:10:13: duplicate key 'event_id' (first at line 8, column 13)"

# ---- bad bytes (defect 11): said where they are, not at 1:1
f="$SEC/yaml/rule_bad_utf8_value_in_detection.yml"
run bad_utf8 "$EVTRIAGE" rules lint "$f"
[ $rc -eq 1 ] && pass || fail "bad_utf8: exit $rc"
has bad_utf8 "$f:6:16: error: invalid trailing UTF-8 octet (byte 0x28)"
run bad_utf8_hunt "$EVTRIAGE" hunt --rules "$f" "$EVTX"
[ $rc -eq 2 ] && pass || fail "bad_utf8_hunt: exit $rc"
has bad_utf8_hunt "$f:6:16: error: invalid trailing UTF-8 octet (byte 0x28)"
# a NUL on line 5 of a file with CR LF line ends, after a two-byte character
printf '%s' "$RULE_HEAD" | sed 's/$/\r/' >"$TMP/nul.yml"
printf 'custom: "\303\251\000"\r\n' >>"$TMP/nul.yml"
run nul "$EVTRIAGE" rules lint "$TMP/nul.yml"
[ $rc -eq 1 ] && pass || fail "nul: exit $rc"
has nul "$TMP/nul.yml:7:11: error: control characters are not allowed (U+0000)"
# in a scenario
printf 'scenario: s\nhosts:\n  - computer: "a\001b"\n' >"$TMP/ctl_scen.yaml"
run ctl_scen "$EVTRIAGE" synth "$TMP/ctl_scen.yaml" -o "$TMP/ctl_scen_out"
[ $rc -eq 2 ] && pass || fail "ctl_scen: exit $rc"
has ctl_scen "$TMP/ctl_scen.yaml:3:17: control characters are not allowed (U+0001)"
# a rule path that never ends (/dev/zero) was read whole into memory before parsing (lint
# aborted); it is read as a stream and refused at its first byte
run devzero "$EVTRIAGE" rules lint /dev/zero
[ $rc -eq 1 ] && pass || fail "devzero: exit $rc"
has devzero "/dev/zero:1:1: error: control characters are not allowed (U+0000)"

# synth's 128 MiB for the events' values is checked as each value is made, not after each copy
# of a repeat: 500 aliases of a 32,767-character value (within the alias bound) in a payload
# that each copy makes anew (${n}) pass it inside a copy, said at the value where it is passed
python3 - >"$TMP/copies.yaml" <<'PY'
import sys
sys.stdout.write("scenario: copies\nhosts:\n  - computer: H\n    files:\n      - channel: System\n        events:\n"
                 "          - time: 2025-01-01T00:00:00Z\n            event_id: 1\n            provider: P\n"
                 "            repeat: {count: 100, every: 1s}\n            event_data:\n"
                 "              V: &v " + "v" * 32767 + "\n              N: '${n}'\n"
                 + "".join("              D%d: *v\n" % i for i in range(500)))
PY
run copies "$EVTRIAGE" synth "$TMP/copies.yaml" -o "$TMP/copies_out"
[ $rc -eq 2 ] && [ ! -e "$TMP/copies_out" ] && pass || fail "copies: exit $rc"
grep -Eqx "$TMP/copies.yaml:[0-9]+:18: the events take more than 128 MiB of memory, passed at this value of copy [2-9] \(fewer copies; synth --scale makes big files\)" "$TMP/copies.err" \
  && pass || fail "copies: $(cat "$TMP/copies.err")"
[ "$(grep -c 'more than 128 MiB' "$TMP/copies.err")" = 1 ] && pass || fail "copies: said more than once"

finish
