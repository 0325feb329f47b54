# analyze_gaps_edges.sh: a report whose only gap is "no rule fired" (no host, no channel) renders
# in every format; a finding's entity comes from the latest of its records that has it, so a gap
# its rca.needs names a host with is listed even when the last record lacks that field.
. "$(dirname "$0")/lib.bash"
cat >"$TMP/s.yaml" <<'YAML'
scenario: gaps-edges
defaults: {provider: Demo-Provider, keywords: 0x8000000000000000, level: 2, version: 0, task: 0, opcode: 0}
hosts:
  - computer: SRC01.example.net
    folder: SRC01
    files:
      - channel: Application
        events:
          - {time: 2025-01-01T10:00:00Z, event_id: 1001, event_data: {Peer: DST07.example.net, Code: '0x1'}}
          - {time: 2025-01-01T10:05:00Z, event_id: 1001, event_data: {Code: '0x2'}}
YAML
cat >"$TMP/r.yaml" <<'YAML'
title: Demo failure towards a peer
id: 2b6f0d1e-7c4a-4e39-9a58-3f1d0c2e4b71
level: high
logsource: {product: windows, service: application}
extract:
    peer: {field: Peer, default: ''}
    peer_short: {from: peer, re: '^([^.]+)'}
detection:
    selection: {Provider_Name: Demo-Provider, EventID: 1001}
    condition: selection
rca:
    title: "Demo failure"
    cause: "a demo cause"
    remediation: ["a demo step"]
    needs:
        - {channel: Application, host: '{peer_short}', confidence: low, message: "No Application log of {peer_short}"}
YAML
"$EVTRIAGE" synth "$TMP/s.yaml" -o "$TMP/logs" >/dev/null || fail "synth"
"$EVTRIAGE" analyze -q --rules "$TMP/r.yaml" --json "$TMP/a.json" "$TMP/logs"; rc=$?
[ $rc -eq 0 ] && pass || fail "analyze with a needs gap: exit $rc"
python3 - "$TMP/a.json" <<'PY' && pass || fail "the gap names the peer of the first record (entity of the latest record that has it)"
import json, sys
r = json.load(open(sys.argv[1]))
f = r["findings"][0]
assert f["entities"].get("peer_short") == "DST07", f["entities"]
assert f["confidence"] == "low", f["confidence"]
assert any(g["kind"] == "missing-log" and g["host"] == "DST07" and g["channel"] == "Application" for g in r["gaps"]), r["gaps"]
PY
# Nothing fires: the one gap says so, has no host or channel, and every format is written.
cat >"$TMP/none.yaml" <<'YAML'
title: Matches nothing here
id: 6a0e2c4f-9b1d-4f73-8e25-1c7d3b9a0f62
level: high
logsource: {product: windows, service: application}
detection:
    selection: {Provider_Name: Nobody, EventID: 1}
    condition: selection
YAML
"$EVTRIAGE" analyze -q --rules "$TMP/none.yaml" --json "$TMP/n.json" --report-md "$TMP/n.md" --report-html "$TMP/n.html" "$TMP/logs"; rc=$?
[ $rc -eq 0 ] && pass || fail "analyze with only the no-findings gap: exit $rc"
python3 - "$TMP/n.json" <<'PY' && pass || fail "the no-findings gap"
import json, sys
r = json.load(open(sys.argv[1]))
assert not r["findings"], r["findings"]
assert [g["kind"] for g in r["gaps"]] == ["no-findings"], r["gaps"]
assert r["gaps"][0].get("host") is None and r["gaps"][0].get("channel") is None and not r["gaps"][0].get("collect"), r["gaps"]
assert not r.get("collect_script"), r.get("collect_script")
PY
grep -q "No rule fired above info" "$TMP/n.md" && grep -q "No rule fired above info" "$TMP/n.html" && pass || fail "no-findings gap not in Markdown/HTML"
"$EVTRIAGE" analyze --rules "$TMP/none.yaml" "$TMP/logs" >"$TMP/n.txt" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "No rule fired above info" "$TMP/n.txt" && pass || fail "terminal report with only the no-findings gap: exit $rc"
finish
