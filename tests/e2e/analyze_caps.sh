# analyze_caps.sh: every per-host or per-key table of analyze is bounded for real, and every
# report says what the bound left out: the timeline's counts by host (256 named, the rest
# counted: ../shared/security/2026-12/timeline/cap300.yaml, defect 7, used to list all 300, and
# 200,000 hosts took two minutes) and the summary's host list (64, "and more").
. "$(dirname "$0")/lib.bash"
SEC="$EVTRIAGE_SHARED/security/2026-12"
"$EVTRIAGE" synth -q "$SEC/timeline/cap300.yaml" -o "$TMP/cap300" 2>"$TMP/err" || fail "synth cap300.yaml: $(cat "$TMP/err")"
"$EVTRIAGE" analyze --all --no-color --json "$TMP/c.json" --report-md "$TMP/c.md" --report-html "$TMP/c.html" \
  "$TMP/cap300" >"$TMP/c.txt" 2>"$TMP/err"; rc=$?
[ $rc -eq 0 ] && pass || { fail "cap300: exit $rc"; cat "$TMP/err"; }
python3 - "$TMP/c.json" <<'PY' && pass || fail "cap300: the timeline's counts by host"
import json, sys
r = json.load(open(sys.argv[1]))
t = r["timeline_summary"]
assert t["entries"] == 300, t["entries"]
assert len(t["by_host"]) == 256 and "" not in t["by_host"], len(t["by_host"])
assert all(n == 1 for n in t["by_host"].values()), t["by_host"]
assert t["by_host_other"] == 44 and t["by_rule_other"] == 0, (t["by_host_other"], t["by_rule_other"])
s = r["summary"]
assert len(s["hosts"]) == 64 and s["hosts_more"] is True, (len(s["hosts"]), s["hosts_more"])
assert len(set(s["hosts"])) == 64 and all(h.startswith("HOST") for h in s["hosts"]), s["hosts"]
PY
grep -q '^Hosts (64 listed, and more: not all are listed)' "$TMP/c.txt" && grep -q 'and more (not all are listed)' "$TMP/c.md" \
  && grep -q '64+<div class="list">.*and more (not all are listed)' "$TMP/c.html" && pass || fail "cap300: the host list's bound not said in every report"
finish
