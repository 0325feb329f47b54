# analyze_outputs.sh: analyze's report files never replace evidence: a report file that is an
# EVTX file (by signature or by name), an archive, a compressed file, or one of the inputs is
# refused before anything is read (exit 2, the file untouched, nothing written); two reports
# naming one file, one report option given twice, and a report that cannot be written (no such
# folder, or a link to a file whose folder is missing, or a link loop) are refused too; a report that replaces an earlier report (in the folder analyzed,
# too) is still written.
. "$(dirname "$0")/lib.bash"
E="$TMP/case"
mkdir -p "$E/sub"
cp "$CORPUS/machine-logs/"*.evtx "$E/"
cp "$CORPUS/parsers/velocidex/Security_1_record.evtx" "$E/sub/renamed.log"   # EVTX by signature only
printf 'ElfFile\0 damaged header' >"$E/damaged.evtx"                        # read by its name
(cd "$E" && zip -q ../case.zip ./*.evtx) && gzip -c "$E/sub/renamed.log" >"$TMP/one.evtx.gz"
printf 'not a log\n' >"$E/notes.txt"
first=$(ls "$E"/*.evtx | head -1)
ln -s "$first" "$TMP/link-to-evidence"
(cd "$TMP" && find case case.zip one.evtx.gz -type f -print0 | sort -z | xargs -0 sha256sum) >"$TMP/before"

# refused: OPTION FILE INPUTS... -> exit 2, the message, no report, no output
refused() {
  local want=$1; shift
  rm -f "$TMP/other.json"
  "$EVTRIAGE" analyze "$@" >"$TMP/out" 2>"$TMP/err"; local rc=$?
  [ $rc -eq 2 ] && grep -q -- "$want" "$TMP/err" && [ ! -s "$TMP/out" ] && [ ! -e "$TMP/other.json" ] \
    && [ "$(wc -l <"$TMP/err")" -eq 1 ] && pass || { fail "analyze $*: exit $rc, want 2 and '$want'"; cat "$TMP/err"; }
}
evidence="a report never replaces evidence (name a new file)"
# the classic slip: the report option takes the first input's name
refused "--json $first is an EVTX file: $evidence" --json "$first" "$E"
refused "--json $first is the input '$first': $evidence" --json "$first" "$first"
refused "--report-md $E/sub/renamed.log is the input" --json "$TMP/other.json" --report-md "$E/sub/renamed.log" "$E/sub/renamed.log"
refused "--report-html $E/sub/renamed.log is an EVTX file" --json "$TMP/other.json" --report-html "$E/sub/renamed.log" "$E/damaged.evtx"
refused "--timeline $E/damaged.evtx is an EVTX file" --timeline "$E/damaged.evtx" "$first"
refused "--json $TMP/case.zip is an archive or compressed file" --json "$TMP/case.zip" "$first"
refused "--report-html $TMP/one.evtx.gz is an archive or compressed file" --report-html "$TMP/one.evtx.gz" "$first"
refused "--json $TMP/link-to-evidence is an EVTX file" --json "$TMP/link-to-evidence" "$E/notes.txt"
refused "--json $E/notes.txt is the input '$E/notes.txt'" --json "$E/notes.txt" "$E/notes.txt" "$first"
(cd "$TMP" && find case case.zip one.evtx.gz -type f -print0 | sort -z | xargs -0 sha256sum) >"$TMP/after"
cmp -s "$TMP/before" "$TMP/after" && pass || { fail "evidence changed"; diff "$TMP/before" "$TMP/after"; }

# two reports in one file, or one option twice: the second would replace the first unseen
refused "--report-md and --json both name $TMP/r.out: one file per report" --json "$TMP/r.out" --report-md "$TMP/./r.out" "$first"
touch "$TMP/exists.out"
refused "--report-md and --timeline both name" --report-md "$TMP/exists.out" --timeline "$TMP/../$(basename "$TMP")/exists.out" "$first"
refused "--json given twice (one file per report)" --json "$TMP/a.json" --json "$TMP/b.json" "$first"
refused "--timeline given twice" --timeline "$TMP/a.csv" --timeline "$TMP/a.jsonl" "$first"
[ ! -e "$TMP/r.out" ] && [ ! -e "$TMP/a.json" ] && [ ! -e "$TMP/a.csv" ] && pass || fail "a refused run wrote a report"

# a report that cannot be written is said before the run, not after it
refused "cannot write --json $TMP/nowhere/r.json: its folder $TMP/nowhere: No such file or directory" \
  --json "$TMP/nowhere/r.json" "$first"
refused "cannot write --report-md $E: it is a folder" --json "$TMP/other.json" --report-md "$E" "$first"
refused "cannot write --timeline $TMP/case.zip/t.csv: $TMP/case.zip is not a folder" --timeline "$TMP/case.zip/t.csv" "$first"
# so is a link whose file cannot be made (its folder missing), or a loop, as the same path named
# directly (../shared/security/2026-12 defect 13: the whole run, then exit 1); a link to a file
# not there yet in a folder that is makes that file (analyze_atomic.sh)
ln -s /nonexistent/dir/x "$TMP/dangling.json" && ln -s "$TMP/dangling.json" "$TMP/chain.json"
ln -s loop-b "$TMP/loop-a" && ln -s loop-a "$TMP/loop-b" && ln -s nowhere/x.csv "$TMP/relative.csv"
refused "cannot write --json $TMP/dangling.json: it is a link to /nonexistent/dir/x, which cannot be made: its folder /nonexistent/dir: No such file or directory" \
  --json "$TMP/dangling.json" "$first"
refused "cannot write --report-md $TMP/chain.json: it is a link to /nonexistent/dir/x, which cannot be made" \
  --report-md "$TMP/chain.json" "$first"
refused "cannot write --json $TMP/loop-a: it is a link that loops" --json "$TMP/loop-a" "$first"
refused "cannot write --timeline $TMP/relative.csv: it is a link to $TMP/nowhere/x.csv, which cannot be made: its folder $TMP/nowhere: No such file or directory" \
  --timeline "$TMP/relative.csv" "$first"
[ -L "$TMP/dangling.json" ] && [ ! -e /nonexistent/dir ] && pass || fail "a refused link was changed"

# what stays allowed: a report over an earlier report, one in the folder analyzed, standard
# output, a device; the earlier report in the folder is passed over as before
for i in 1 2; do
  "$EVTRIAGE" analyze -q -j 2 --json "$E/report.json" --report-md "$E/report.md" --timeline "$E/timeline.csv" "$E" \
    2>"$TMP/err$i"; rc=$?
  [ $rc -eq 1 ] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$E/report.json" \
    && grep -q '^# ' "$E/report.md" && head -1 "$E/timeline.csv" | grep -q '^datetime,' && pass \
    || { fail "run $i: report in the folder analyzed: exit $rc"; cat "$TMP/err$i"; }
done
cmp -s "$TMP/err1" "$TMP/err2" && pass || fail "the second run read its own earlier reports"
cp "$E/report.json" "$TMP/1.json"
"$EVTRIAGE" analyze -q -j 1 --json - --report-md /dev/null "$E" >"$TMP/stdout.json" 2>/dev/null
python3 - "$TMP/stdout.json" "$TMP/1.json" "$E" <<'PY' && pass || fail "--json - with --report-md /dev/null"
import json, os, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert [i["path"] for i in a["inputs"]] == [i["path"] for i in b["inputs"]], "inputs differ"
logs = sorted(os.path.join(d, f) for d, _, fs in os.walk(sys.argv[3]) for f in fs
              if open(os.path.join(d, f), "rb").read(8) == b"ElfFile\0")
assert sorted(i["path"] for i in a["inputs"]) == logs, ("inputs are not the folder's logs", a["inputs"], logs)
assert not any(s["path"].startswith(sys.argv[3] + "/report") for s in a.get("skipped", [])), "a report listed as skipped"
PY
finish
