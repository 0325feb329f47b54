# inputs_special.sh: paths that are not plain files. A pipe given as a path (process
# substitution, /dev/stdin) is read like the file it carries, hashed as received, within
# --max-member-bytes; a FIFO no one writes to ends at once instead of hanging; a device is
# refused. In a folder, a link to a file is read and a link to a folder is said and not
# followed (no loop); a pipe or a link that leads nowhere named *.evtx is said, not passed over.
# "-" is standard input, and a report file "-" standard output.
. "$(dirname "$0")/lib.bash"
LOG="$CORPUS/parsers/plaso/System.evtx"
SUM=$(sha256sum "$LOG" | cut -d' ' -f1)
want=$("$EVTRIAGE" dump --format count "$LOG") || fail "count of the file"

# ---- pipes given as paths ---------------------------------------------------------------------
got=$("$EVTRIAGE" dump --format count <(cat "$LOG") 2>"$TMP/err")
[ "$got" = "$want" ] && pass || fail "process substitution: $got records, the file has $want"
got=$(cat "$LOG" | "$EVTRIAGE" dump --format count /dev/stdin 2>"$TMP/err")
[ "$got" = "$want" ] && pass || fail "a pipe on /dev/stdin: $got records, the file has $want"
"$EVTRIAGE" analyze -q --json "$TMP/pipe.json" <(cat "$LOG") 2>"$TMP/err"
rc=$?
/usr/bin/python3 - "$TMP/pipe.json" "$SUM" "$want" <<'PY' && pass || fail "a pipe's input in the report (rc $rc)"
import json, sys
d = json.load(open(sys.argv[1]))
(i,) = d["inputs"]
assert i["path"].startswith("/dev/fd/"), i["path"]
assert i["sha256"] == sys.argv[2], (i["sha256"], sys.argv[2])   # the bytes as received
assert i["records"] == int(sys.argv[3]), i["records"]
PY
[ "$rc" -eq 0 ] && pass || fail "analyze of a pipe: exit $rc"
# a tar.gz through a pipe is walked as an archive
(cd "$(dirname "$LOG")" && tar czf "$TMP/one.tgz" System.evtx)
got=$("$EVTRIAGE" dump --format count <(cat "$TMP/one.tgz") 2>"$TMP/err")
[ "$got" = "$want" ] && pass || fail "a tar.gz through a pipe: $got records ($(cat "$TMP/err"))"
# a pipe past the member bound is refused, with the flag named, and the run goes on
got=$("$EVTRIAGE" dump --format count --max-member-bytes 100000 <(cat "$LOG") "$LOG" 2>"$TMP/err")
rc=$?
grep -q '^/dev/fd/[0-9]*: refused: more than 100000 bytes from a pipe (--max-member-bytes)$' "$TMP/err" && pass ||
  fail "pipe past --max-member-bytes: $(cat "$TMP/err")"
[ "$rc" -eq 1 ] && [ "$got" = "$want" ] && pass || fail "refused pipe: exit $rc, $got records (the file's $want expected)"

# ---- "-": standard input (a pipe, a file redirected, closed, a terminal); "./-" a file so named --
got=$(cat "$LOG" | "$EVTRIAGE" dump --format count - 2>"$TMP/err")
[ "$got" = "$want" ] && [ ! -s "$TMP/err" ] && pass || fail "a pipe on '-': $got records ($(cat "$TMP/err"))"
"$EVTRIAGE" analyze -q --json "$TMP/stdin.json" - <"$LOG" 2>"$TMP/err"
rc=$?
/usr/bin/python3 - "$TMP/stdin.json" "$SUM" "$want" <<'PY' && [ "$rc" -eq 0 ] && pass || fail "a file redirected to '-' (rc $rc)"
import json, sys
d = json.load(open(sys.argv[1]))
(i,) = d["inputs"]
assert i["path"] == "(standard input)", i["path"]
assert i["sha256"] == sys.argv[2] and i["records"] == int(sys.argv[3]), i
PY
got=$("$EVTRIAGE" dump --format count - - <"$LOG" 2>"$TMP/err")
[ "$got" = "$want" ] && grep -qx '(standard input): skipped: already read (the path was given twice, or a folder and a file in it)' "$TMP/err" &&
  pass || fail "'-' given twice: $got records, $(cat "$TMP/err")"
got=$("$EVTRIAGE" dump --format count - "$LOG" <&- 2>"$TMP/err")
rc=$?
[ "$rc" -eq 1 ] && [ "$got" = "$want" ] && grep -qx '(standard input): standard input is closed' "$TMP/err" && pass ||
  fail "'-' closed: exit $rc, $got records, $(cat "$TMP/err")"
script -qfec "$EVTRIAGE dump --format count - $LOG" "$TMP/tty-stdin.txt" >/dev/null 2>&1 </dev/null
grep -q '(standard input): refused: standard input is a terminal (pipe a file into it, or give its path)' "$TMP/tty-stdin.txt" &&
  grep -q "^$want" "$TMP/tty-stdin.txt" && pass || fail "'-' on a terminal: $(cat "$TMP/tty-stdin.txt")"
mkdir "$TMP/dash" && cp "$LOG" "$TMP/dash/-"
got=$(cd "$TMP/dash" && "$EVTRIAGE" dump --format count ./- </dev/null 2>"$TMP/err")
[ "$got" = "$want" ] && pass || fail "./- as a file named '-': $got records ($(cat "$TMP/err"))"
# a report file "-" is standard output, without the terminal report; two of them are refused
"$EVTRIAGE" analyze --json - "$LOG" >"$TMP/stdout.json" 2>"$TMP/err"
rc=$?
/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["inputs"][0]["sha256"] == sys.argv[2]' \
  "$TMP/stdout.json" "$SUM" && [ "$rc" -eq 0 ] && pass || fail "--json - (rc $rc): $(head -c 300 "$TMP/stdout.json")"
"$EVTRIAGE" analyze --json - --timeline - "$LOG" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] && grep -q "only one of .* can be '-' (standard output)" "$TMP/err" && pass ||
  fail "two report files on '-': exit $rc, $(cat "$TMP/err")"

# ---- a FIFO with no writer, a device ----------------------------------------------------------
mkfifo "$TMP/nobody.evtx"
timeout 20 "$EVTRIAGE" dump --format count "$TMP/nobody.evtx" "$LOG" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -ne 124 ] && pass || fail "a FIFO no one writes to hung the run"
[ "$(cat "$TMP/out")" = "$want" ] && grep -q "^$TMP/nobody.evtx: " "$TMP/err" && pass ||
  fail "FIFO: the file after it not read, or the FIFO not named: $(cat "$TMP/err")"
"$EVTRIAGE" dump --format count /dev/null >/dev/null 2>"$TMP/err"
rc=$?
grep -qx '/dev/null: refused: a character device, not a file' "$TMP/err" && [ "$rc" -eq 1 ] && pass ||
  fail "a device given: exit $rc, $(cat "$TMP/err")"

# ---- a folder with links, a pipe, a link that leads nowhere --------------------------------------
mkdir -p "$TMP/case/sub" "$TMP/elsewhere"
cp "$LOG" "$TMP/elsewhere/System.evtx"
ln -s "$TMP/elsewhere/System.evtx" "$TMP/case/host1-System.evtx"   # a case folder of links to the evidence
ln -s "$TMP/case" "$TMP/case/sub/loop"                                # a loop
ln -s "$TMP/elsewhere" "$TMP/case/more"
ln -s "$TMP/gone.evtx" "$TMP/case/gone.evtx"
ln -s "$TMP/gone.txt" "$TMP/case/gone.txt"                            # no log: passed over
mkfifo "$TMP/case/live.evtx" "$TMP/case/other-fifo"
echo "no log" >"$TMP/case/notes.txt"
timeout 60 "$EVTRIAGE" analyze -q --json "$TMP/case.json" "$TMP/case" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] && pass || fail "case folder: exit $rc (1 expected: a link leads nowhere)"
/usr/bin/python3 - "$TMP/case.json" "$TMP/case" "$SUM" <<'PY' && pass || fail "case folder: inputs"
import json, sys
d = json.load(open(sys.argv[1]))
read = [i["path"] for i in d["inputs"] if not i["unreadable"]]
assert read == [sys.argv[2] + "/host1-System.evtx"], read   # the link read, once; nothing through the loop
assert d["inputs"][1]["sha256"] == sys.argv[3]
gone = [i for i in d["inputs"] if i["unreadable"]]
assert [i["path"] for i in gone] == [sys.argv[2] + "/gone.evtx"], gone   # the missing log is in the report
assert any(g["kind"] == "unreadable" and "gone.evtx" in g["message"] for g in d["gaps"]), d["gaps"]
# what was passed over is in the report too, not only on stderr, in path order
c = sys.argv[2]
assert d["skipped"] == [
    {"path": c + "/live.evtx", "reason": "a pipe, not a file"},
    {"path": c + "/more", "reason": "link to a folder, not followed (give the folder's path to read it)"},
    {"path": c + "/sub/loop", "reason": "link to a folder, not followed (give the folder's path to read it)"},
], d["skipped"]
assert d["skipped_total"] == 3
PY
grep -qx "$TMP/case/sub/loop: skipped: link to a folder, not followed (give the folder's path to read it)" "$TMP/err" &&
  grep -qx "$TMP/case/more: skipped: link to a folder, not followed (give the folder's path to read it)" "$TMP/err" && pass ||
  fail "links to folders not said: $(cat "$TMP/err")"
grep -qx "$TMP/case/gone.evtx: link that leads nowhere: No such file or directory" "$TMP/err" && pass ||
  fail "a link to a missing log not said"
grep -qx "$TMP/case/live.evtx: skipped: a pipe, not a file" "$TMP/err" && pass || fail "a FIFO named *.evtx not said"
! grep -q "gone.txt\|other-fifo\|notes.txt" "$TMP/err" && pass || fail "entries that are no log were said"
# ---- many members passed over: the report keeps the first 1,000 and counts them all --------------
/usr/bin/python3 - "$TMP/many.zip" "$LOG" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.write(sys.argv[2], "System.evtx")
    for i in range(1500):
        z.writestr("notes/%04d.txt" % i, "not a log %d\n" % i)
PY
"$EVTRIAGE" analyze -q --json "$TMP/many.json" --report-md "$TMP/many.md" "$TMP/many.zip" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 0 ] && [ "$(grep -c ': skipped: not an EVTX file' "$TMP/err")" -eq 1500 ] && pass ||
  fail "1,500 members passed over: exit $rc, stderr should say each"
/usr/bin/python3 - "$TMP/many.json" "$TMP/many.md" <<'PY' && pass || fail "many members passed over: the report's list"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["skipped_total"] == 1500, d["skipped_total"]
paths = [s["path"] for s in d["skipped"]]
assert len(paths) == 1000 and paths == sorted(paths), len(paths)
assert paths[0].endswith("many.zip!notes/0000.txt") and paths[-1].endswith("many.zip!notes/0999.txt"), paths[-1]
assert "1500 path(s) passed over, not read as EVTX; the first 1000 met are listed:" in open(sys.argv[2]).read()
PY
# A folder of many logs under a low soft limit on descriptors (1,024 is common; here 32 for the
# corpus's 244 files): evtriage raises it to the hard limit, so no file fails to open.
want=$("$EVTRIAGE" dump -j2 --format count "$CORPUS" 2>/dev/null)
got=$(ulimit -Sn 32 && "$EVTRIAGE" dump -j2 --format count "$CORPUS" 2>"$TMP/fd.err")
[ "$got" = "$want" ] && ! grep -q 'Too many open files' "$TMP/fd.err" && pass || fail "low descriptor limit: $got of $want records, $(grep -c 'Too many' "$TMP/fd.err") open failures"
# A low hard limit (16: the soft one cannot be raised past it): when the walk runs out of
# descriptors, the files in flight are read and let go, and the open is tried again, so still no
# file is lost; output and diagnostics are those of an unlimited run, at -j1 and -j4, and for the
# corpus as a zip and as a .tar.gz.
"$EVTRIAGE" dump -j2 "$CORPUS" >"$TMP/fd.ref" 2>"$TMP/fd.referr"
for j in 1 4; do
  (ulimit -n 16 && "$EVTRIAGE" dump -j$j "$CORPUS" >"$TMP/fd.out" 2>"$TMP/fd.err")
  cmp -s "$TMP/fd.out" "$TMP/fd.ref" && cmp -s "$TMP/fd.err" "$TMP/fd.referr" && pass || fail "hard limit 16, -j$j: $(wc -l <"$TMP/fd.out") records, $(grep -c 'Too many' "$TMP/fd.err") open failures"
done
(cd "$CORPUS" && find . -iname '*.evtx' -print0 | sort -z | head -zn 120 | tar czf "$TMP/fd.tgz" --null -T - && find . -iname '*.evtx' -print0 | sort -z | head -zn 120 | xargs -0 zip -q "$TMP/fd.zip")
for a in fd.tgz fd.zip; do
  SOURCE_DATE_EPOCH=0 "$EVTRIAGE" analyze -j4 --json "$TMP/$a.ref.json" "$TMP/$a" >/dev/null 2>"$TMP/$a.referr"
  (ulimit -n 16 && SOURCE_DATE_EPOCH=0 "$EVTRIAGE" analyze -j4 --json "$TMP/$a.json" "$TMP/$a" >/dev/null 2>"$TMP/$a.err")
  cmp -s "$TMP/$a.json" "$TMP/$a.ref.json" && cmp -s "$TMP/$a.err" "$TMP/$a.referr" && pass || fail "hard limit 16, $a: the report or stderr differ: $(head -c 300 "$TMP/$a.err")"
done
# Members inflated into temporary files (memory budget 0) on 8 workers under a hard limit of 8:
# a worker that finds no descriptor for its file waits for the others to let theirs go, so no
# member is lost ("cannot create a temporary file: Too many open files" cost 14,000 of 47,000
# records here before).
EVTRIAGE_MEMORY_BUDGET_MIB=0 "$EVTRIAGE" dump -j8 "$TMP/fd.zip" >"$TMP/fdz.ref" 2>"$TMP/fdz.referr"
(ulimit -n 8 && EVTRIAGE_MEMORY_BUDGET_MIB=0 "$EVTRIAGE" dump -j8 "$TMP/fd.zip" >"$TMP/fdz.out" 2>"$TMP/fdz.err")
cmp -s "$TMP/fdz.out" "$TMP/fdz.ref" && cmp -s "$TMP/fdz.err" "$TMP/fdz.referr" && pass \
  || fail "hard limit 8, temporary files on 8 workers: $(wc -l <"$TMP/fdz.out") of $(wc -l <"$TMP/fdz.ref") records: $(grep -m1 'temporary' "$TMP/fdz.err")"
finish
