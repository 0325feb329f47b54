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

finish
