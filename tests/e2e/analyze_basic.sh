# analyze_basic.sh: analyze with Sigma rules over real logs: the report does not depend on input
# order or thread count; unreadable inputs become gaps and exit 1; --fail-on; every output file.
. "$(dirname "$0")/lib.bash"
export SOURCE_DATE_EPOCH=1700000000
SR="$CORPUS/sigma-regression"
a="$SR/0b9ad457-2554-44c1-82c2-d56a99c42377"; b="$SR/d059842b-6b9d-4ed1-b5c3-5b89143c6ede"; c="$SR/ad691d92-15f2-4181-9aa4-723c74f9ddc3"
rules=(--rules "$a/rule.yml" --rules "$b/rule.yml" --rules "$c/rule.yml")
"$EVTRIAGE" analyze -q -j 1 "${rules[@]}" --json "$TMP/1.json" "$a/events.evtx" "$b/events.evtx" "$c/events.evtx"; rc=$?
[ $rc -eq 0 ] && pass || fail "analyze: exit $rc"
"$EVTRIAGE" analyze -q -j 3 "${rules[@]}" --json "$TMP/2.json" "$c/events.evtx" "$a/events.evtx" "$b/events.evtx"
cmp -s "$TMP/1.json" "$TMP/2.json" && pass || fail "report differs with other input order / thread count"
python3 - "$TMP/1.json" <<'PY' && pass || fail "report content"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["schema"] == "evtriage-report/1"
assert len(r["inputs"]) == 3 and all(len(i["sha256"]) == 64 for i in r["inputs"])
assert len(r["findings"]) == 3, len(r["findings"])
for f in r["findings"]:
    assert f["evidence"], f
    for e in f["evidence"]:
        assert e["timestamp"].endswith("Z") and len(e["timestamp"]) == 28
sev = ["info", "low", "medium", "high", "critical"]
ranks = [sev.index(f["severity"]) for f in r["findings"]]
assert ranks == sorted(ranks, reverse=True), ranks
PY
# Every input's SHA-256 is the file's (multi-range files are hashed as their ranges finish on
# different threads), zip members included.
mkdir -p "$TMP/h" && cp "$CORPUS"/machine-logs/*.evtx "$TMP/h/" && (cd "$TMP/h" && zip -q ../h.zip ./*.evtx)
"$EVTRIAGE" analyze -q -j 3 --json "$TMP/h.json" "$TMP/h" "$TMP/h.zip" 2>/dev/null
python3 - "$TMP/h.json" "$TMP/h" <<'PY' && pass || fail "sha256 of the inputs"
import hashlib, json, os, sys
r, d = json.load(open(sys.argv[1])), sys.argv[2]
want = {n: hashlib.sha256(open(os.path.join(d, n), "rb").read()).hexdigest() for n in os.listdir(d)}
assert any(os.path.getsize(os.path.join(d, n)) > 4096 + 8 * 65536 for n in want), "no multi-range file"
got = {}
for i in r["inputs"]:
    got.setdefault(i["path"].replace("!", "/").rsplit("/", 1)[-1], set()).add(i["sha256"])
assert set(got) == set(want), (set(got) ^ set(want))
for n, h in want.items():
    assert got[n] == {h}, (n, got[n], h)
PY
# --hash none: the same findings, no input hashed, and every report says so.
"$EVTRIAGE" analyze -q -j 3 --hash none --json "$TMP/nh.json" --report-md "$TMP/nh.md" --report-html "$TMP/nh.html" \
  "$TMP/h" "$TMP/h.zip" 2>/dev/null
python3 - "$TMP/nh.json" "$TMP/h.json" <<'PY' && pass || fail "--hash none in the JSON report"
import json, sys
n, h = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert n["tool"]["input_hash"] is None and h["tool"]["input_hash"] == "sha256", (n["tool"], h["tool"])
assert n["inputs"] and all(i["sha256"] is None for i in n["inputs"])
assert [i["path"] for i in n["inputs"]] == [i["path"] for i in h["inputs"]]
assert [f["rule_name"] for f in n["findings"]] == [f["rule_name"] for f in h["findings"]]
PY
grep -q "Not hashed" "$TMP/nh.md" && grep -q "Not hashed" "$TMP/nh.html" && ! grep -q "Not hashed" "$TMP/r.md" 2>/dev/null \
  && pass || fail "--hash none not said in the Markdown and HTML reports"
"$EVTRIAGE" analyze --hash none "$TMP/h" 2>/dev/null | grep -A1 "INPUTS" | grep -q "not hashed" && pass || fail "--hash none not said on the terminal"
"$EVTRIAGE" analyze -q --hash md5 "$TMP/h" 2>"$TMP/err"; [ $? -eq 2 ] && grep -q "unknown --hash 'md5'" "$TMP/err" && pass || fail "--hash md5: want 2"
# libcrypto is loaded when the first file is hashed; where it cannot be, no hash is silently
# left out: each input says why (stderr and its problems), and the exit code is 1.
EVTRIAGE_LIBCRYPTO=/nonexistent/libcrypto.so "$EVTRIAGE" analyze -q -j 2 --json "$TMP/nc.json" "$TMP/h" "$TMP/h.zip" \
  2>"$TMP/err"; rc=$?
python3 - "$TMP/nc.json" "$TMP/err" "$rc" "$TMP/h.json" <<'PY' && pass || fail "libcrypto missing: every input must say it is not hashed"
import json, sys
r, err, rc, h = json.load(open(sys.argv[1])), open(sys.argv[2]).read(), int(sys.argv[3]), json.load(open(sys.argv[4]))
assert rc == 1, rc
assert [i["path"] for i in r["inputs"]] == [i["path"] for i in h["inputs"]]
for i in r["inputs"]:
    assert i["sha256"] is None, i
    assert any(p.startswith("SHA-256 not computed: libcrypto could not be loaded") for p in i["problems"]), i
    assert i["path"] + ": SHA-256 not computed: libcrypto could not be loaded (/nonexistent/libcrypto.so" in err, i["path"]
assert [a["path"] for a in r["archives"]] == [sys.argv[1].rsplit("/", 1)[0] + "/h.zip"], r["archives"]
for a in r["archives"]:
    assert a["sha256"] is None, a
    assert a["path"] + ": SHA-256 of the archive not computed: libcrypto could not be loaded" in err, a["path"]
assert [f["rule_name"] for f in r["findings"]] == [f["rule_name"] for f in h["findings"]]
PY
"$EVTRIAGE" analyze -q --hash none --json /dev/null "$TMP/h" 2>"$TMP/err" && [ ! -s "$TMP/err" ] \
  && EVTRIAGE_LIBCRYPTO=/nonexistent/libcrypto.so "$EVTRIAGE" analyze -q --hash none --json /dev/null "$TMP/h" \
  && pass || fail "--hash none must not need libcrypto"
# An unreadable input is a gap and exit 1; the rest is still analyzed.
echo junk >"$TMP/bad.evtx"
"$EVTRIAGE" analyze -q "${rules[@]}" --json "$TMP/3.json" "$a/events.evtx" "$TMP/bad.evtx" 2>"$TMP/err"; rc=$?
[ $rc -eq 1 ] && grep -q "bad.evtx: not an EVTX file" "$TMP/err" && pass || fail "bad input: exit $rc"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert any(g["kind"]=="unreadable" for g in r["gaps"]); assert r["findings"]' "$TMP/3.json" && pass || fail "gap for the unreadable input"
# A file cut inside a chunk is read up to the cut, says so, and exits 1 (as dump does).
head -c 7000 "$a/events.evtx" >"$TMP/cut.evtx"
"$EVTRIAGE" analyze -q "${rules[@]}" --json "$TMP/cut.json" "$TMP/cut.evtx" 2>"$TMP/err"; rc=$?
[ $rc -eq 1 ] && grep -q "cut.evtx: chunk 0: file ends inside the chunk" "$TMP/err" && pass || fail "truncated chunk: exit $rc, $(cat "$TMP/err")"
# Inputs that hold the same records (a copy; a log and an edited copy of it) are named in a
# duplicate-records gap, with the ids the copies share; a file alone has none, and neither have
# two different logs of one host whose ids and times overlap (two sample cases' HV01 System:
# the same ids 1-6 on the same day, other records).
mkdir -p "$TMP/dup" && cp "$CORPUS/machine-logs/Application.evtx" "$TMP/dup/a.evtx" && cp "$TMP/dup/a.evtx" "$TMP/dup/b.evtx"
"$EVTRIAGE" analyze -q -j 2 --json "$TMP/dup.json" "$TMP/dup" "$CORPUS/damaged/security.evtx" \
  "$CORPUS/damaged/security_bad_string_cache.evtx" 2>/dev/null
"$EVTRIAGE" analyze -q -j 2 --json "$TMP/solo.json" "$TMP/dup/a.evtx" "$CORPUS/damaged/security.evtx" \
  "$EVTRIAGE_SOURCE/samples/hyperv-migration-spn/HV01/System.evtx" \
  "$EVTRIAGE_SOURCE/samples/hyperv-replica-cross-domain/HV01/System.evtx" 2>/dev/null
python3 - "$TMP/dup.json" "$TMP/solo.json" "$TMP/dup" "$CORPUS/damaged" <<'PY' && pass || fail "duplicate-records gaps"
import json, re, sys
r, solo, d, dm = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3], sys.argv[4]
g = [x["message"] for x in r["gaps"] if x["kind"] == "duplicate-records"]
app = [m for m in g if "of Application on FUKUSUKE16E9" in m]
assert len(app) == 1 and d + "/a.evtx, " + d + "/b.evtx; " in app[0] and "identical files" in app[0], g
want = "records 43-2261 of Security on WIN-03DLIIOFRRA are in 2 inputs (%s/security.evtx, %s/security_bad_string_cache.evtx; " % (dm, dm)
sec = [m for m in g if m.startswith(want)]
assert len(sec) == 1 and "identical" not in sec[0] and "exported twice" in sec[0], g
assert not [x for x in solo["gaps"] if x["kind"] == "duplicate-records"], solo["gaps"]
# the findings built on the copied records say so; alone, none does
copies = re.compile(r"counted once: (some|\d+) of its records were also read from another input")
act = [f for f in r["findings"] if "FUKUSUKE16E9" in f["title"]]
assert act and all(any(copies.match(n) for n in f["notes"]) for f in act), [(f["title"], f["notes"]) for f in act]
assert solo["findings"] and not [f for f in solo["findings"] if any(copies.match(n) for n in f["notes"])]
PY
# One path reached twice (a folder and a file in it) is read once, and stderr says so; a copy
# under another name is a second input.
"$EVTRIAGE" analyze -q --json "$TMP/twice.json" "$TMP/dup" "$TMP/dup/a.evtx" 2>"$TMP/twice.err"; rc=$?
[ $rc -eq 0 ] && grep -q "dup/a.evtx: skipped: already read" "$TMP/twice.err" \
  && python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert [i["path"].rsplit("/",1)[1] for i in r["inputs"]] == ["a.evtx", "b.evtx"], r["inputs"]' "$TMP/twice.json" \
  && pass || fail "a path given twice (exit $rc)"
# A copied record counts once, listed under the first input by name: the copies' findings are
# the file's own (counts, messages, evidence); --keep-copies counts each copy again.
"$EVTRIAGE" analyze -q -j 2 --json "$TMP/dup-a.json" "$TMP/dup/a.evtx" 2>/dev/null
"$EVTRIAGE" analyze -q -j 2 --keep-copies --json "$TMP/dup-keep.json" "$TMP/dup" 2>/dev/null
"$EVTRIAGE" analyze -q -j 1 --json "$TMP/dup-ba.json" "$TMP/dup/b.evtx" "$TMP/dup/a.evtx" 2>/dev/null
python3 - "$TMP/dup.json" "$TMP/dup-a.json" "$TMP/dup-keep.json" "$TMP/dup-ba.json" <<'PY' && pass || fail "copies counted once"
import json, sys
dup, one, keep, ba = (json.load(open(p)) for p in sys.argv[1:5])
def of(r): return {f["title"]: f for f in r["findings"] if "FUKUSUKE16E9" in f["title"]}
d, o, k, b = of(dup), of(one), of(keep), of(ba)
assert o and set(d) == set(o), (sorted(d), sorted(o))
for t in o:
    assert d[t]["evidence_total"] == o[t]["evidence_total"] and d[t]["message"] == o[t]["message"], t
    assert [e["record_id"] for e in d[t]["evidence"]] == [e["record_id"] for e in o[t]["evidence"]], t
    assert all(e["file"].endswith("/a.evtx") for e in d[t]["evidence"] + b[t]["evidence"]), t
    assert b[t]["evidence_total"] == o[t]["evidence_total"], t
assert sum(f["copies"] for f in d.values()) > 0 and all(f["copies"] == 0 for f in o.values())
assert dup["tool"]["copies"] == "once" and dup["tool"]["copies_passed_over"] > 0, dup["tool"]
said = [g["message"] for g in dup["gaps"] if g["kind"] == "duplicate-records" and "of the timeline were read more" in g["message"]]
assert said and said[0].startswith("%d record(s)" % dup["tool"]["copies_passed_over"]), said
assert not [g for g in one["gaps"] + keep["gaps"] if "of the timeline were read more" in g["message"]]
assert one["tool"]["copies_passed_over"] == 0 and keep["tool"]["copies"] == "each"
assert keep["timeline_summary"]["entries"] == 2 * one["timeline_summary"]["entries"], (keep["timeline_summary"], one["timeline_summary"])
# with --keep-copies each copy counts: twice the records, and the old caveat
kk = {t: f for t, f in of(keep).items()}
doubled = [t for t in o if t in kk and kk[t]["evidence_total"] == 2 * o[t]["evidence_total"]]
assert doubled, [(t, o[t]["evidence_total"], kk.get(t, {}).get("evidence_total")) for t in o]
assert all(any(n.startswith("counts include copies") for n in f["notes"]) for f in kk.values())
PY
# Beyond the 200 records a finding keeps, copies still count once: every record of a copied
# Security log (thousands, nearly all counted past the kept ones) gives one copy's count.
cat >"$TMP/every.yml" <<'YML'
title: any record
id: 00000000-0000-4000-8000-0000000000a1
logsource:
    product: windows
detection:
    sel:
        EventID|gte: 0
    condition: sel
level: low
YML
mkdir -p "$TMP/dup2" && cp "$CORPUS/damaged/security.evtx" "$TMP/dup2/a.evtx" && cp "$TMP/dup2/a.evtx" "$TMP/dup2/b.evtx"
"$EVTRIAGE" analyze -q -j 2 --rules "$TMP/every.yml" --json "$TMP/every-1.json" "$TMP/dup2/a.evtx" 2>/dev/null
"$EVTRIAGE" analyze -q -j 2 --rules "$TMP/every.yml" --json "$TMP/every-2.json" "$TMP/dup2" 2>/dev/null
"$EVTRIAGE" analyze -q -j 2 --keep-copies --rules "$TMP/every.yml" --json "$TMP/every-k.json" "$TMP/dup2" 2>/dev/null
"$EVTRIAGE" analyze -q -j 1 --rules "$TMP/every.yml" --json "$TMP/every-ba.json" "$TMP/dup2/b.evtx" "$TMP/dup2/a.evtx" 2>/dev/null
python3 - "$TMP/every-1.json" "$TMP/every-2.json" "$TMP/every-k.json" "$TMP/every-ba.json" <<'PY' && pass || fail "copies beyond the kept records"
import json, sys
one, two, keep, ba = (json.load(open(p))["findings"] for p in sys.argv[1:5])
one, two, keep = ([f["evidence_total"] for f in r] for r in (one, two, keep))
assert max(one) > 1000 and two == one and keep == [2 * n for n in one], (one, two, keep)
capped = [[g["message"] for g in json.load(open(p))["gaps"] if g["kind"] == "evidence-capped"] for p in sys.argv[1:3]]
assert capped[0] and capped[0] == capped[1], capped   # records not kept: the copies are not among them
# the paths given the other way round: the same findings, the same evidence (under a.evtx)
f2 = json.load(open(sys.argv[2]))["findings"]
assert ba == f2, "order of the paths changed the findings"
assert all(e["file"].endswith("/a.evtx") for f in ba for e in f["evidence"])
PY
# A timeline past the in-memory bound (4 copies of a 5,009-record log, --all): copies dropped
# from spilled runs; every copy with --keep-copies; and when no temporary file can be had,
# the entries lost are said (warning, timeline-incomplete gap, exit 1), not dropped silently.
mkdir -p "$TMP/four" && for i in 1 2 3 4; do cp "$CORPUS/parsers/plaso/System.evtx" "$TMP/four/$i.evtx"; done
"$EVTRIAGE" analyze -q --all --json "$TMP/four.json" --timeline "$TMP/four.csv" "$TMP/four"; rc1=$?
"$EVTRIAGE" analyze -q --all --keep-copies --json "$TMP/four-k.json" "$TMP/four"; rc2=$?
TMPDIR=/nonexistent "$EVTRIAGE" analyze -q --all --json "$TMP/four-t.json" "$TMP/four" 2>"$TMP/four.err"; rc3=$?
python3 - "$TMP/four.json" "$TMP/four-k.json" "$TMP/four-t.json" "$TMP/four.csv" <<'PY' && [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ $rc3 -eq 1 ] \
  && grep -q "timeline entries were lost" "$TMP/four.err" && pass || fail "spilled timeline: copies, loss (exit $rc1 $rc2 $rc3)"
import json, sys
one, keep, lost = (json.load(open(p))["timeline_summary"] for p in sys.argv[1:4])
assert one["entries"] == 5009 and one["dropped"] == 0, one
assert keep["entries"] == 4 * 5009 and keep["dropped"] == 0, keep
assert lost["dropped"] == 1, lost
rows = open(sys.argv[4]).read().splitlines()[1:]
assert len(rows) == 5009 and all("/1.evtx" in r for r in rows), len(rows)
PY
# Past the identities held in memory (65,536) with no temporary file to spill them to, copies
# cannot be told apart: each is counted, and the report and stderr say so.
mkdir -p "$TMP/many" && for i in $(seq -w 1 14); do ln "$TMP/four/1.evtx" "$TMP/many/$i.evtx"; done
TMPDIR=/nonexistent "$EVTRIAGE" analyze -q --rules "$TMP/every.yml" --json "$TMP/many.json" "$TMP/many" 2>"$TMP/many.err"
python3 - "$TMP/many.json" <<'PY' && grep -q "could not be told apart" "$TMP/many.err" && pass || fail "copies uncounted without a temporary file"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["tool"]["copies"] == "each", r["tool"]
assert sum(f["evidence_total"] for f in r["findings"]) == 14 * 5009, [f["evidence_total"] for f in r["findings"]]
assert all(any(n.startswith("counts include copies") for n in f["notes"]) for f in r["findings"])
PY
# Kept evidence is bounded in bytes too: facts of every record of 14 copies (70,126 matches of
# System records with all their values) stop being kept well before the 40,000-record bound.
sed -e 's/^title: .*/title: every record, a fact/' -e 's/0000000000a1$/0000000000c1/' -e 's/^level: low$/fact: true/' \
  "$TMP/every.yml" >"$TMP/fact.yml"
"$EVTRIAGE" analyze -q --keep-copies --rules "$TMP/fact.yml" --json "$TMP/fact.json" "$TMP/many" 2>/dev/null
python3 - "$TMP/fact.json" <<'PY' && pass || fail "kept evidence bounded in bytes"
import json, re, sys
g = [x["message"] for x in json.load(open(sys.argv[1]))["gaps"] if x["kind"] == "evidence-capped"]
m = re.search(r"(\d+) matched record\(s\) were counted but not kept \(at most 200 per finding and (\d+) in all\)", g[0] if g else "")
assert m, g
assert int(m.group(1)) + int(m.group(2)) == 14 * 5009 and 5000 < int(m.group(2)) < 40000, m.groups()
PY
# --fail-on, and every output format.
"$EVTRIAGE" analyze -q "${rules[@]}" --fail-on medium "$a/events.evtx"; [ $? -eq 3 ] && pass || fail "--fail-on medium: want 3"
"$EVTRIAGE" analyze "${rules[@]}" --report-md "$TMP/r.md" --report-html "$TMP/r.html" --timeline "$TMP/t.csv" \
  --tz Europe/Berlin "$a/events.evtx" >"$TMP/term.txt"
grep -q "^# " "$TMP/r.md" && grep -q 'class="finding"' "$TMP/r.html" && head -1 "$TMP/t.csv" | grep -q '^datetime,timestamp_desc,message' && pass || fail "output files"
grep -q "CET\|CEST" "$TMP/term.txt" && pass || fail "--tz not applied to the terminal report"
! grep -q $'\e\[' "$TMP/term.txt" && pass || fail "colour codes written to a non-terminal"
# No rule fired: the report says what was looked at.
"$EVTRIAGE" analyze -q --rules "$a/rule.yml" --json "$TMP/4.json" "$CORPUS/parsers/plaso/System.evtx"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); g=[x for x in r["gaps"] if x["kind"]=="no-findings"]; assert g and "5009 event" in g[0]["message"], r["gaps"]' "$TMP/4.json" && pass || fail "no-findings gap"
"$EVTRIAGE" analyze --bogus x >/dev/null 2>&1; [ $? -eq 2 ] && pass || fail "bad option: want 2"
# Commands are filled from the events, and event text is anyone's: a value goes into a command
# only as one literal of its shell (in '...' its quotes doubled, PowerShell's escape; bare, quoted
# whole when not plain); in a prose code span only a plain value goes in, else <name> and a note
# says which; in prose a backtick in a value cannot open a Markdown code span.
mkdir -p "$TMP/inj"
cat >"$TMP/inj/scenario.yaml" <<'YAML'
scenario: inj
description: values that a shell would read, in the fields a remediation fills in
hosts:
  - computer: HV01.contoso.com
    files:
      - channel: Microsoft-Windows-Hyper-V-VMMS-Admin
        defaults: {provider: Microsoft-Windows-Hyper-V-VMMS, level: 2}
        events:
          - time: 2025-11-18T09:12:40.1177350Z
            event_id: 32000
            user_data: {VmlEventLog: {VmName: "Bob's VM", ServerName: "hvr01$(iwr evil)", Note: "`<img src=x onerror=alert(1)>``"}}
YAML
cat >"$TMP/inj/rule.yml" <<'YAML'
title: Test enable failed
id: 44444444-0000-4000-8000-000000032000
name: test-enable-failed
level: high
logsource: {product: windows, service: hyper-v-vmms}
extract:
    vm: {field: VmName}
    replica: {field: ServerName}
    note: {field: Note}
detection:
    selection: {EventID: 32000}
    condition: selection
rca:
    title: "Replication of {vm} failed ({note})"
    cause: "The note says {note}"
    remediation:
        - text: "Run it on {Computer}"
          run: "Enable-VMReplication -VMName '{vm}' -ReplicaServerName {replica}"
        - "The replica `{replica}` and the VM `{vm}`"
YAML
"$EVTRIAGE" synth "$TMP/inj/scenario.yaml" -o "$TMP/inj/logs" >/dev/null || fail "synth inj"
"$EVTRIAGE" analyze --rules "$TMP/inj/rule.yml" --json "$TMP/inj/r.json" --report-md "$TMP/inj/r.md" "$TMP/inj/logs" >/dev/null 2>&1
/usr/bin/python3 - "$TMP/inj/r.json" <<'PY' && pass || fail "unsafe values in commands: $(cat "$TMP/inj/r.json" | head -c 2000)"
import json, sys
f = [f for f in json.load(open(sys.argv[1]))["findings"] if f["rule"] == "44444444-0000-4000-8000-000000032000"][0]
step = f["remediation"][0]
assert step["runnable"] and step["commands"] == ["Enable-VMReplication -VMName 'Bob''s VM' -ReplicaServerName 'hvr01$(iwr evil)'"], step
text = f["remediation"][1]
assert text["text"] == "The replica `<replica>` and the VM `<vm>`" and not text["commands"], text
assert any("not put into a command" in n and "replica" in n for n in f["notes"]), f["notes"]
assert "`" not in f["title"] and "'<img src=x onerror=alert(1)>''" in f["title"], f["title"]
PY
grep -q '<img' "$TMP/inj/r.md" && ! grep -qP '(?<!\\)<img' "$TMP/inj/r.md" && pass || fail "raw HTML from an event in the Markdown report"
# Output that cannot be written is said, whichever report it was, and the exit code says it.
S="$EVTRIAGE_SOURCE/samples/hyperv-migration-spn"
for out in terminal json; do
  if [ $out = terminal ]; then "$EVTRIAGE" analyze "$S" >/dev/full 2>"$TMP/full.err"; rc=$?
  else "$EVTRIAGE" analyze -q --json /dev/full "$S" 2>"$TMP/full.err"; rc=$?; fi
  [ $rc -eq 1 ] && grep -q 'analyze: error writing' "$TMP/full.err" && pass || fail "$out report to a full disk: exit $rc, $(cat "$TMP/full.err")"
done
"$EVTRIAGE" analyze "$S" 2>"$TMP/closed.err" >&-; rc=$?
[ $rc -eq 1 ] && grep -q 'error writing standard output' "$TMP/closed.err" && pass || fail "closed stdout: exit $rc, $(cat "$TMP/closed.err")"
# A collector's ForwardedEvents holds many hosts: an input lists the first 64, and every report
# says that there are more (the report's host count was 64, silently).
python3 - "$TMP/wef.yaml" <<'PY'
import sys
ev = ["          - {time: 2025-11-18T09:%02d:%02dZ, event_id: 8198, computer: PC%03d.contoso.com, event_data: [x]}"
      % (i // 60, i % 60, i) for i in range(100)]
open(sys.argv[1], "w").write("""scenario: wef
hosts:
  - computer: WEC01.contoso.com
    files:
      - channel: ForwardedEvents
        defaults: {provider: P}
        events:
""" + "\n".join(ev) + "\n")
PY
"$EVTRIAGE" synth "$TMP/wef.yaml" -o "$TMP/wef" >/dev/null 2>&1
"$EVTRIAGE" analyze -j 2 --json "$TMP/wef.json" --report-md "$TMP/wef.md" --report-html "$TMP/wef.html" \
  "$TMP/wef" "$CORPUS/parsers/plaso/System.evtx" >"$TMP/wef.txt" 2>/dev/null
python3 - "$TMP/wef.json" <<'PY' && pass || fail "hosts past the bound: JSON"
import json, sys
r = json.load(open(sys.argv[1]))
wef = [i for i in r["inputs"] if i["path"].endswith("ForwardedEvents.evtx")][0]
other = [i for i in r["inputs"] if i is not wef][0]
assert wef["hosts"] == ["PC%03d.contoso.com" % i for i in range(64)], wef["hosts"]
assert wef["hosts_more"] is True and wef["channels_more"] is False, wef
assert other["hosts_more"] is False and other["channels_more"] is False, other
assert r["summary"]["hosts_more"] is True, r["summary"]
PY
grep -q '^Hosts ([0-9]* listed, and more: not all are listed)' "$TMP/wef.txt" \
  && tr '\n' ' ' <"$TMP/wef.txt" | tr -s ' ' | grep -q 'PC063.contoso.com, and more (not listed)' \
  && pass || fail "hosts past the bound: terminal"
grep -q 'and more (not all are listed)' "$TMP/wef.md" && grep -q 'PC063.contoso.com; and more (not listed)' "$TMP/wef.md" \
  && pass || fail "hosts past the bound: Markdown"
grep -q '[0-9]+<div class="list">' "$TMP/wef.html" && grep -q 'PC063.contoso.com<br>and more (not listed)' "$TMP/wef.html" \
  && pass || fail "hosts past the bound: HTML"
finish
