# progress_tty.sh: a progress line appears on a terminal's stderr, never otherwise, and never
# shares a line with a diagnostic.
. "$(dirname "$0")/lib.bash"
command -v script >/dev/null || { echo "FAIL: script(1) missing (bsdutils)"; exit 1; }
big="$TMP/big.evtx"
/usr/bin/python3 "$EVTRIAGE_SOURCE/bench/make_big_evtx.py" "$big" 40 "$CORPUS/machine-logs" >/dev/null || fail "make_big_evtx"
# the same file four times (under four names: one path given twice is read once): the line is
# drawn every 0.2 s, and one pass may take less
for i in 2 3 4; do ln "$big" "$TMP/big$i.evtx"; done
script -qfec "$EVTRIAGE dump -j1 $big $TMP/big2.evtx $TMP/big3.evtx $TMP/big4.evtx $CORPUS/parsers/plaso/System2.evtx >/dev/null" "$TMP/tty.txt" >/dev/null 2>&1
grep -q "MiB / .* records .* ETA" "$TMP/tty.txt" && pass || fail "no progress line on a terminal"
tr '\r' '\n' <"$TMP/tty.txt" | grep -q '^System2\|^.*/System2.evtx: chunk 2: file ends' && pass || fail "diagnostic not on its own line"
"$EVTRIAGE" dump -j1 "$big" >/dev/null 2>"$TMP/err.txt"
! grep -q $'\r' "$TMP/err.txt" && pass || fail "progress written to a non-terminal"
script -qfec "$EVTRIAGE dump -q -j1 $big >/dev/null" "$TMP/tty2.txt" >/dev/null 2>&1
! grep -q "ETA" "$TMP/tty2.txt" && pass || fail "--quiet still shows progress"
# hunt draws it too (it had none), and not with -q
script -qfec "$EVTRIAGE hunt -j1 -r $EVTRIAGE_SOURCE/rules/packs $big $TMP/big2.evtx $TMP/big3.evtx $TMP/big4.evtx >/dev/null" "$TMP/tty-hunt.txt" >/dev/null 2>&1
grep -q "MiB / .* records .* ETA" "$TMP/tty-hunt.txt" && pass || fail "hunt: no progress line on a terminal"
script -qfec "$EVTRIAGE hunt -q -j1 -r $EVTRIAGE_SOURCE/rules/packs $big >/dev/null" "$TMP/tty-hunt2.txt" >/dev/null 2>&1
! grep -q "ETA" "$TMP/tty-hunt2.txt" && pass || fail "hunt -q still shows progress"
# Inside archives the line counts the archive's own bytes (what its members stand for: a zip
# member's compressed bytes, what a tar's walk went past), so done never passes the total.
(cd "$TMP" && zip -q big.zip big.evtx && tar czf big.tgz big.evtx)
for a in big.zip big.tgz; do
  ln -f "$TMP/$a" "$TMP/again-$a"   # twice under two names: the line is drawn every 0.2 s
  script -qfec "$EVTRIAGE dump -j1 $TMP/$a $TMP/again-$a >/dev/null" "$TMP/tty-$a.txt" >/dev/null 2>&1
  /usr/bin/python3 - "$TMP/tty-$a.txt" <<'PY' && pass || fail "$a: progress past its total"
import re, sys
units = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
lines = re.findall(r"([\d.]+) (B|KiB|MiB|GiB) / ([\d.]+) (B|KiB|MiB|GiB) \((\d+)%\)", open(sys.argv[1], errors="replace").read())
assert lines, "no progress line"
for d, du, t, tu, pct in lines:
    assert float(d) * units[du] <= float(t) * units[tu] * 1.001, (d, du, t, tu)
print(len(lines), "lines, last", lines[-1])
PY
done
# A member inflated in the walk (a tar's, a .gz's) moves the line while its records are read,
# too: half of the archive's bytes that its inflating read go on the line as they are read, the
# other half with its records. (The line used to stand at the archive's end, 99%, all the while
# a big member's records were read.) Every step is drawn here (EVTRIAGE_PROGRESS_EVERY_MS=0).
gzip -c "$big" >"$TMP/big.evtx.gz"
for a in big.tgz big.evtx.gz; do
  EVTRIAGE_PROGRESS_EVERY_MS=0 script -qfec "$EVTRIAGE dump -j1 $TMP/$a >/dev/null" "$TMP/tty-read-$a.txt" >/dev/null 2>&1
  /usr/bin/python3 - "$TMP/tty-read-$a.txt" <<'PY' && pass || fail "$a: the line stood still while the member's records were read"
import re, sys
lines = re.findall(r"\((\d+)%\) · (\d+) records", open(sys.argv[1], errors="replace").read())
reading = [(int(p), int(r)) for p, r in lines if int(r) > 0]
assert len(reading) >= 5, lines
pcts = [p for p, _ in reading]
assert pcts == sorted(pcts) and pcts[0] <= 60 and len(set(pcts)) >= 5, pcts
PY
done
# The line fits the terminal (a line that wraps is not erased by the next \r: the screen fills
# with copies), the name losing its start first, columns counted as the terminal does (CJK as
# two; a terminal that gives no size gets the whole line); control characters in a name (an archive's member can carry ESC sequences) never reach
# the terminal. A zip whose names are not plain ASCII moves the line as its members are read.
mkdir -p "$TMP/pp/日本語のフォルダ/d$(printf '\033')]0;pw$(printf '\007')y" && cp "$big" "$TMP/pp/日本語のフォルダ/d$(printf '\033')]0;pw$(printf '\007')y/S.evtx"
(cd "$TMP/pp" && zip -qr ../pp.zip .)
for cols in 40 80 120; do
  EVTRIAGE_PROGRESS_EVERY_MS=0 script -qfec "stty cols $cols; $EVTRIAGE dump -j1 $TMP/pp.zip >/dev/null" "$TMP/tty-pp.txt" >/dev/null 2>&1
  /usr/bin/python3 - "$TMP/tty-pp.txt" $cols <<'PY' && pass || fail "$cols columns: the line does not fit, or lets a control character through"
import re, sys, unicodedata
text = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
body = text[text.index("\n") + 1:text.rindex("\nScript done")] if "Script done" in text else text[text.index("\n") + 1:]
assert "\x07" not in body, "BEL passed"
if int(sys.argv[2]) >= 80: assert "0;pw y/S.evtx" in body, "the name's tail is not shown, cleaned"
assert all(body[m.start():m.start() + 3] == "\x1b[K" for m in re.finditer("\x1b", body)), "ESC passed"
lines = [l.replace("\x1b[K", "") for l in body.split("\r") if "records" in l]
width = lambda l: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l)
assert lines and max(map(width, lines)) <= int(sys.argv[2]) - 1, max(lines, key=width)
pcts = [int(p) for p, r in re.findall(r"\((\d+)%\) · (\d+) records", body) if int(r) > 0]
assert len(set(pcts)) >= 5 and pcts == sorted(pcts), pcts
PY
done
# A link counts as the file it leads to, and a pipe's bytes join the total once it is read.
ln -s "$big" "$TMP/link.evtx"
script -qfec "bash -c '$EVTRIAGE dump -j1 $TMP/link.evtx <(cat $big) >/dev/null'" "$TMP/tty-link.txt" >/dev/null 2>&1
/usr/bin/python3 - "$TMP/tty-link.txt" <<'PY' && pass || fail "a link and a pipe: progress past its total"
import re, sys
units = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
lines = re.findall(r"([\d.]+) (B|KiB|MiB|GiB) / ([\d.]+) (B|KiB|MiB|GiB) \(", open(sys.argv[1], errors="replace").read())
assert lines, "no progress line"
for d, du, t, tu in lines:
    assert float(d) * units[du] <= float(t) * units[tu] * 1.001, (d, du, t, tu)
PY
# A tar member is inflated on the calling thread before any of its records is read (0.6 s for
# this one at bzip2's pace, on the project's machine; the line is drawn every 0.2 s): the line
# goes on meanwhile, naming the member, rather than standing still until its records come.
(cd "$TMP" && tar cjf big.tbz big.evtx)
script -qfec "$EVTRIAGE dump -j1 $TMP/big.tbz >/dev/null" "$TMP/tty-tbz.txt" >/dev/null 2>&1
n=$(tr '\r' '\n' <"$TMP/tty-tbz.txt" | grep -c ' · 0 records · .*big\.tbz!big\.evtx')
[ "$n" -ge 2 ] && pass || fail "the line stood still while a tar member was inflated ($n line(s) drawn then)"
finish
