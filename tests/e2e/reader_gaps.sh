# reader_gaps.sh: where Debian's libevtx fails, we read on: the libevtx-gaps files (libevtx
# stops on the first record), negative Int32 values, truncated and damaged files.
. "$(dirname "$0")/lib.bash"
# Kernel-General CurrentBias is -540 in Windows and python-evtx; libevtx 20181227 prints -2147483108.
"$EVTRIAGE" dump "$CORPUS/machine-logs/System.evtx" >"$TMP/sys.jsonl" 2>/dev/null
n=$(grep -c '"CurrentBias":"-540"' "$TMP/sys.jsonl"); [ "$n" -gt 0 ] && pass || fail "CurrentBias -540 not found"
grep -q '"CurrentBias":"-2147483108"' "$TMP/sys.jsonl" && fail "CurrentBias rendered as libevtx does" || pass
# libevtx-gaps: evtxexport reads fewer records than are there; we read every one.
more=0
while IFS= read -r -d '' f; do
  ours=$("$EVTRIAGE" dump "$f" 2>/dev/null | grep -c '"recovered":false' || true)
  theirs=$(evtxexport "$f" 2>/dev/null | grep -c '^Event number' || true)
  [ "$ours" -ge "$theirs" ] && pass || fail "$f: $ours < $theirs"
  [ "$ours" -gt "$theirs" ] && more=$((more + 1))
done < <(find "$CORPUS/libevtx-gaps" -name '*.evtx' -print0)
[ "$more" -ge 5 ] && pass || fail "expected to read more than evtxexport on most libevtx-gaps files (got $more)"
# A carved fragment whose data holds no XML element (zeros, or overwritten from its start) is
# no event: counted in the note, not printed as an empty record (one dated 1601 set the
# report's time range); every record of the damaged files has the System provider.
"$EVTRIAGE" dump "$CORPUS/damaged" >"$TMP/dmg.jsonl" 2>"$TMP/dmg.err"
n=$(grep -c '"provider":null' "$TMP/dmg.jsonl" || true)
[ "$n" -eq 0 ] && [ "$(grep -c '"recovered":true' "$TMP/dmg.jsonl")" -gt 0 ] && pass || fail "damaged: $n record(s) with no provider"
grep -q "new-user-security.evtx: note: [0-9]* record fragment(s) in chunk slack space could not be decoded (overwritten in part" \
  "$TMP/dmg.err" && pass || { fail "damaged: no note on slack fragments"; cat "$TMP/dmg.err"; }
# Truncated file: records of the complete chunks are printed, the cut is reported, exit 1.
"$EVTRIAGE" dump "$CORPUS/parsers/plaso/System2.evtx" >"$TMP/t.jsonl" 2>"$TMP/t.err"; rc=$?
[ $rc -eq 1 ] && grep -q "System2.evtx: chunk 2: file ends inside the chunk" "$TMP/t.err" && pass || fail "truncated: rc=$rc $(cat "$TMP/t.err")"
[ "$(wc -l <"$TMP/t.jsonl")" -gt 0 ] && pass || fail "truncated: no records"
grep -qx ".*System2.evtx: cut short: the file header counts 96 chunk(s), the file holds 2 whole" "$TMP/t.err" \
  && pass || fail "truncated: what is missing not said: $(cat "$TMP/t.err")"
# Cut on a chunk boundary, or inside the file header: nothing is torn, but chunks the header
# counts are missing, and that is said (exit 1), for dump, hunt and analyze alike.
head -c $((4096 + 3 * 65536)) "$CORPUS/parsers/plaso/System.evtx" >"$TMP/three.evtx"
head -c 4096 "$CORPUS/parsers/plaso/System.evtx" >"$TMP/header.evtx"
head -c 512 "$CORPUS/parsers/plaso/System.evtx" >"$TMP/part.evtx"
for cmd in dump hunt analyze; do
  case $cmd in hunt) args=(--rules "$CORPUS/sigma-regression/0b9ad457-2554-44c1-82c2-d56a99c42377/rule.yml") ;;
    analyze) args=(-q --json /dev/null) ;; *) args=() ;; esac
  "$EVTRIAGE" $cmd "${args[@]}" "$TMP/three.evtx" "$TMP/header.evtx" "$TMP/part.evtx" >/dev/null 2>"$TMP/c.err"; rc=$?
  [ $rc -eq 1 ] && grep -qx ".*three.evtx: cut short: the file header counts [0-9]* chunk(s), the file holds 3 whole" "$TMP/c.err" \
    && grep -qx ".*header.evtx: cut short: the file header counts [0-9]* chunk(s), the file holds 0 whole" "$TMP/c.err" \
    && grep -qx ".*part.evtx: cut short: the file ends inside its header (512 of 4096 bytes), before any chunk" "$TMP/c.err" \
    && pass || fail "$cmd: cut files: rc=$rc $(cat "$TMP/c.err")"
done
n=$("$EVTRIAGE" dump "$TMP/three.evtx" 2>/dev/null | wc -l)
[ "$n" -gt 0 ] && [ "$n" -eq "$("$EVTRIAGE" dump --format count "$TMP/three.evtx" 2>/dev/null)" ] && pass || fail "three whole chunks: $n records"
# --from/--to bound the output and CSV picks columns.
"$EVTRIAGE" dump --format csv --fields record_id,timestamp,event_id,param1 --from 2015-06-23 --to 2015-06-23T23:59:59Z \
  "$CORPUS/parsers/plaso/System.evtx" >"$TMP/c.csv" 2>/dev/null
head -1 "$TMP/c.csv" | grep -qx 'record_id,timestamp,event_id,param1' && pass || fail "csv header: $(head -1 "$TMP/c.csv")"
bad=$(tail -n +2 "$TMP/c.csv" | cut -d, -f2 | grep -vc '^2015-06-23T' || true)
[ "$bad" -eq 0 ] && [ "$(wc -l <"$TMP/c.csv")" -gt 1 ] && pass || fail "time filter let $bad rows through"
# --from after --to can print nothing: a usage error, not an empty success.
"$EVTRIAGE" dump --from 2015-06-24 --to 2015-06-23T23:59:59Z "$CORPUS/parsers/plaso/System.evtx" >"$TMP/o" 2>"$TMP/e"; rc=$?
[ $rc -eq 2 ] && [ ! -s "$TMP/o" ] && grep -q -- "--from is after --to" "$TMP/e" && pass || fail "--from after --to: exit $rc"
# --from equal to --to is one instant, both ends included: the records stamped with it
t=$("$EVTRIAGE" dump --format csv --fields timestamp "$CORPUS/parsers/plaso/System.evtx" 2>/dev/null | sed -n 10p)
same=$("$EVTRIAGE" dump --format csv --fields timestamp "$CORPUS/parsers/plaso/System.evtx" 2>/dev/null | grep -cx "$t")
n=$("$EVTRIAGE" dump --format count --from "$t" --to "$t" "$CORPUS/parsers/plaso/System.evtx" 2>/dev/null); rc=$?
[ $rc -eq 0 ] && [ "$same" -ge 1 ] && [ "$n" = "$same" ] && pass || fail "--from equal to --to ($t): exit $rc, $n record(s), $same stamped so"
# What the decoder bounds is said with the record, not dropped silently: an element with 34
# attributes keeps 32 (xmlns among them), and one line names the record and the 2 left out.
attrs=$(python3 -c 'print(", ".join("\"@a%d\": v%d" % (i, i) for i in range(34)))')
cat >"$TMP/attrs.yaml" <<YAML
scenario: attrs
hosts:
  - computer: HV01.contoso.com
    files:
      - channel: Application
        defaults: {provider: Test}
        events:
          - {time: 2025-11-18T09:12:40Z, event_id: 1, user_data: {Log: {Wide: {$attrs}}}}
          - {time: 2025-11-18T09:12:41Z, event_id: 2, user_data: {Log: {Narrow: {"@a0": v0}}}}
YAML
"$EVTRIAGE" synth "$TMP/attrs.yaml" -o "$TMP/attrs" >/dev/null 2>&1
"$EVTRIAGE" dump "$TMP/attrs/HV01.contoso.com/Application.evtx" >"$TMP/attrs.jsonl" 2>"$TMP/attrs.err"; rc=$?
python3 - "$TMP/attrs.jsonl" <<'PY' && pass || fail "34 attributes: the record and its first 32"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert len(ev) == 2, len(ev)
wide = [k for k in ev[0]["fields"] if k.startswith("Wide.")]
assert wide == ["Wide.a%d" % i for i in range(32)], wide
assert ev[1]["fields"] == {"Narrow.a0": "v0"}, ev[1]["fields"]
PY
[ $rc -eq 1 ] && [ "$(cat "$TMP/attrs.err")" = "$TMP/attrs/HV01.contoso.com/Application.evtx: record 1: 2 attribute(s) past 32 on 1 element left out" ] \
  && pass || { fail "34 attributes: exit $rc, want 1 and one line"; cat "$TMP/attrs.err"; }
# Slack space that holds copies of live records (Licensing-Platform: 75 of them) adds nothing.
f="$CORPUS/machine-logs/Microsoft-Client-Licensing-Platform%4Admin.evtx"
"$EVTRIAGE" dump "$f" >"$TMP/l.jsonl" 2>/dev/null
n=$(wc -l <"$TMP/l.jsonl"); dup=$(python3 -c 'import json,sys,collections
c=collections.Counter(json.loads(l)["record_id"] for l in open(sys.argv[1]))
print(sum(v-1 for v in c.values()))' "$TMP/l.jsonl")
[ "$dup" -eq 0 ] && [ "$n" -eq "$(evtxexport "$f" 2>/dev/null | grep -c '^Event number')" ] && pass || fail "licensing: $n records, $dup duplicates"
# Array substitutions become one <Data> per item, as Windows renders them (Security-SPP 8198).
"$EVTRIAGE" dump "$CORPUS/machine-logs/Application.evtx" 2>/dev/null | grep '"event_id":8198' >"$TMP/8198"
[ -s "$TMP/8198" ] && ! grep -v '"Data\[0\]":"hr=0x[0-9A-F]*","Data\[1\]":"RuleId=' "$TMP/8198" && pass || fail "8198 Data split: $(head -c 300 "$TMP/8198")"
finish
