#!/usr/bin/env bash
# package_check.sh [BUILD_DIR]: the Debian package of a built tree, as a user gets it: `cpack -G
# DEB`, lintian (no errors), its Depends (every library the binary links, plus libarchive and
# libcrypto it loads), then the package unpacked into a temporary root (dpkg-deb -x) and its
# evtriage run from outside the source tree on samples/: the packs found beside it, as shipped,
# and the report names the root causes the samples' READMEs expect. scripts/test.sh runs it on
# its release build (configured with -DCMAKE_INSTALL_PREFIX=/usr); a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BUILD=$(realpath "${1:-build}")
fails=0
fail() { echo "package: FAIL: $*" >&2; fails=$((fails + 1)); }
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT

rm -f "$BUILD"/evtriage_*.deb
(cd "$BUILD" && cpack -G DEB >"$ROOT/cpack.log" 2>&1) || { cat "$ROOT/cpack.log" >&2; exit 1; }
deb=$(ls "$BUILD"/evtriage_*.deb)
echo "package: $deb ($(stat -c %s "$deb") bytes)"
dpkg-deb -I "$deb" | sed -n 's/^ \(Depends\|Recommends\|Installed-Size\):/package:   \1:/p'

# lintian: no errors (warnings and notes are printed; running as root it says it would rather not)
lintian --fail-on error --tag-display-limit 0 "$deb" >"$ROOT/lintian" 2>&1 || fail "lintian reports errors"
grep -v 'running with root privileges' "$ROOT/lintian" | sed 's/^/package: lintian: /' || true

dpkg-deb -x "$deb" "$ROOT/root"
bin=$ROOT/root/usr/bin/evtriage
# Depends holds the package of every library the binary links, and those it loads on first use
depends=$(dpkg-deb -f "$deb" Depends)
for lib in $(objdump -p "$bin" | awk '$1 == "NEEDED" { print $2 }') libarchive.so.13 libcrypto.so.3; do
  pkg=$(dpkg-query -S "*/$lib" 2>/dev/null | head -1 | cut -d: -f1)
  [ -n "$pkg" ] && [[ ", $depends," == *", $pkg"[\ ,]* ]] || fail "Depends ($depends) lacks $lib's package '$pkg'"
done

# Run as a user would: from elsewhere, nothing pointing into the source tree.
mkdir "$ROOT/cwd" && cd "$ROOT/cwd"
unset EVTRIAGE_RULES EVTRIAGE_MAPPING
"$bin" --version >"$ROOT/version" || fail "--version failed"
grep -q "^rule packs: .* as shipped, .* in $ROOT/root/usr/share/evtriage/rules (beside the executable)$" "$ROOT/version" \
  || fail "packs not found beside the unpacked binary: $(sed -n 2p "$ROOT/version")"
status=0
"$bin" analyze --no-color --json "$ROOT/report.json" "$SRC/samples" >"$ROOT/report.txt" 2>"$ROOT/err" || status=$?
[ "$status" -eq 0 ] || fail "analyze samples/ exited $status: $(tail -3 "$ROOT/err")"
# expected root causes: the `rc-...` names on each sample README's "Expected:" line ("not `rc-x`": must not fire)
python3 - "$SRC/samples" "$ROOT/report.json" "$ROOT/report.txt" <<'PY' || fail "report of samples/"
import glob, json, re, sys
samples, report, text = sys.argv[1], json.load(open(sys.argv[2])), open(sys.argv[3]).read()
want, banned = set(), set()
for readme in glob.glob(samples + "/*/README.md"):
    for line in open(readme):
        if "Expected:" in line:
            for neg, name in re.findall(r"(not )?`(rc-[a-z0-9-]+)`", line):
                (banned if neg else want).add(name)
roots = {f["rule_name"] for f in report["findings"] if f["root_cause"]}   # a README may name one nested under another
fired = {f["rule_name"] for f in report["findings"]}
ok = len(want) >= 5
for name in sorted(want):
    if name not in roots: print("package: root cause %s missing (root causes: %s)" % (name, sorted(roots))); ok = False
    if "rule %s " % name not in text: print("package: terminal report does not name %s" % name); ok = False
for name in sorted(banned & fired):
    print("package: %s fired, its README says it must not" % name); ok = False
print("package: samples/: %d expected root causes found%s" % (len(want & roots), "" if ok else " (FAILED)"))
sys.exit(0 if ok else 1)
PY
[ "$fails" -eq 0 ] || { echo "package: $fails check(s) failed" >&2; exit 1; }
echo "package: ok"
