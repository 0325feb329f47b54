# hunt_correlation.sh: evtriage's extensions and Sigma correlations on a real machine's
# Application log (Security-SPP events): `extract:` fields, event_count, temporal_ordered and
# `absent` hits, the same results whatever the order of the input files.
. "$(dirname "$0")/lib.bash"
APP="$CORPUS/machine-logs/Application.evtx"
SYS="$CORPUS/machine-logs/System.evtx"
[ -f "$APP" ] && [ -f "$SYS" ] || { echo "FAIL: machine-logs missing"; exit 1; }
cat >"$TMP/spp.yml" <<'YAML'
title: Activation attempt failed
id: 11111111-0000-4000-8000-000000008198
name: spp_activation_failed
level: medium
logsource:
    product: windows
    service: security-spp
extract:
    hr: {field: 'Data[0]', re: 'hr=(0x[0-9A-Fa-f]{8})', code: true}
    trigger: {field: 'Data[1]', kv: Trigger}
detection:
    selection:
        EventID: 8198
    condition: selection
---
title: SPP service started
id: 11111111-0000-4000-8000-000000016394
name: spp_started
level: informational
logsource:
    product: windows
    service: security-spp
detection:
    selection:
        EventID: 16394
    condition: selection
---
title: SPP trigger then OS version
id: 11111111-0000-4000-8000-000000000900
name: spp_trigger
logsource:
    product: windows
    service: application
detection:
    selection:
        Provider_Name: Microsoft-Windows-Security-SPP
        EventID: 900
    condition: selection
---
title: SPP OS version
id: 11111111-0000-4000-8000-000000000902
name: spp_version
logsource:
    product: windows
    service: security-spp
detection:
    selection:
        EventID: 902
    condition: selection
---
title: Repeated activation failures
id: 22222222-0000-4000-8000-000000000001
level: high
correlation:
    type: event_count
    rules: [spp_activation_failed]
    group-by: [Computer]
    timespan: 10s
    condition:
        gte: 2
    generate: true
---
title: SPP started but no activation attempt followed
id: 22222222-0000-4000-8000-000000000002
correlation:
    type: absent
    rules: [spp_started, spp_activation_failed]
    group-by: [Computer]
    timespan: 1m
---
title: Trigger followed by version report
id: 22222222-0000-4000-8000-000000000003
correlation:
    type: temporal_ordered
    rules: [spp_trigger, spp_version]
    group-by: [Computer]
    timespan: 5s
YAML
"$EVTRIAGE" rules lint "$TMP/spp.yml" >"$TMP/lint" 2>&1 && pass || fail "lint: $(cat "$TMP/lint")"
"$EVTRIAGE" hunt --format jsonl --rules "$TMP/spp.yml" "$APP" "$SYS" >"$TMP/a.jsonl" 2>"$TMP/err"
[ $? -eq 0 ] && pass || fail "hunt exit: $(cat "$TMP/err")"
python3 - "$TMP/a.jsonl" <<'PY' && pass || fail "hunt results (see above)"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
m = [r for r in rows if r["type"] == "match"]
c = [r for r in rows if r["type"] == "correlation"]
errs = []
fails = [r for r in m if r["rule_id"].endswith("8198")]
if len(fails) != 3: errs.append(f"want 3 activation failures, got {len(fails)}")
# Data[0] is "hr=0x...": normalized codes; Data[1] "...;Trigger=X": kv extraction
if sorted(r["extracted"].get("hr") for r in fails) != ["0x80072EE7", "0x80072EE7", "0x803F7001"]:
    errs.append(f"hr: {[r['extracted'] for r in fails]}")
if sorted(r["extracted"].get("trigger") for r in fails) != ["TimerEvent", "UserLogon", "UserLogon"]:
    errs.append(f"trigger: {[r['extracted'] for r in fails]}")
# generate: false -> the 16394/900/902 rules only feed correlations: not printed
if any(r["rule_id"].endswith(("16394", "0900", "0902")) for r in m): errs.append("non-generated rules printed")
by = {}
for r in c: by.setdefault(r["rule_id"][-1], []).append(r)
if len(by.get("1", [])) != 1 or by["1"][0]["count"] != 2: errs.append(f"event_count: {by.get('1')}")
ab = by.get("2", [])
if len(ab) != 1 or ab[0]["events"][0]["record_id"] != 55: errs.append(f"absent: {ab}")
if len(by.get("3", [])) != 1: errs.append(f"temporal_ordered: {by.get('3')}")
if c and c[0]["group"] != {"Computer": "FUKUSUKE16E9"}: errs.append(f"group: {c[0]['group']}")
for e in errs: print(e)
sys.exit(1 if errs else 0)
PY
# input order does not change correlation results
"$EVTRIAGE" hunt --format jsonl --rules "$TMP/spp.yml" "$SYS" "$APP" >"$TMP/b.jsonl" 2>/dev/null
cmp -s <(grep '"correlation"' "$TMP/a.jsonl") <(grep '"correlation"' "$TMP/b.jsonl") && pass || fail "correlation output depends on input order"
# the same output whatever the number of threads
"$EVTRIAGE" hunt -j 1 --format jsonl --rules "$TMP/spp.yml" "$APP" "$SYS" >"$TMP/j1" 2>/dev/null
"$EVTRIAGE" hunt -j 8 --format jsonl --rules "$TMP/spp.yml" "$APP" "$SYS" >"$TMP/j8" 2>/dev/null
cmp -s "$TMP/j1" "$TMP/j8" && cmp -s "$TMP/j1" "$TMP/a.jsonl" && pass || fail "output depends on -j"
# table and csv show the hits too
"$EVTRIAGE" hunt --rules "$TMP/spp.yml" "$APP" >"$TMP/t" 2>/dev/null
grep -q 'Repeated activation failures .*event_count x2' "$TMP/t" && pass || fail "table: $(cat "$TMP/t")"
"$EVTRIAGE" hunt --format csv --rules "$TMP/spp.yml" "$APP" >"$TMP/c" 2>/dev/null
[ "$(grep -c '^correlation,' "$TMP/c")" -eq 3 ] && pass || fail "csv: $(cat "$TMP/c")"
# --all-matches shows what the correlations consumed
"$EVTRIAGE" hunt --all-matches --format jsonl --rules "$TMP/spp.yml" "$APP" >"$TMP/all" 2>/dev/null
[ "$(grep -c '^{"type":"match","rule_id":"11111111-0000-4000-8000-000000016394"' "$TMP/all")" -eq 2 ] && pass || fail "--all-matches"
# a tiny correlation buffer spills every match to a temporary file: same hits, nothing lost
"$EVTRIAGE" hunt --max-buffer 1 -j 2 --format jsonl --rules "$TMP/spp.yml" "$APP" "$SYS" >"$TMP/spilled" 2>"$TMP/err"
cmp -s "$TMP/j1" "$TMP/spilled" && pass || fail "spilled correlation input changes the output"
! grep -q 'not correlated' "$TMP/err" && pass || fail "spill reported a loss: $(cat "$TMP/err")"
for bad in abc 0 10x; do   # used to read as 0 or 10 (strtoull): a buffer of nothing
  "$EVTRIAGE" hunt --max-buffer $bad --rules "$TMP/spp.yml" "$APP" >/dev/null 2>"$TMP/err"; rc=$?
  [ $rc -eq 2 ] && grep -q "max-buffer wants a positive number of matches, got '$bad'" "$TMP/err" && pass || fail "--max-buffer $bad: rc=$rc"
done
# where the temporary file cannot be made ($TMPDIR is honoured), the loss is said and the exit code shows it
TMPDIR="$TMP/missing" "$EVTRIAGE" hunt --max-buffer 1 --rules "$TMP/spp.yml" "$APP" >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 1 ] && grep -q 'could not be spilled to a temporary file' "$TMP/err" && pass || fail "lost spill: rc=$rc $(cat "$TMP/err")"
# damage inside a file is said as dump says it (one line naming the file), and exits 1
head -c 7000 "$SYS" >"$TMP/cut.evtx"
"$EVTRIAGE" dump "$TMP/cut.evtx" >/dev/null 2>"$TMP/dump.err"
"$EVTRIAGE" hunt --rules "$TMP/spp.yml" "$TMP/cut.evtx" >/dev/null 2>"$TMP/err"; rc=$?
[ $rc -eq 1 ] && grep -q 'cut.evtx: chunk 0: file ends inside the chunk' "$TMP/err" \
  && cmp -s <(grep -v '^evtriage: hunt:' "$TMP/err") "$TMP/dump.err" && pass || fail "damage in hunt: rc=$rc $(cat "$TMP/err")"
# The table is for a terminal, and event text is anyone's: control characters (ESC sequences,
# line breaks) in a title, a computer's name or a field are spaces, and cells are cut by the
# columns a terminal gives them (CJK two each), so every row keeps its columns.
cat >"$TMP/ctl.yaml" <<'YAML'
scenario: ctl
description: event text with control characters and wide characters
hosts:
  - computer: "HOST\e[31m01"
    folder: HOST01
    files:
      - channel: Application
        defaults: {provider: Evil-Provider, level: 4}
        events:
          - {time: 2025-11-17T08:00:41.3180551Z, event_id: 4242, event_data: ["line one\nline two \e]0;pwned\a"]}
  - computer: "日本語のとても長いコンピューターの名前"
    files:
      - channel: Application
        defaults: {provider: Evil-Provider, level: 4}
        events:
          - {time: 2025-11-17T08:00:42.3180551Z, event_id: 4242, event_data: ["line x"]}
YAML
cat >"$TMP/ctl.yml" <<'YAML'
title: "Evil \e[1mevent\nwith a title long enough to be cut in its cell"
id: 33333333-0000-4000-8000-000000004242
level: high
logsource: {product: windows, service: application}
detection:
  selection: {EventID: 4242, 'Data[0]|contains': line}
  condition: selection
YAML
"$EVTRIAGE" synth "$TMP/ctl.yaml" -o "$TMP/ctl" >/dev/null || fail "synth ctl.yaml"
"$EVTRIAGE" hunt --rules "$TMP/ctl.yml" "$TMP/ctl" >"$TMP/table.txt" 2>/dev/null
/usr/bin/python3 - "$TMP/table.txt" <<'PY' && pass || fail "hunt table: control characters or columns: $(cat -v "$TMP/table.txt")"
import sys, unicodedata
text = open(sys.argv[1], encoding="utf-8").read()
assert not any(ord(c) < 32 and c != "\n" or ord(c) == 127 for c in text), "a control character passed"
lines = text.splitlines()
assert len(lines) == 3, lines
col = lambda l, sub: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l[:l.index(sub)])
want = col(lines[0], "FILE#RECORD")
assert all(col(l, "Application.evtx#1") == want for l in lines[1:]), lines
assert all("~" in l for l in lines[1:]), "long cells not cut"
PY
# --from/--to: events outside the window are matched by nothing, correlations count only the
# events inside, and an `absent` wait that runs past the window's end is not claimed
"$EVTRIAGE" hunt --from 2022-06-09T00:00:00Z --format jsonl --rules "$TMP/spp.yml" "$APP" "$SYS" >"$TMP/w1" 2>"$TMP/w1.err"; rc=$?
"$EVTRIAGE" hunt --to 2022-06-10T05:56:30Z --format jsonl --rules "$TMP/spp.yml" "$APP" "$SYS" >"$TMP/w2" 2>"$TMP/w2.err"; rc2=$?
"$EVTRIAGE" hunt --from 2022-06-10T07:56:00+02:00 --format jsonl --rules "$TMP/spp.yml" "$APP" "$SYS" >"$TMP/w3" 2>/dev/null
"$EVTRIAGE" hunt --from 2022-06-10T05:56:00Z --format jsonl --rules "$TMP/spp.yml" "$APP" "$SYS" >"$TMP/w4" 2>/dev/null
[ $rc -eq 0 ] && [ $rc2 -eq 0 ] && pass || fail "window runs: rc=$rc/$rc2 $(cat "$TMP/w1.err" "$TMP/w2.err")"
python3 - "$TMP/w1" "$TMP/w2" <<'PY' && pass || fail "hunt --from/--to results (see above)"
import json, sys
def load(p):
    rows = [json.loads(l) for l in open(p, encoding="utf-8")]
    m = [r for r in rows if r["type"] == "match"]
    c = {}
    for r in rows:
        if r["type"] == "correlation": c.setdefault(r["rule_id"][-1], []).append(r)
    return m, c
errs = []
m, c = load(sys.argv[1])           # from 2022-06-09: the two failures of the 10th
if sorted(r["record_id"] for r in m) != [114, 117]: errs.append(f"--from matches: {[r['record_id'] for r in m]}")
if any(r["time"] < "2022-06-09T00:00:00" for r in m): errs.append("--from: a match before the window")
if [h["count"] for h in c.get("1", [])] != [2]: errs.append(f"--from event_count: {c.get('1')}")
if "2" in c: errs.append(f"--from: absent hit from before the window: {c['2']}")
if len(c.get("3", [])) != 1: errs.append(f"--from temporal_ordered: {c.get('3')}")
m, c = load(sys.argv[2])           # to 05:56:30 on the 10th: the failures at :31 are out
if [r["record_id"] for r in m] != [51]: errs.append(f"--to matches: {[r['record_id'] for r in m]}")
if "1" in c: errs.append(f"--to: event_count counted events after the window: {c['1']}")
# record 107 (started at 05:56:28) is answered at :31, outside: its wait runs past the window, no hit
ab = c.get("2", [])
if [h["events"][0]["record_id"] for h in ab] != [55]: errs.append(f"--to absent: {ab}")
for e in errs: print(e)
sys.exit(1 if errs else 0)
PY
grep -q 'hunt: 7 rule(s), 846 event(s), [0-9]* outside --from/--to in 2 file(s): 2 match(es)' "$TMP/w1.err" \
  && ! grep -q outside "$TMP/err" && pass || fail "window summary: $(cat "$TMP/w1.err")"
cmp -s "$TMP/w3" "$TMP/w4" && [ "$(grep -c '"type":"match"' "$TMP/w3")" -eq 2 ] && pass || fail "--from with an offset"
# --from and an `absent` with skew: the answer may come up to skew before the request, so a
# request within skew of the window's start may have been answered before it, outside: no hit
# (as at the window's end), while the same request well inside the window is still judged
cat >"$TMP/skew.yaml" <<'YAML'
scenario: skew
hosts:
  - computer: H1
    files:
      - channel: Application
        defaults: {provider: P}
        events:
          - {time: 2025-01-01T10:00:25Z, event_id: 2}
          - {time: 2025-01-01T10:00:30Z, event_id: 1}
          - {time: 2025-01-01T10:05:00Z, event_id: 1}
          - {time: 2025-01-01T10:10:00Z, event_id: 3}
YAML
cat >"$TMP/skew.yml" <<'YAML'
title: request
name: req
logsource: {product: windows}
detection: {sel: {EventID: 1}, condition: sel}
---
title: answer
name: ans
logsource: {product: windows}
detection: {sel: {EventID: 2}, condition: sel}
---
title: request without answer
id: 33333333-0000-4000-8000-000000000001
correlation: {type: absent, rules: [req, ans], group-by: [Computer], timespan: 1m, skew: 10s}
YAML
"$EVTRIAGE" synth -q "$TMP/skew.yaml" -o "$TMP/skew" || fail "synth skew"
absent_ids() { "$EVTRIAGE" hunt -q --format jsonl "$@" --rules "$TMP/skew.yml" "$TMP/skew" 2>/dev/null \
  | python3 -c 'import json,sys; print(" ".join(str(r["events"][0]["record_id"]) for r in map(json.loads, sys.stdin) if r["type"] == "correlation"))'; }
[ "$(absent_ids)" = 3 ] && [ "$(absent_ids --from 2025-01-01T10:00:28Z)" = 3 ] && [ "$(absent_ids --from 2025-01-01T10:04:00Z)" = 3 ] \
  && pass || fail "absent with skew and --from: '$(absent_ids)' / '$(absent_ids --from 2025-01-01T10:00:28Z)' / '$(absent_ids --from 2025-01-01T10:04:00Z)'"
"$EVTRIAGE" hunt --from 2022-06-10 --to yesterday --rules "$TMP/spp.yml" "$APP" >"$TMP/o" 2>"$TMP/e"; rc=$?
[ $rc -eq 2 ] && [ ! -s "$TMP/o" ] && grep -q "hunt: bad --to time 'yesterday'" "$TMP/e" && pass || fail "bad --to: rc=$rc $(cat "$TMP/e")"
"$EVTRIAGE" hunt --from 2022-06-11T00:00:00Z --to 2022-06-10T00:00:00Z --rules "$TMP/spp.yml" "$APP" >"$TMP/o" 2>"$TMP/e"; rc=$?
[ $rc -eq 2 ] && [ ! -s "$TMP/o" ] && grep -q "hunt: --from is after --to" "$TMP/e" && pass || fail "--from after --to: rc=$rc $(cat "$TMP/e")"
finish
