# csv_hostile.sh: CSV for spreadsheets and terminals. Every CSV evtriage writes (dump --format
# csv, hunt --format csv, analyze --timeline F.csv) neutralises a cell that a spreadsheet would
# read as a formula (= + - @ TAB CR first: a ' in front, the cell quoted; OWASP), and CSV
# printed to a terminal carries no control character (ESC[2J, OSC 8, OSC 52 from event data
# used to reach it raw). Inputs: ../shared/security/2026-12/inject/scen2.yaml (defect 3) and
# escape sequences in event data (defect 12).
. "$(dirname "$0")/lib.bash"
command -v script >/dev/null || { echo "FAIL: script(1) missing (bsdutils)"; exit 1; }
SEC="$EVTRIAGE_SHARED/security/2026-12"
"$EVTRIAGE" synth -q "$SEC/inject/scen2.yaml" -o "$TMP/out2" 2>"$TMP/err" || { fail "synth scen2: $(cat "$TMP/err")"; finish; exit 1; }
cat >"$TMP/r.yml" <<'YAML'
title: Application event 1000
id: 11111111-0000-4000-8000-000000001000
level: high
logsource: {product: windows}
detection:
    selection: {EventID: 1000}
    condition: selection
---
title: Two of them
id: 22222222-0000-4000-8000-000000001000
level: high
correlation: {type: event_count, rules: [11111111-0000-4000-8000-000000001000], group-by: [Computer], timespan: 1h, condition: {gte: 1}}
YAML
# the inputs under a folder whose name is a formula with a comma in it: the file cells too
mkdir -p "$TMP/=in,put" && cp -r "$TMP/out2/csv"* "$TMP/=in,put/"
cd "$TMP" || exit 1
"$EVTRIAGE" dump --format csv "=in,put" >dump.csv 2>err; rc=$?
[ $rc -eq 0 ] && pass || fail "dump: exit $rc: $(cat err)"
"$EVTRIAGE" dump --format csv --fields computer,Msg,provider "=in,put" >fields.csv 2>/dev/null
"$EVTRIAGE" hunt --format csv --all-matches --rules r.yml "=in,put" >hunt.csv 2>err; rc=$?
[ $rc -eq 0 ] && pass || fail "hunt: exit $rc: $(cat err)"
"$EVTRIAGE" analyze -q --all --timeline t.csv "=in,put" >/dev/null 2>err
[ -s t.csv ] && pass || fail "analyze --timeline: nothing written: $(cat err)"
python3 - dump.csv fields.csv hunt.csv t.csv <<'PY' && pass || fail "CSV cells (see above)"
import csv, sys, re
values = ["=cmd|' /C calc'!A0", "+SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
          "@SUM(1+1)*cmd|' /C calc'!A0", "=HYPERLINK(\"http://evil.example/\",\"click\")"]
bad = 0
def check(path, want_cols, cells_from_logs, one_line):
    global bad
    rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
    assert rows, path
    head, body = rows[0], rows[1:]
    assert len(body) >= 7, (path, len(body))
    seen = set()
    for row in body:
        if len(row) != len(head):
            print(path, "row of", len(row), "cells, header", len(head), row); bad += 1; continue
        for name, cell in zip(head, row):
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                print(path, name, "starts with a formula character:", repr(cell)); bad += 1
            if cell.startswith("'"):
                seen.add(cell[1:])
    for v in values:
        if v not in seen:
            print(path, "no neutralised cell holds", repr(v)); bad += 1
    # tab and CR first: quoted with a ' (a file keeps the value; the timeline is one line)
    tab = " =1+1" if one_line else "\t=1+1"
    if tab not in seen:
        print(path, "no neutralised cell holds", repr(tab)); bad += 1
    if head[:len(want_cols)] != want_cols:
        print(path, "header", head); bad += 1
    return body, head
check(sys.argv[1], ["file", "record_id"], None, False)
body, head = check(sys.argv[2], ["computer", "Msg", "provider"], None, False)
check(sys.argv[3], ["type", "rule_id"], None, False)
hunt = list(csv.reader(open(sys.argv[3], newline="", encoding="utf-8")))
hits = [r for r in hunt if r[0] == "correlation"]
if len([r for r in hunt if r[0] == "match"]) < 7:
    print("hunt: no match rows"); bad += 1
if len(hits) < 7 or any(not r[8].startswith("'=in,put/") for r in hits):
    print("correlation rows: the file cell", [r[8] for r in hits]); bad += 1
body, head = check(sys.argv[4], ["datetime", "timestamp_desc", "message", "host"], None, True)
# what Timesketch reads: datetime, timestamp_desc and message where it wants them, datetime ISO 8601
for r in body:
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", r[0]) or r[1] != "Event Recorded" or not r[2]:
        print("timeline row", r); bad += 1
sys.exit(1 if bad else 0)
PY
# the same value from the log, exactly: the cell is the value with its first ' taken off
python3 - fields.csv <<'PY' && pass || fail "the value is not the cell without its first '"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))[1:]
got = {r[0][1:] if r[0].startswith("'") else r[0] for r in rows}
for v in ["=cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "=HYPERLINK(\"http://evil.example/\",\"click\")"]:
    assert v in got, (v, got)
PY
# control characters: kept in a file (nothing lost), never printed to a terminal
cat >"$TMP/esc.yaml" <<'YAML'
scenario: esc
hosts:
  - computer: "H\e[2J1"
    folder: H1
    files:
      - channel: Application
        events:
          - {time: 2025-11-18T09:00:00Z, event_id: 1000, provider: "P\e]8;;http://evil.example/\e\\link\e]8;;\e\\", event_data: {Msg: "clip \e]52;c;ZXZpbA==\a end", C1: "\u009b31mred"}}
YAML
"$EVTRIAGE" synth -q esc.yaml -o esc 2>err || fail "synth esc.yaml: $(cat err)"
"$EVTRIAGE" dump --format csv --fields computer,provider,Msg esc >esc.csv 2>/dev/null
grep -q $'H\e\\[2J1' esc.csv && grep -q $'clip \e]52;c;ZXZpbA==\a end' esc.csv && pass || fail "a CSV file lost the value as recorded"
for cmd in "dump --format csv esc" "dump --format csv --fields computer,provider,Msg,C1 esc" "hunt --format csv --all-matches --rules r.yml esc"; do
  script -qfec "$EVTRIAGE $cmd" tty.txt >/dev/null 2>&1
  grep -q 'H \[2J1' tty.txt && pass || fail "$cmd: no row on the terminal: $(cat -A tty.txt | head -5)"
  ! grep -qaP '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]' tty.txt && pass \
    || fail "$cmd: control characters reached the terminal: $(grep -aP '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]' tty.txt | cat -A | head -3)"
done
cd / && finish
