# inputs_archives.sh: archives are read in place (zip, tar.gz, tar.xz, 7z, cab, nested,
# one file compressed), EVTX found by signature, hostile members refused with a message while
# the rest is read, damaged members read up to the damage.
. "$(dirname "$0")/lib.bash"
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$TMP"
mkdir -p up/HOST1 up/HOST2
cp "$CORPUS/parsers/velocidex/Security_1_record.evtx" up/HOST1/
cp "$CORPUS/machine-logs/Microsoft-Windows-AAD%4Operational.evtx" up/HOST2/renamed.log
echo "not a log" >up/HOST2/readme.txt
want=$("$EVTRIAGE" dump up/HOST1/Security_1_record.evtx up/HOST2/renamed.log 2>/dev/null | wc -l)
[ "$want" -gt 1 ] && pass || fail "plain files: $want records"
(cd up && zip -qr inner.zip HOST2 && zip -qr ../up.zip HOST1 inner.zip && rm inner.zip && tar czf ../up.tgz HOST1 HOST2 && tar cJf ../up.txz HOST1 HOST2 \
  && bsdtar --format 7zip -cf ../up.7z HOST1 HOST2 && bsdtar --format 7zip --options 7zip:compression=store -cf ../store.7z HOST1 HOST2) || fail "making the archives"
for a in up.zip up.tgz up.txz up.7z store.7z; do
  "$EVTRIAGE" dump "$a" >out.jsonl 2>err.txt; rc=$?
  n=$(wc -l <out.jsonl)
  [ $rc -eq 0 ] && [ "$n" -eq "$want" ] && pass || fail "$a: rc=$rc, $n records (want $want): $(cat err.txt)"
  grep -q "readme.txt: skipped: not an EVTX file" err.txt && pass || fail "$a: readme not listed as skipped"
done
grep -q '"file":"up.zip!inner.zip!HOST2/renamed.log"' <("$EVTRIAGE" dump up.zip 2>/dev/null) && pass || fail "nested member not named"
# Members are inflated in memory (a zip's by libdeflate, a tar's through libarchive) when they
# fit the memory budget, else into temporary files; both routes give the same output, also
# for stored, zip64 and damaged members.
(cd up && zip -q -0 ../stored.zip -r HOST1 HOST2 && zip -q -fz ../z64.zip -r HOST1 HOST2)
/usr/bin/python3 - up.zip damaged.zip <<'PY' || fail "making damaged.zip"
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
data = bytearray(open(src, "rb").read())
info = max(zipfile.ZipFile(src).infolist(), key=lambda i: i.compress_size)
name_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
data[info.header_offset + 30 + name_len + extra_len + info.compress_size // 2] ^= 0x5A
open(dst, "wb").write(data)
PY
for a in up.tgz up.txz up.7z up.zip stored.zip z64.zip damaged.zip; do
  "$EVTRIAGE" dump -j2 "$a" >fast.out 2>fast.err; rf=$?
  EVTRIAGE_MEMORY_BUDGET_MIB=0 "$EVTRIAGE" dump -j2 "$a" >slow.out 2>slow.err; rs=$?
  [ $rf -eq $rs ] && cmp -s fast.out slow.out && cmp -s fast.err slow.err && pass || fail "$a: memory and temporary-file routes differ (rc $rf/$rs)"
  [ $a = damaged.zip ] || { [ "$(wc -l <fast.out)" -eq "$want" ] && pass || fail "$a: $(wc -l <fast.out) records"; }
done
[ $rf -eq 1 ] && grep -q "inner.zip" fast.err && pass || fail "damaged member not reported: $(cat fast.err)"
# A member named .evtx is sniffed once inflated when it fits in memory, else before it is
# inflated: a text file by that name is skipped, in the same words, by either route.
for i in $(seq 200); do echo "not a log, line $i"; done >fake.evtx
cp up/HOST1/Security_1_record.evtx real.evtx && zip -q fake.zip fake.evtx real.evtx
for budget in "" 0; do
  EVTRIAGE_MEMORY_BUDGET_MIB=$budget "$EVTRIAGE" dump fake.zip >out.jsonl 2>err.txt; rc=$?
  [ $rc -eq 0 ] && [ "$(grep -c fake.evtx err.txt)" -eq 1 ] &&
    grep -qx 'fake.zip!fake.evtx: skipped: not an EVTX file (no ElfFile signature)' err.txt &&
    [ "$(wc -l <out.jsonl)" -eq "$("$EVTRIAGE" dump real.evtx | wc -l)" ] && pass || fail "fake.evtx, budget '$budget': rc=$rc $(cat err.txt)"
done
# A plain zip is listed from its own directory, without libarchive (the fast route needs none);
# every other zip is listed by libarchive, as in the temporary-file route, so both routes
# still agree on zips written by other tools, with directories, links, encryption, a local
# header that disagrees with the directory. (A zip inside a zip is read by libarchive.)
(cd up && zip -qr ../plain.zip HOST1 HOST2)
for a in plain.zip stored.zip z64.zip; do
  EVTRIAGE_LIBARCHIVE=/nonexistent/libarchive.so "$EVTRIAGE" dump "$a" >out.jsonl 2>err.txt
  [ "$(wc -l <out.jsonl)" -eq "$want" ] && ! grep -q libarchive err.txt && pass || fail "$a listed without libarchive: $(cat err.txt)"
done
(cd up && ln -s HOST1/Security_1_record.evtx link.evtx && zip -qry ../links.zip HOST1 link.evtx && rm link.evtx)
(cd up && zip -qr -P pw ../encr.zip HOST1 HOST2)
/usr/bin/python3 - up/HOST1/Security_1_record.evtx up.zip <<'PY' || fail "making the odd zips"
import sys, zipfile
evtx, up = sys.argv[1], sys.argv[2]
data = open(evtx, "rb").read()
def entry(name, attr, system):
    i = zipfile.ZipInfo(name, (2024, 5, 1, 12, 0, 0))
    i.create_system, i.external_attr, i.compress_type = system, attr, zipfile.ZIP_DEFLATED
    return i
with zipfile.ZipFile("dos.zip", "w") as z:   # as Windows writes them: MS-DOS attributes
    z.writestr(entry("HOST1/", 0x10, 0), b"")
    z.writestr(entry("HOST1/a.evtx", 0x20, 0), data)
    z.writestr(entry("HOST1/b.evtx", 0x21, 0), data)
with zipfile.ZipFile("unix.zip", "w") as z:  # Unix modes, a directory written explicitly
    z.writestr(entry("HOST2/", (0o40755 << 16) | 0x10, 3), b"")
    z.writestr(entry("HOST2/c.evtx", 0o100644 << 16, 3), data)
    z.writestr(entry("HOST2/dir-but-no-slash", (0o40755 << 16) | 0x10, 3), b"")
    z.writestr(entry("HOST2/d.evtx", 0o100644 << 16, 11), data)   # another system's attributes
raw = bytearray(open(up, "rb").read())
first = zipfile.ZipFile(up).infolist()[0]
name = bytearray(raw); name[first.header_offset + 30] ^= 0x01          # local name differs
open("lfhname.zip", "wb").write(name)
crc = bytearray(raw); crc[first.header_offset + 14] ^= 0x01             # local CRC differs
open("lfhcrc.zip", "wb").write(crc)
PY
for a in dos.zip unix.zip links.zip encr.zip lfhname.zip lfhcrc.zip; do
  "$EVTRIAGE" dump -j2 "$a" >fast.out 2>fast.err; rf=$?
  EVTRIAGE_MEMORY_BUDGET_MIB=0 "$EVTRIAGE" dump -j2 "$a" >slow.out 2>slow.err; rs=$?
  [ $rf -eq $rs ] && cmp -s fast.out slow.out && cmp -s fast.err slow.err && pass \
    || fail "$a: the routes differ (rc $rf/$rs): $(diff fast.err slow.err | head -4) $(diff fast.out slow.out | head -c 200)"
done
EVTRIAGE_LIBARCHIVE=/nonexistent/libarchive.so "$EVTRIAGE" dump dos.zip 2>/dev/null | grep -c '"file":"dos.zip!HOST1/[ab].evtx"' | grep -qx "$(( 2 * $("$EVTRIAGE" dump "up/HOST1/Security_1_record.evtx" 2>/dev/null | wc -l) ))" \
  && pass || fail "dos.zip not listed from its directory"
for a in links.zip unix.zip lfhname.zip lfhcrc.zip encr.zip; do
  EVTRIAGE_LIBARCHIVE=/nonexistent/libarchive.so "$EVTRIAGE" dump "$a" >/dev/null 2>err.txt
  grep -q "^$a: cannot read archive: libarchive could not be loaded" err.txt && pass || fail "$a was not left to libarchive: $(cat err.txt)"
done
! grep -q '^$' fast.err && pass || fail "a diagnostic spans two lines: $(cat -A fast.err)"
# A member too big for the memory budget is inflated by ISA-L into a temporary file by our own
# route (listed from the zip's directory: no libarchive needed), deflated or stored; a damaged
# one is left to libarchive, which reads it up to the damage and says so. All three routes agree.
mkdir -p bigup/H && cp "$CORPUS/parsers/plaso/System.evtx" bigup/H/System.evtx
(cd bigup && zip -qr ../big.zip H && zip -q -0 -r ../bigstored.zip H)
/usr/bin/python3 - big.zip bigbad.zip bigcrc.zip bigcrc2.zip <<'PY' || fail "making the damaged big zips"
import sys, zipfile
src, bad, badcrc, badcrc2 = sys.argv[1:]
data = bytearray(open(src, "rb").read())
info = max(zipfile.ZipFile(src).infolist(), key=lambda i: i.compress_size)
n, x = (int.from_bytes(data[info.header_offset + k:info.header_offset + k + 2], "little") for k in (26, 28))
body = info.header_offset + 30 + n + x
b = bytearray(data); b[body + info.compress_size * 3 // 4] ^= 0x5A      # the deflate data
open(bad, "wb").write(b)
c = bytearray(data)   # the file's entry in the central directory: its CRC
cd = data.index(b"PK\x01\x02")
while data[cd + 46:cd + 46 + len(info.filename)] != info.filename.encode():
    cd = data.index(b"PK\x01\x02", cd + 4)
c[cd + 16] ^= 0x01
open(badcrc, "wb").write(c)
c[info.header_offset + 14] ^= 0x01   # and the local header's: they agree, the data does not
open(badcrc2, "wb").write(c)
PY
want_big=$("$EVTRIAGE" dump --format count bigup/H/System.evtx)
for a in big.zip bigstored.zip bigbad.zip bigcrc.zip bigcrc2.zip; do
  "$EVTRIAGE" dump -j2 "$a" >mem.out 2>mem.err; rm_=$?
  EVTRIAGE_MEMORY_BUDGET_MIB=1 "$EVTRIAGE" dump -j2 "$a" >tmpf.out 2>tmpf.err; rt=$?
  EVTRIAGE_MEMORY_BUDGET_MIB=0 "$EVTRIAGE" dump -j2 "$a" >slow.out 2>slow.err; rs=$?
  [ $rm_ -eq $rt ] && [ $rt -eq $rs ] && cmp -s mem.out tmpf.out && cmp -s tmpf.out slow.out && cmp -s mem.err tmpf.err &&
    cmp -s tmpf.err slow.err && pass || fail "$a: the routes differ (rc $rm_/$rt/$rs): $(diff tmpf.err slow.err | head -4)"
  got=$(EVTRIAGE_MEMORY_BUDGET_MIB=1 EVTRIAGE_LIBARCHIVE=/nonexistent/libarchive.so "$EVTRIAGE" dump --format count "$a" 2>err.txt)
  case $a in
    bigbad.zip|bigcrc*.zip) grep -q "^$a[!:].*libarchive could not be loaded" err.txt && pass ||
        fail "$a: damaged, yet not left to libarchive: $got records, $(cat err.txt)" ;;
    *) [ "$got" = "$want_big" ] && [ ! -s err.txt ] && pass || fail "$a: over the budget without libarchive: $got records ($want_big), $(cat err.txt)" ;;
  esac
done
[ $rs -eq 1 ] && [ -s slow.err ] && pass || fail "bigcrc2.zip: the CRC mismatch not reported (rc $rs)"
# Only EVTX is read while it inflates: a zip inside a zip, over the budget, is whole before
# libarchive reads it.
(cd bigup && zip -q -0 -r ../inner0.zip H) && zip -q -0 outer0.zip inner0.zip
for b in 1 0; do EVTRIAGE_MEMORY_BUDGET_MIB=$b "$EVTRIAGE" dump -j2 outer0.zip >o$b.out 2>o$b.err; done
cmp -s o1.out o0.out && cmp -s o1.err o0.err && [ "$(wc -l <o1.out)" -eq "$want_big" ] && pass || fail "a big zip in a zip: $(wc -l <o1.out) records ($want_big)"
# ...and one damaged in the outer zip's deflate stream, which still inflates whole, to other
# bytes: its CRC is found wrong at its end, every byte is kept (libarchive used to drop its last
# block, and the inner zip then ended there, cut), and the inner zip is read whole, its member
# that holds the flipped bytes said damaged in turn, as on libarchive's own route.
mkdir -p nest/H && for i in 1 2 3 4; do cp bigup/H/System.evtx nest/H/S$i.evtx; done
(cd nest && zip -q -0 -r ../inner4.zip H) && zip -q -6 outer6.zip inner4.zip
/usr/bin/python3 - outer6.zip <<'PY'
import sys, zipfile
path = sys.argv[1]
info = zipfile.ZipFile(path).infolist()[0]
c = bytearray(open(path, "rb").read())
c[info.header_offset + 30 + len(info.filename) + len(info.extra) + int(info.compress_size * 0.7)] ^= 0x55
open(path, "wb").write(c)
PY
for b in 1 0; do EVTRIAGE_MEMORY_BUDGET_MIB=$b "$EVTRIAGE" dump --format count -j2 outer6.zip >d$b.out 2>d$b.err; done
cmp -s d1.out d0.out && cmp -s d1.err d0.err && ! grep -q 'archive damaged' d1.err \
  && grep -q '^outer6.zip!inner4.zip: damaged member (ZIP bad CRC: .*): all [0-9]* bytes of it were inflated and are read' d1.err && pass ||
  fail "a damaged big zip in a zip: the routes differ: $(diff d1.err d0.err | head -4)"
# Over the budget (1 MiB) a member is read while it inflates, so damage is found only after
# some of its records were read: libarchive is asked then, and decides its length and words as
# on its own route (0 MiB); the report's size, SHA-256 and problems of it agree too, at -j1
# (hashed by the reader) and -j2 (as it inflates).
for j in 1 2; do
  for b in 1 0; do EVTRIAGE_MEMORY_BUDGET_MIB=$b "$EVTRIAGE" analyze -q -j$j --json bb$b.json bigbad.zip 2>/dev/null; done
  /usr/bin/python3 - bb1.json bb0.json <<'PY' && pass || fail "bigbad.zip read while inflating, -j$j: the report differs"
import json, sys
fed, slow = ({i["path"]: (i["size"], i["sha256"], i["records"], i["problems"]) for i in json.load(open(p))["inputs"]} for p in sys.argv[1:])
assert fed == slow, (fed, slow)
(size, sha, n, problems), = fed.values()
assert problems[0].startswith("damaged member (") and size == 2166784 and len(sha) == 64 and n > 0, fed   # the declared bytes, no more
PY
done
mkdir tmpbig; TMPDIR="$TMP/tmpbig" EVTRIAGE_MEMORY_BUDGET_MIB=1 "$EVTRIAGE" dump --format count big.zip bigbad.zip >/dev/null 2>&1
[ -z "$(ls -A tmpbig)" ] && pass || fail "temporary files left by the big members: $(ls -A tmpbig)"
# Nothing left behind in the temporary folder.
mkdir tmpd; TMPDIR="$TMP/tmpd" "$EVTRIAGE" dump up.zip >/dev/null 2>&1
[ -z "$(ls -A tmpd)" ] && pass || fail "temporary files left: $(ls -A tmpd)"
# A decompression bomb: 100 MB of zeros next to a real log.
head -c 100000000 /dev/zero >zeros.evtx
zip -q bomb.zip zeros.evtx up/HOST1/Security_1_record.evtx && rm zeros.evtx
"$EVTRIAGE" dump bomb.zip >out.jsonl 2>err.txt; rc=$?
[ $rc -eq 1 ] && grep -q "zeros.evtx: refused: expansion ratio above 200" err.txt && pass || fail "bomb: rc=$rc $(cat err.txt)"
[ "$(wc -l <out.jsonl)" -ge 1 ] && pass || fail "bomb: the real log after it was not read"
# Overlapping members, the trick of zip bombs that inflate one stream many times over: entries
# sharing one local header (libarchive lists one of them and passed over the rest without a
# word), and a member whose header lies inside another's data. Refused and said, exit 1; the
# one real member is read once.
/usr/bin/python3 - up/HOST1/Security_1_record.evtx <<'PY' || fail "making the overlapping zips"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
def local(name, method, crc, csize, usize):
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, csize, usize, len(name), 0) + name
def central(name, method, crc, csize, usize, off):
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc, csize, usize, len(name),
                       0, 0, 0, 0, 0o100644 << 16, off) + name
def finish(path, body, cd, n):
    open(path, "wb").write(body + cd + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), len(body), 0))
co = zlib.compressobj(9, zlib.DEFLATED, -15)
packed = co.compress(data) + co.flush()
crc = zlib.crc32(data)
body = local(b"one.evtx", 8, crc, len(packed), len(data)) + packed
finish("shared.zip", body, b"".join(central(b"one.evtx" if i == 0 else b"copy%02d.evtx" % i, 8, crc, len(packed),
                                             len(data), 0) for i in range(20)), 20)
# past 10,000 entries the zip is read as a stream, which meets one member per local header
finish("shared-many.zip", body, b"".join(central(b"c%05d.evtx" % i if i else b"one.evtx", 8, crc, len(packed),
                                                  len(data), 0) for i in range(20000)), 20000)
def quoted(path, outer_name, inner_name):
    inner = local(inner_name, 8, crc, len(packed), len(data)) + packed
    outer = local(outer_name, 0, zlib.crc32(inner), len(inner), len(inner)) + inner
    finish(path, outer, central(outer_name, 0, zlib.crc32(inner), len(inner), len(inner), 0)
           + central(inner_name, 8, crc, len(packed), len(data), 30 + len(outer_name)), 2)
quoted("quoted.zip", b"outer.bin", b"inner.evtx")
quoted("samename.zip", b"same.evtx", b"same.evtx")   # found by its place, not its name
PY
one=$("$EVTRIAGE" dump up/HOST1/Security_1_record.evtx 2>/dev/null | wc -l)
for cmd in dump analyze; do
  case $cmd in analyze) args=(-q --json shared.json) ;; *) args=() ;; esac
  "$EVTRIAGE" $cmd "${args[@]}" shared.zip >out.jsonl 2>err.txt; rc=$?
  [ $rc -eq 1 ] && grep -qxF "shared.zip: refused: 19 entries of the directory share a local header with another entry (overlapping members: a zip bomb's trick); one entry of each such header was read" err.txt \
    && pass || fail "$cmd shared.zip: rc=$rc $(cat err.txt)"
done
[ "$(wc -l <out.jsonl)" -eq 0 ] && [ "$(grep -c '"path":"shared.zip!' shared.json)" -eq 1 ] && pass || fail "shared.zip: not one input"
n=$("$EVTRIAGE" dump shared.zip 2>/dev/null | wc -l); [ "$n" -eq "$one" ] && pass || fail "shared.zip: $n records, not the $one of the one member"
"$EVTRIAGE" dump quoted.zip >out.jsonl 2>err.txt; rc=$?
[ $rc -eq 1 ] && grep -qxF "quoted.zip!inner.evtx: refused: its header lies inside the data of member 'outer.bin' (overlapping members: a zip bomb's trick)" err.txt \
  && ! grep -q '"file":"quoted.zip!inner.evtx"' out.jsonl && pass || fail "quoted.zip: rc=$rc $(cat err.txt)"
"$EVTRIAGE" dump samename.zip >out.jsonl 2>err.txt; rc=$?
[ $rc -eq 1 ] && grep -qxF "samename.zip!same.evtx: refused: its header lies inside the data of member 'same.evtx' (overlapping members: a zip bomb's trick)" err.txt \
  && [ "$(grep -c '"file":"samename.zip!same.evtx"' out.jsonl)" -eq 0 ] && pass || fail "samename.zip: rc=$rc $(cat err.txt)"
"$EVTRIAGE" dump shared-many.zip >out.jsonl 2>err.txt; rc=$?
[ $rc -eq 1 ] && grep -qxF "shared-many.zip: refused: 19999 entries of the directory overlap another entry's header or data (overlapping members: a zip bomb's trick); read as a stream, the zip gave only the members its local headers chain to" err.txt \
  && [ "$(wc -l <out.jsonl)" -eq "$one" ] && pass || fail "shared-many.zip: rc=$rc $(wc -l <out.jsonl) records: $(cat err.txt)"
"$EVTRIAGE" dump --max-member-bytes 10K up.zip >/dev/null 2>err.txt; rc=$?
[ $rc -eq 1 ] && grep -q "refused: member expands past 10240 bytes" err.txt && pass || fail "member limit: rc=$rc"
"$EVTRIAGE" dump --max-members 1 up.zip >/dev/null 2>err.txt; [ $? -eq 1 ] && grep -q "too many members (--max-members is 1)" err.txt && pass || fail "member count"
# every command that reads inputs takes the limits (hunt had none), -j and -q, and says so
for cmd in dump hunt analyze; do
  "$EVTRIAGE" $cmd --help >help.txt
  missing=""
  for o in --max-total-bytes --max-member-bytes --max-ratio --max-members --max-depth "-j, --jobs" "-q, --quiet"; do
    grep -q -- "^  $o " help.txt || missing="$missing $o"
  done
  [ -z "$missing" ] && pass || fail "$cmd --help lacks:$missing"
done
for cmd in "analyze -q" "hunt -r $EVTRIAGE_SOURCE/rules/packs"; do
  "$EVTRIAGE" $cmd --max-members 1 up.zip >/dev/null 2>err.txt; rc=$?
  [ $rc -eq 1 ] && grep -q "up.zip: refused: too many members (--max-members is 1)" err.txt && pass || fail "$cmd --max-members: rc=$rc"
  "$EVTRIAGE" $cmd --max-members -1 up.zip >/dev/null 2>err.txt; rc=$?
  [ $rc -eq 2 ] && grep -q -- "--max-members: expected a whole number" err.txt && pass || fail "$cmd --max-members -1: rc=$rc"
done
# Millions of tiny members: memory does not grow with them. A zip of 200,000 entries read with
# --max-members 1000 takes about what one of 1,000 takes, whether our directory reader lists it
# (made as Info-ZIP makes them) or it cannot (no file type in its attributes, as Python's zipfile
# writes them: then it is read as a stream, never libarchive's whole directory once per thread);
# and both say the same.
/usr/bin/python3 - <<'PY'
import zipfile
for name, n, unix_type, method, data in (("many.zip", 200000, True, zipfile.ZIP_STORED, b"x"),
                                        ("many-py.zip", 200000, False, zipfile.ZIP_STORED, b"x"),
                                        ("many-bz.zip", 100000, True, zipfile.ZIP_BZIP2, b"x"),
                                        ("many-empty.zip", 100000, True, zipfile.ZIP_STORED, b""),
                                        ("few.zip", 1000, True, zipfile.ZIP_STORED, b"x")):
    with zipfile.ZipFile(name, "w", method) as z:
        for i in range(n):
            info = zipfile.ZipInfo(f"d/{i}.txt")
            info.external_attr = (0o100644 if unix_type else 0o644) << 16
            info.compress_type = method
            z.writestr(info, data)
PY
# (under AddressSanitizer, memory freed waits in its quarantine, up to 256 MiB: not ours to count)
peak() {
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0" \
    /usr/bin/time -f %M -o peak.txt "$EVTRIAGE" dump --format count -j2 --max-members 1000 "$1" >/dev/null 2>"$1.err"
  tail -1 peak.txt
}
base=$(peak few.zip)
# Listed by us but its members for libarchive (bzip2, or empty): read as a stream too, not with
# libarchive's whole directory in each thread's handle.
for z in many.zip many-py.zip many-bz.zip many-empty.zip; do
  kib=$(peak $z)
  [ $((kib - base)) -lt 12288 ] && pass || fail "$z: $kib KiB at its peak, $base KiB for 1,000 entries"
  [ "$(grep -c 'skipped: \(not an EVTX\|empty\)' $z.err)" -eq 1000 ] && grep -q "^$z: refused: too many members" $z.err && pass ||
    fail "$z: not 1,000 members then a refusal: $(tail -2 $z.err)"
done
cmp -s many.zip.err <(sed 's/^many-py\.zip/many.zip/' many-py.zip.err) && pass || fail "a zip listed and one streamed say different things: $(diff many.zip.err <(sed 's/^many-py\.zip/many.zip/' many-py.zip.err) | head -4)"
"$EVTRIAGE" dump --max-depth 0 up.zip >/dev/null 2>err.txt; [ $? -eq 1 ] && grep -q "inner.zip: refused: archive nested too deeply (--max-depth is 0)" err.txt && pass || fail "depth"
"$EVTRIAGE" dump --max-ratio x up.zip >/dev/null 2>&1; [ $? -eq 2 ] && pass || fail "bad --max-ratio: want exit 2"
# Encrypted member, link member, and hostile names: refused or read, never written anywhere.
(cd up && zip -q -P secret ../enc.zip HOST1/Security_1_record.evtx)
"$EVTRIAGE" dump enc.zip >/dev/null 2>err.txt; [ $? -eq 1 ] && grep -q "refused: encrypted member" err.txt && pass || fail "encrypted: $(cat err.txt)"
ln -s /etc/passwd up/link.evtx
tar cf links.tar -C up link.evtx HOST1 --transform 's,^HOST1,../../evil,'
"$EVTRIAGE" dump links.tar >out.jsonl 2>err.txt
grep -q "link.evtx: skipped: not a regular file" err.txt && pass || fail "link: $(cat err.txt)"
grep -q '"file":"links.tar!../../evil/Security_1_record.evtx"' out.jsonl && pass || fail "dotdot member not read"
[ ! -e "$TMP/../evil" ] && pass || fail "a member was written outside"
# Not an archive, not EVTX, named explicitly.
echo junk >junk.bin; "$EVTRIAGE" dump junk.bin >/dev/null 2>err.txt; [ $? -eq 0 ] && grep -q "junk.bin: skipped" err.txt && pass || fail "junk"
# A truncated archive: members before the cut are read, the damage is reported.
head -c 2000 up.tgz >cut.tgz; "$EVTRIAGE" dump cut.tgz >/dev/null 2>err.txt; [ $? -eq 1 ] && pass || fail "truncated archive: $(cat err.txt)"
# One file compressed (gzip, xz, bzip2, zstd, lz4) is read as its only member, named after the
# file less the suffix; the same in a zip and on standard input. A compressed non-EVTX file is
# listed as skipped; a truncated one is one refusal (exit 1), the files beside it still read.
f=up/HOST1/Security_1_record.evtx
gzip -c $f >one.evtx.gz; xz -c $f >one.evtx.xz; bzip2 -c $f >one.evtx.bz2; zstd -q -c $f >one.evtx.zst
lz4 -q -c $f >one.evtx.lz4; gzip -c $f >nosuffix; zip -q gz.zip one.evtx.gz
"$EVTRIAGE" dump $f >plain.jsonl 2>plain.err
for c in one.evtx.gz one.evtx.xz one.evtx.bz2 one.evtx.zst one.evtx.lz4 nosuffix gz.zip -; do
  "$EVTRIAGE" dump $c <one.evtx.gz >out.jsonl 2>err.txt; rc=$?
  case $c in gz.zip) name='gz.zip!one.evtx.gz!one.evtx' ;; -) name='(standard input)!data' ;;
    nosuffix) name='nosuffix!data' ;; *) name="$c!one.evtx" ;; esac
  [ $rc -eq 0 ] && cmp -s <(sed "s|^$f:|$name:|" plain.err) err.txt && pass || fail "$c: rc=$rc $(cat err.txt)"
  cmp -s <(sed 's/"file":"[^"]*"//' out.jsonl) <(sed 's/"file":"[^"]*"//' plain.jsonl) && pass || fail "$c: records differ from the plain file"
  grep -qF "\"file\":\"$name\"" out.jsonl && pass || fail "$c: member not named $name: $(head -c 200 out.jsonl)"
done
echo "not a log" | gzip >notes.txt.gz
"$EVTRIAGE" dump notes.txt.gz >/dev/null 2>err.txt; rc=$?
[ $rc -eq 0 ] && grep -qx 'notes.txt.gz!notes.txt: skipped: not an EVTX file (no ElfFile signature)' err.txt && pass || fail "compressed text: rc=$rc $(cat err.txt)"
# A 7z cut short (its index is at its end, so nothing can be listed): one line says so, exit 1.
head -c 3000 up.7z >cut.7z
"$EVTRIAGE" dump cut.7z >out.jsonl 2>err.txt; rc=$?
[ $rc -eq 1 ] && [ ! -s out.jsonl ] && grep -qx 'cut.7z: archive damaged: no reason given by libarchive (cut short, or its index damaged?); the members before this point were read' err.txt && pass || fail "cut 7z: rc=$rc $(cat err.txt)"
# Empty members are said as empty, not as lacking a signature: a compressed file of nothing
# (libarchive lists no member at all), and a 0-byte member of a tar and of a zip; analyze
# lists the one member of the empty .gz.
mkdir -p zero && : >zero/zero.evtx && tar czf zero.tgz zero && (cd zero && zip -q ../zero.zip zero.evtx)
: | gzip >empty.evtx.gz; : | xz >empty.evtx.xz
"$EVTRIAGE" dump empty.evtx.gz empty.evtx.xz zero.tgz zero.zip >out.jsonl 2>err.txt; rc=$?
[ $rc -eq 0 ] && [ ! -s out.jsonl ] && cmp -s err.txt - <<'E' && pass || fail "empty members: rc=$rc $(cat err.txt)"
empty.evtx.gz!empty.evtx: skipped: empty (0 bytes)
empty.evtx.xz!empty.evtx: skipped: empty (0 bytes)
zero.tgz!zero/zero.evtx: skipped: empty (0 bytes)
zero.zip!zero.evtx: skipped: empty (0 bytes)
E
"$EVTRIAGE" analyze --json empty.json empty.evtx.gz >/dev/null 2>&1
/usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
a = [x for x in r["archives"] if x["path"] == "empty.evtx.gz"]
s = [x for x in r["skipped"] if x["path"] == "empty.evtx.gz!empty.evtx"]
sys.exit(not (a and a[0]["members"] == 1 and s and s[0]["reason"] == "empty (0 bytes)"))' <empty.json && pass || fail "empty .gz: not listed as one empty member"
# A gzip cut after 300 bytes: the 4 KiB inflated before the cut are read (the file header and
# the start of chunk 0, which is said), and the file beside it.
head -c 300 one.evtx.gz >cut.evtx.gz
"$EVTRIAGE" dump cut.evtx.gz $f >out.jsonl 2>err.txt; rc=$?
[ $rc -eq 1 ] && grep -q '^cut.evtx.gz!cut.evtx: damaged member (truncated gzip input): its first [1-9][0-9]* bytes, inflated before the damage was found, are read; cut short: the file header counts 1 chunk(s), the file holds 0 whole$' err.txt &&
  grep -q '^cut.evtx.gz!cut.evtx: chunk 0: file ends inside the chunk' err.txt && pass || fail "truncated gzip: rc=$rc $(cat err.txt)"
cmp -s out.jsonl plain.jsonl && pass || fail "the file beside a truncated gzip not read"
# ISA-L inflates gzip in front of libarchive: it also checks the trailer, which libarchive's
# own gzip filter did not (a flipped CRC, or a flipped byte of the data, was read as sound).
# Members one after another are one stream; bytes after the last are ignored.
/usr/bin/python3 - one.evtx.gz <<'PY' || fail "making the damaged gzips"
import sys
d = open(sys.argv[1], "rb").read()
crc = bytearray(d); crc[-8] ^= 1; open("badcrc.evtx.gz", "wb").write(crc)
mid = bytearray(d); mid[len(d) // 2] ^= 0x55; open("mid.evtx.gz", "wb").write(mid)
open("trail.evtx.gz", "wb").write(d + b"trailing bytes, not gzip\n")
PY
"$EVTRIAGE" dump badcrc.evtx.gz >out.jsonl 2>err.txt; rc=$?
[ $rc -eq 1 ] && cmp -s out.jsonl <(sed 's/one.evtx.gz!one.evtx/badcrc.evtx.gz!badcrc.evtx/' <("$EVTRIAGE" dump one.evtx.gz 2>/dev/null)) &&
  grep -qx "badcrc.evtx.gz!badcrc.evtx: damaged member (gzip CRC-32 or length does not match the data): its first $(stat -c %s $f) bytes, inflated before the damage was found, are read" err.txt \
  && pass || fail "gzip with a bad CRC: rc=$rc $(cat err.txt)"
"$EVTRIAGE" dump mid.evtx.gz >/dev/null 2>err.txt; rc=$?
[ $rc -eq 1 ] && grep -q '^mid.evtx.gz!mid.evtx: damaged member (gzip' err.txt && pass || fail "gzip with a bad byte: rc=$rc $(cat err.txt)"
/usr/bin/python3 -c 'import sys; d = bytearray(open("up.tgz", "rb").read()); d[-8] ^= 1; open("crc.tgz", "wb").write(d)'
"$EVTRIAGE" dump crc.tgz 2>err.txt | sed 's/"file":"crc.tgz/"file":"up.tgz/' >out.jsonl; rc=${PIPESTATUS[0]}
[ $rc -eq 1 ] && cmp -s out.jsonl <("$EVTRIAGE" dump up.tgz 2>/dev/null) &&
  grep -qx 'crc.tgz: archive damaged: gzip CRC-32 or length does not match the data; the members before this point were read' err.txt \
  && pass || fail "tar.gz with a bad CRC: $(cat err.txt)"
cat one.evtx.gz one.evtx.gz >two.evtx.gz; cat $f $f >two.evtx
for c in two trail; do
  "$EVTRIAGE" dump $c.evtx.gz 2>err.txt | sed 's/"file":"[^"]*"//' >out.jsonl; rc=${PIPESTATUS[0]}
  want=$([ $c = two ] && echo two.evtx || echo $f)
  [ $rc -eq 0 ] && ! grep -q damaged err.txt && cmp -s out.jsonl <("$EVTRIAGE" dump $want 2>/dev/null | sed 's/"file":"[^"]*"//') && pass || fail "$c.evtx.gz: rc=$rc $(cat err.txt)"
done
# A cabinet (Microsoft support's diagnostic packages come as .cab), stored or MSZIP: its EVTX
# members read, the rest listed as skipped.
for m in "" --mszip; do
  /usr/bin/python3 "$HERE/mkcab.py" $m sdp.cab "$f" up/HOST2/readme.txt || fail "mkcab $m"
  "$EVTRIAGE" dump sdp.cab >out.jsonl 2>err.txt; rc=$?
  cmp -s <(sed 's/"file":"[^"]*"//' out.jsonl) <(sed 's/"file":"[^"]*"//' plain.jsonl) && grep -q '"file":"sdp.cab!Security_1_record.evtx"' out.jsonl \
    && [ $rc -eq 0 ] && grep -q '^sdp.cab!readme.txt: skipped: not an EVTX file' err.txt && pass || fail "cab $m: rc=$rc $(cat err.txt)"
done
# A member damaged part way (a cut upload, a bad byte) is read up to the damage: the records
# before it are read, one line says what was wrong and how much came through, the exit code
# is 1, and the report holds one input for it, with that problem. The same in a zip, by
# every route.
big="$CORPUS/parsers/plaso/System.evtx"
gzip -c "$big" >sys.evtx.gz; head -c $(( $(stat -c %s sys.evtx.gz) / 2 )) sys.evtx.gz >half.evtx.gz
"$EVTRIAGE" dump half.evtx.gz >out.jsonl 2>err.txt; rc=$?
n=$(wc -l <out.jsonl); all=$("$EVTRIAGE" dump --format count "$big" 2>/dev/null)
[ $rc -eq 1 ] && [ "$n" -gt 100 ] && [ "$n" -lt "$all" ] && pass || fail "half a gzip: rc=$rc, $n of $all records"
grep -q '^half.evtx.gz!half.evtx: damaged member (truncated gzip input): its first [0-9]* bytes, inflated before the damage was found, are read; cut short: the file header counts [0-9]* chunk(s), the file holds [0-9]* whole$' err.txt \
  && pass || fail "half a gzip not said: $(cat err.txt)"
"$EVTRIAGE" analyze -q --json half.json half.evtx.gz 2>/dev/null; rc=$?
/usr/bin/python3 - half.json "$n" <<'PY' && [ $rc -eq 1 ] && pass || fail "half a gzip in the report (exit $rc)"
import json, sys
r = json.load(open(sys.argv[1]))
ins = [i for i in r["inputs"] if i["path"] == "half.evtx.gz!half.evtx"]
assert len(ins) == 1, ins
i = ins[0]
assert i["records"] == int(sys.argv[2]) and not i["unreadable"] and i["sha256"], i
assert i["problems"][0].startswith("damaged member (truncated gzip input)"), i["problems"]
assert any(g["kind"] == "damaged" for g in r["gaps"]), r["gaps"]
PY
cp "$big" up/HOST1/System.evtx; (cd up && zip -q ../two.zip HOST1/System.evtx HOST1/Security_1_record.evtx); rm up/HOST1/System.evtx
/usr/bin/python3 - two.zip badbyte.zip <<'PY' || fail "making badbyte.zip"
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
data = bytearray(open(src, "rb").read())
info = zipfile.ZipFile(src).getinfo("HOST1/System.evtx")
name_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
data[info.header_offset + 30 + name_len + extra_len + info.compress_size * 3 // 4] ^= 0x5A
open(dst, "wb").write(data)
PY
for b in "" 1 0; do
  EVTRIAGE_MEMORY_BUDGET_MIB=$b "$EVTRIAGE" dump -j2 badbyte.zip >bb$b.jsonl 2>bb$b.err; echo $? >bb$b.rc
done
EVTRIAGE_MEMORY_BUDGET_MIB=0 "$EVTRIAGE" dump -j1 badbyte.zip >bbs.jsonl 2>bbs.err   # one libarchive handle for all
cmp -s bb.jsonl bb1.jsonl && cmp -s bb.jsonl bb0.jsonl && cmp -s bb.jsonl bbs.jsonl && cmp -s bb.err bb1.err \
  && cmp -s bb.err bb0.err && cmp -s bb.err bbs.err && pass || fail "badbyte.zip: routes differ"
n=$(grep -c '"file":"badbyte.zip!HOST1/System.evtx"' bb.jsonl)
[ "$(cat bb.rc)" -eq 1 ] && [ "$n" -gt 100 ] && [ "$n" -lt "$all" ] && grep -q '"file":"badbyte.zip!HOST1/Security_1_record.evtx"' bb.jsonl \
  && pass || fail "badbyte.zip: rc=$(cat bb.rc), $n of $all records of the damaged member"
grep -q '^badbyte.zip!HOST1/System.evtx: damaged member (' bb.err && pass || fail "badbyte.zip: damage not said: $(head -3 bb.err)"
# Member names beyond ASCII (a zip's UTF-8 names, a tar's pax path, a 7z's UTF-16): libarchive
# converts them to the locale's character set, and in the C locale every such name used to end
# the archive's listing ("Pathname cannot be converted"), nothing read. A name that is not valid
# UTF-8 under a zip's UTF-8 flag still cannot be given: that member is read under a stand-in.
mkdir -p intl/Müller intl/日本 && cp up/HOST1/Security_1_record.evtx intl/Müller/System.evtx && cp up/HOST2/renamed.log intl/日本/App.evtx
/usr/bin/python3 - intl <<'PY' || fail "making the archives with non-ASCII names"
import io, sys, tarfile, zipfile
names = ["Müller/System.evtx", "日本/App.evtx"]
with zipfile.ZipFile("intl.zip", "w", zipfile.ZIP_DEFLATED) as z, tarfile.open("intl.tgz", "w:gz", format=tarfile.PAX_FORMAT) as t:
    for n in names:
        data = open(sys.argv[1] + "/" + n, "rb").read()
        z.writestr(n, data)
        info = tarfile.TarInfo(n); info.size = len(data); t.addfile(info, io.BytesIO(data))
with zipfile.ZipFile("badname.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for n in ["first.evtx", "bad\u00e9.evtx", "last.evtx"]:
        z.writestr(n, open(sys.argv[1] + "/Müller/System.evtx", "rb").read())
data = open("badname.zip", "rb").read().replace("bad\u00e9".encode(), b"bad\xff\xfe")   # same length, flag kept
open("badname.zip", "wb").write(data)
# two members whose names differ only in form (decomposed, composed): libarchive gives both as
# the composed one; each member's own bytes must still be read, not the other's twice
with zipfile.ZipFile("nfd.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("cafe\u0301.evtx", open(sys.argv[1] + "/Müller/System.evtx", "rb").read())
    z.writestr("caf\u00e9.evtx", open(sys.argv[1] + "/日本/App.evtx", "rb").read())
PY
(cd intl && LC_ALL=C.UTF-8 bsdtar --format 7zip -cf ../intl.7z Müller 日本) || fail "making intl.7z"
two=$("$EVTRIAGE" dump intl 2>/dev/null | wc -l)
for a in intl.zip intl.tgz intl.7z; do
  for budget in "" 0; do
    EVTRIAGE_MEMORY_BUDGET_MIB=$budget "$EVTRIAGE" dump -j2 "$a" >out.jsonl 2>err.txt; rc=$?
    [ $rc -eq 0 ] && ! grep -q 'archive\|Pathname' err.txt && [ "$(wc -l <out.jsonl)" -eq "$two" ] && grep -q "\"file\":\"$a!Müller/System.evtx\"" out.jsonl \
      && grep -q "\"file\":\"$a!日本/App.evtx\"" out.jsonl && pass || fail "$a (budget '$budget'): rc=$rc, $(wc -l <out.jsonl) records: $(head -3 err.txt)"
  done
done
one=$("$EVTRIAGE" dump up/HOST1/Security_1_record.evtx | wc -l)
for budget in "" 0; do
  EVTRIAGE_MEMORY_BUDGET_MIB=$budget "$EVTRIAGE" dump -j2 nfd.zip >out.jsonl 2>/dev/null
  [ "$(sed 's/"file":"[^"]*",//' out.jsonl | sort | md5sum)" = "$("$EVTRIAGE" dump intl 2>/dev/null | sed 's/"file":"[^"]*",//' | sort | md5sum)" ] \
    && [ "$(grep -c '"file":"nfd.zip!café.evtx"' out.jsonl)" -eq "$two" ] && pass || fail "nfd.zip (budget '$budget'): $(cut -c1-40 out.jsonl | sort | uniq -c)"
done
for budget in "" 0; do
  EVTRIAGE_MEMORY_BUDGET_MIB=$budget "$EVTRIAGE" dump -j2 badname.zip >out.jsonl 2>err.txt; rc=$?
  [ $rc -eq 1 ] && [ "$(wc -l <out.jsonl)" -eq $((3 * one)) ] && grep -q '"file":"badname.zip!last.evtx"' out.jsonl \
    && grep -qx 'badname.zip!(member 2: name not readable): archive warning: Pathname cannot be converted from UTF-8 to current locale.' err.txt \
    && pass || fail "badname.zip (budget '$budget'): rc=$rc, $(wc -l <out.jsonl) records: $(cat err.txt)"
done
# A name's control characters and bytes that are not UTF-8 never reach stderr as they are: the
# diagnostic stays one line, the name written with \xHH for them.
/usr/bin/python3 - "$CORPUS/parsers/plaso/System2.evtx" <<'PY' || fail "making ctl.zip"
import sys, zipfile
with zipfile.ZipFile("ctl.zip", "w") as z:
    z.writestr("bad\x1b[31mred\nline.txt", b"not a log")
    z.write(sys.argv[1], "cut\x1b[2J.evtx")
PY
for cmd in dump hunt analyze; do   # analyze says them through its own path: the same lines
  case $cmd in hunt) args=(--rules "$CORPUS/sigma-regression/0b9ad457-2554-44c1-82c2-d56a99c42377/rule.yml") ;;
    analyze) args=(-q --json /dev/null) ;; *) args=() ;; esac
  "$EVTRIAGE" $cmd "${args[@]}" ctl.zip >/dev/null 2>err.txt
  grep -qxF 'ctl.zip!bad\x1B[31mred\x0Aline.txt: skipped: not an EVTX file (no ElfFile signature)' err.txt \
    && grep -qxF 'ctl.zip!cut\x1B[2J.evtx: chunk 2: file ends inside the chunk (64832 of 65536 bytes present)' err.txt \
    && ! grep -q "$(printf '\033')" err.txt && pass || fail "$cmd: control characters in a diagnostic: $(cat -v err.txt)"
done
# analyze hashes every archive as received (the container, besides the EVTX files in it), nested
# ones too, whatever the route and the thread count; a damaged one is still hashed.
unzip -p up.zip inner.zip >inner.zip
archives() { /usr/bin/python3 -c '
import json, sys
for a in json.load(open(sys.argv[1]))["archives"]:
    print(a["path"], a["size"], a["sha256"], a["members"], a["inputs"], a["unreadable"])' "$1"; }
for j in 1 3; do
  SOURCE_DATE_EPOCH=1 "$EVTRIAGE" analyze -q -j$j --json "arch$j.json" --report-md arch.md --report-html arch.html \
    up.zip up.tgz cut.tgz >/dev/null 2>err.txt; rc=$?
  [ $rc -eq 1 ] && grep -q "^cut.tgz!HOST1/Security_1_record.evtx: damaged member (truncated gzip input)" err.txt && ! grep -q "SHA-256" err.txt && pass || fail "analyze archives -j$j: rc=$rc $(cat err.txt)"
done
cmp -s arch1.json arch3.json && pass || fail "archives differ between -j1 and -j3: $(diff arch1.json arch3.json | head -5)"
want_arch=$(printf '%s %s %s %s %s 0\n' \
  cut.tgz "$(stat -c %s cut.tgz)" "$(sha256sum <cut.tgz | cut -c1-64)" 1 1 \
  up.tgz "$(stat -c %s up.tgz)" "$(sha256sum <up.tgz | cut -c1-64)" 3 2 \
  up.zip "$(stat -c %s up.zip)" "$(sha256sum <up.zip | cut -c1-64)" 2 2 \
  up.zip!inner.zip "$(stat -c %s inner.zip)" "$(sha256sum <inner.zip | cut -c1-64)" 2 1)
[ "$(archives arch1.json)" = "$want_arch" ] && pass || fail "archives: $(archives arch1.json) (want $want_arch)"
for f in arch.md arch.html; do
  grep -q "$(sha256sum <up.zip | cut -c1-64)" $f && grep -q "$(sha256sum <inner.zip | cut -c1-64)" $f && pass || fail "$f lacks the archive hashes"
done
"$EVTRIAGE" analyze up.zip 2>/dev/null | grep -q "^- archive up.zip (.*): 2 member(s), 2 EVTX input(s); SHA-256$" \
  && pass || fail "terminal report: $("$EVTRIAGE" analyze up.zip 2>/dev/null | grep -A1 'archive up.zip')"
EVTRIAGE_MEMORY_BUDGET_MIB=0 SOURCE_DATE_EPOCH=1 "$EVTRIAGE" analyze -q -j2 --json slow.json up.zip up.tgz cut.tgz 2>/dev/null
[ "$(archives slow.json)" = "$want_arch" ] && pass || fail "archives through temporary files: $(archives slow.json)"
# A zip member too big for the memory budget (here 1 MiB) is hashed by a second thread as it
# inflates at -j2, by the reader at -j1: its SHA-256 is its file's either way.
mkdir -p hz && cp "$CORPUS/parsers/plaso/System.evtx" hz/System.evtx && cp up/HOST1/Security_1_record.evtx hz/small.evtx && (cd hz && zip -q ../hz.zip System.evtx small.evtx)
for j in 1 2; do
  EVTRIAGE_MEMORY_BUDGET_MIB=1 "$EVTRIAGE" analyze -q -j$j --json hashes.json hz.zip 2>/dev/null
  /usr/bin/python3 - hashes.json hz <<'PY' && pass || fail "member hashes past the memory budget at -j$j"
import hashlib, json, sys
r = json.load(open(sys.argv[1]))
got = {i["path"]: i["sha256"] for i in r["inputs"]}
want = {"hz.zip!" + m: hashlib.sha256(open(sys.argv[2] + "/" + m, "rb").read()).hexdigest() for m in ("System.evtx", "small.evtx")}
assert got == want, (got, want)
PY
done
"$EVTRIAGE" analyze -q --hash none --json none.json up.zip 2>/dev/null
[ "$(archives none.json | cut -d' ' -f3 | sort -u)" = None ] && pass || fail "--hash none: $(archives none.json)"
# An archive whose members were refused still lists them as unreadable inputs of it.
"$EVTRIAGE" analyze -q --max-member-bytes 10K --json lim.json up.zip 2>/dev/null
[ "$(archives lim.json | head -1 | cut -d' ' -f4-)" = "2 2 2" ] && pass || fail "refused members: $(archives lim.json)"
# libarchive is loaded only when an archive is read: without it an archive is one clear
# refusal (exit 1) and the EVTX files beside it are still read
EVTRIAGE_LIBARCHIVE=/nonexistent/libarchive.so "$EVTRIAGE" dump up.tgz up/HOST1/Security_1_record.evtx >out.jsonl 2>err.txt; rc=$?
[ $rc -eq 1 ] && grep -q "^up.tgz: cannot read archive: libarchive could not be loaded (/nonexistent/libarchive.so: " err.txt \
  && [ "$(wc -l <out.jsonl)" -ge 1 ] && pass || fail "no libarchive: rc=$rc $(cat err.txt)"
# Reading evidence leaves its access times as they were (O_NOATIME where the system allows it:
# the owner, or root), folders and archives included; a file that is not ours is still read.
mkdir -p at/sub && cp up/HOST1/Security_1_record.evtx at/sub/a.evtx && (cd at && zip -q ../at.zip sub/a.evtx)
touch -a -d 2000-01-01 at at/sub at/sub/a.evtx at.zip
old_atime=$(date -d 2000-01-01 +%s)
"$EVTRIAGE" analyze -q at at.zip >/dev/null 2>&1
"$EVTRIAGE" dump at/sub/a.evtx >/dev/null 2>&1
[ "$(stat -c %X at at/sub at/sub/a.evtx at.zip | sort -u)" = "$old_atime" ] && pass \
  || fail "access times changed: $(stat -c '%n %x' at at/sub at/sub/a.evtx at.zip)"
cat at/sub/a.evtx >/dev/null
[ "$(stat -c %X at/sub/a.evtx)" != "$old_atime" ] \
  || echo "note: this filesystem does not update access times (noatime): the check above could not fail"
chmod 755 "$TMP" at at/sub && chmod 644 at/sub/a.evtx
if [ "$(id -u)" = 0 ] && setpriv --reuid=65534 --regid=65534 --clear-groups "$EVTRIAGE" --version >/dev/null 2>&1; then
  setpriv --reuid=65534 --regid=65534 --clear-groups "$EVTRIAGE" dump at/sub/a.evtx >nobody.out 2>/dev/null; rc=$?
  "$EVTRIAGE" dump at/sub/a.evtx >owner.out 2>/dev/null
  [ $rc -eq 0 ] && [ -s owner.out ] && cmp -s nobody.out owner.out && pass || fail "a file of another owner: rc=$rc"
else
  echo "note: not root (or setpriv cannot run evtriage as nobody): reading another owner's file is not checked"
fi
finish
