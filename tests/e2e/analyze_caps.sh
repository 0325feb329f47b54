# analyze_caps.sh: every per-host or per-key table of analyze is bounded for real, and every
# report says what the bound left out: the timeline's counts by host (256 named, the rest
# counted: ../shared/security/2026-12/timeline/cap300.yaml, defect 7, used to list all 300, and
# 200,000 hosts took two minutes), the summary's host list (64, "and more"), the findings one
# rule may have (500: one per host past that is counted in a findings-capped gap), and the
# correlation findings (hits merged per group, 500 groups a rule). Costs: bench/many_hosts.sh.
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
# 700 hosts with a failed live migration each, matched by a detection (one finding per host) and
# by a correlation grouped by host (one hit per host)
python3 - >"$TMP/many.yaml" <<'PY'
print("""scenario: many
hosts:
  - computer: C
    files:
      - channel: Microsoft-Windows-Hyper-V-High-Availability-Admin
        defaults: {provider: Microsoft-Windows-Hyper-V-High-Availability, event_id: 21502, level: 2, event_data: ["Virtual Machine VM1", VM1]}
        events:""")
for i in range(700):
    print("          - {time: 2025-11-18T%02d:%02d:00Z, computer: HOST%04d}" % (i // 60, i % 60, i))
PY
cat >"$TMP/rules.yml" <<'YAML'
title: Migration failed
id: 11111111-0000-4000-8000-000000021502
name: migration-failed
level: high
logsource: {product: windows}
detection:
    selection: {EventID: 21502}
    condition: selection
---
title: Migration failed (feeds the correlation)
id: 11111111-0000-4000-8000-000000021503
name: migration-failed-feed
logsource: {product: windows}
detection:
    selection: {EventID: 21502}
    condition: selection
---
title: A host's migrations failed
id: 22222222-0000-4000-8000-000000021502
name: host-migrations-failed
level: high
correlation: {type: event_count, rules: [migration-failed-feed], group-by: [Computer], timespan: 1h, condition: {gte: 1}}
YAML
"$EVTRIAGE" synth -q "$TMP/many.yaml" -o "$TMP/many" 2>"$TMP/err" || fail "synth many.yaml: $(cat "$TMP/err")"
"$EVTRIAGE" analyze --no-color --rules "$TMP/rules.yml" --json "$TMP/m.json" --report-md "$TMP/m.md" --report-html "$TMP/m.html" \
  "$TMP/many" >"$TMP/m.txt" 2>"$TMP/err"; rc=$?
[ $rc -eq 0 ] && pass || { fail "many: exit $rc"; cat "$TMP/err"; }
python3 - "$TMP/m.json" <<'PY' && pass || fail "many hosts: findings and their bound"
import json, sys
from collections import Counter
r = json.load(open(sys.argv[1]))
per = Counter(f["rule"] for f in r["findings"])
assert per == {"11111111-0000-4000-8000-000000021502": 500, "22222222-0000-4000-8000-000000021502": 500}, per
capped = [g["message"] for g in r["gaps"] if g["kind"] == "findings-capped"]
assert len(capped) == 2, capped
assert any("rule 'migration-failed' matched on more hosts" in m and ": 200 more matched record(s), 2025-11-18T08:20:00.0000000Z to 2025-11-18T11:39:00.0000000Z" in m for m in capped), capped
assert any("correlation 'host-migrations-failed' had hits for more groups" in m and ": 200 more hit(s) over 200 record(s)" in m for m in capped), capped
assert r["timeline_summary"]["entries"] == 700, r["timeline_summary"]["entries"]
PY
for f in m.txt m.md m.html; do
  [ "$(sed "s/&#39;/'/g" "$TMP/$f" | grep -o "findings capped: [a-z]* '[a-z-]*'" | sort -u | wc -l)" -eq 2 ] && pass \
    || fail "many: $f does not say the findings' bound"
done
finish
