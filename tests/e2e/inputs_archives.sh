# inputs_archives.sh: archives are read in place (zip, tar.gz, tar.xz, 7z if available, nested),
# EVTX found by signature, hostile members refused with a message while the rest is read.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
mkdir -p up/HOST1 up/HOST2
cp "$CORPUS/parsers/velocidex/Security_1_record.evtx" up/HOST1/
cp "$CORPUS/machine-logs/Microsoft-Windows-AAD%4Operational.evtx" up/HOST2/renamed.log
echo "not a log" >up/HOST2/readme.txt
want=$("$EVTRIAGE" dump up/HOST1/Security_1_record.evtx up/HOST2/renamed.log 2>/dev/null | wc -l)
[ "$want" -gt 1 ] && pass || fail "plain files: $want records"
(cd up && zip -qr inner.zip HOST2 && zip -qr ../up.zip HOST1 inner.zip && rm inner.zip && tar czf ../up.tgz HOST1 HOST2 && tar cJf ../up.txz HOST1 HOST2)
for a in up.zip up.tgz up.txz; do
  "$EVTRIAGE" dump "$a" >out.jsonl 2>err.txt; rc=$?
  n=$(wc -l <out.jsonl)
  [ $rc -eq 0 ] && [ "$n" -eq "$want" ] && pass || fail "$a: rc=$rc, $n records (want $want): $(cat err.txt)"
  grep -q "readme.txt: skipped: not an EVTX file" err.txt && pass || fail "$a: readme not listed as skipped"
done
grep -q '"file":"up.zip!inner.zip!HOST2/renamed.log"' <("$EVTRIAGE" dump up.zip 2>/dev/null) && pass || fail "nested member not named"
# Zip members are inflated in memory (libdeflate) when they fit the memory budget, else through
# libarchive; both routes give the same output, also for stored, zip64 and damaged members.
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
for a in up.zip stored.zip z64.zip damaged.zip; do
  "$EVTRIAGE" dump -j2 "$a" >fast.out 2>fast.err; rf=$?
  EVTRIAGE_MEMORY_BUDGET_MIB=0 "$EVTRIAGE" dump -j2 "$a" >slow.out 2>slow.err; rs=$?
  [ $rf -eq $rs ] && cmp -s fast.out slow.out && cmp -s fast.err slow.err && pass || fail "$a: memory and temporary-file routes differ (rc $rf/$rs)"
  [ $a = damaged.zip ] || { [ "$(wc -l <fast.out)" -eq "$want" ] && pass || fail "$a: $(wc -l <fast.out) records"; }
done
[ $rf -eq 1 ] && grep -q "inner.zip" fast.err && pass || fail "damaged member not reported: $(cat fast.err)"
! grep -q '^$' fast.err && pass || fail "a diagnostic spans two lines: $(cat -A fast.err)"
# Nothing left behind in the temporary folder.
mkdir tmpd; TMPDIR="$TMP/tmpd" "$EVTRIAGE" dump up.zip >/dev/null 2>&1
[ -z "$(ls -A tmpd)" ] && pass || fail "temporary files left: $(ls -A tmpd)"
# A decompression bomb: 100 MB of zeros next to a real log.
head -c 100000000 /dev/zero >zeros.evtx
zip -q bomb.zip zeros.evtx up/HOST1/Security_1_record.evtx && rm zeros.evtx
"$EVTRIAGE" dump bomb.zip >out.jsonl 2>err.txt; rc=$?
[ $rc -eq 1 ] && grep -q "zeros.evtx: refused: expansion ratio above 200" err.txt && pass || fail "bomb: rc=$rc $(cat err.txt)"
[ "$(wc -l <out.jsonl)" -ge 1 ] && pass || fail "bomb: the real log after it was not read"
"$EVTRIAGE" dump --max-member-bytes 10K up.zip >/dev/null 2>err.txt; rc=$?
[ $rc -eq 1 ] && grep -q "refused: member expands past 10240 bytes" err.txt && pass || fail "member limit: rc=$rc"
"$EVTRIAGE" dump --max-members 1 up.zip >/dev/null 2>err.txt; [ $? -eq 1 ] && grep -q "too many members" err.txt && pass || fail "member count"
"$EVTRIAGE" dump --max-depth 0 up.zip >/dev/null 2>err.txt; [ $? -eq 1 ] && grep -q "inner.zip: refused: archive nested too deeply" err.txt && pass || fail "depth"
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
# libarchive is loaded only when an archive is read: without it an archive is one clear
# refusal (exit 1) and the EVTX files beside it are still read
EVTRIAGE_LIBARCHIVE=/nonexistent/libarchive.so "$EVTRIAGE" dump up.tgz up/HOST1/Security_1_record.evtx >out.jsonl 2>err.txt; rc=$?
[ $rc -eq 1 ] && grep -q "^up.tgz: cannot read archive: libarchive could not be loaded (/nonexistent/libarchive.so: " err.txt \
  && [ "$(wc -l <out.jsonl)" -ge 1 ] && pass || fail "no libarchive: rc=$rc $(cat err.txt)"
finish
