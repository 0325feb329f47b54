#!/usr/bin/env bash
# memory_bounds.sh: peak RSS and time of `evtriage analyze -j2` (JOBS=N: -jN) on inputs built to push each
# bound that keeps memory flat (docs/bench.md), with evtxexport's peak on the big file for scale:
#   every-match     big.evtx with a rule matching every record (timeline spills, evidence capped)
#   correlated      the same records also feeding an event_count (1 min) and a value_count (1 h)
#                   correlation: matches spill to a temporary file, windows let members go
#   correlated-x2   the big file given twice (under a second name: one path given twice is read
#                   once): the same times, so every window holds twice as much
#   (these three with --keep-copies: big.evtx repeats real chunks, so most of its records are
#   copies of others, which by default count once; the bounds are measured with every copy)
#   copies-x2       correlated-x2 by default: every match's identity spilled, copies passed over
#   zip-big         big.evtx inside a zip: a member beyond the memory budget streams from disk
#   zip-big-x2      big.evtx twice in one zip, with the rule matching every record: the second
#                   member inflates behind the first and waits its turn with no results held
#   zip-many        2,000 small EVTX members in one zip (inflated in memory, in parallel)
#   zip-tiny        1,000,000 one-byte members (a hostile upload): the default --max-members reads
#                   100,000 and refuses the rest; our directory reader keeps only those
#   zip-tiny-py     the same as Python's zipfile writes them (no file type in the attributes, so
#                   not listed by us): read as a stream, not with libarchive's whole directory
#   gz-big          big.evtx gzipped (gzip -1): one file compressed, read as its only member,
#                   inflated by ISA-L in front of libarchive into an unnamed temporary file
#   tgz-every       every EVTX file of ../shared/corpus as one .tar.gz, with the rule matching
#                   every record: members that fit the memory budget are inflated into memory
#                   one after another by the walk, ahead of the workers reading them
# usage: bench/memory_bounds.sh [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-build}/evtriage")
SHARED=${EVTRIAGE_SHARED:-../shared}
[ -x "$BIN" ] || { echo "no $BIN: build first" >&2; exit 2; }
for t in evtxexport zip /usr/bin/time; do command -v "$t" >/dev/null || { echo "$t missing: scripts/install-deps.sh" >&2; exit 2; }; done
OUT=bench/out
mkdir -p "$OUT"
BIG=$OUT/big.evtx
[ -f "$BIG" ] || /usr/bin/python3 bench/make_big_evtx.py "$BIG" "${BIG_MB:-300}" >&2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cat >"$W/every.yml" <<'YML'
title: any record
id: 00000000-0000-4000-8000-0000000000a1
name: any_record
logsource:
    product: windows
detection:
    sel:
        EventID|gte: 0
    condition: sel
level: low
YML
cp "$W/every.yml" "$W/corr.yml"
cat >>"$W/corr.yml" <<'YML'
---
title: records per host and minute
id: 00000000-0000-4000-8000-0000000000a2
correlation:
    type: event_count
    rules: [any_record]
    group-by: [Computer]
    timespan: 1m
    condition:
        gte: 100000000
level: low
---
title: distinct event ids per host and hour
id: 00000000-0000-4000-8000-0000000000a3
correlation:
    type: value_count
    rules: [any_record]
    group-by: [Computer]
    timespan: 1h
    condition:
        field: EventID
        gte: 100000
level: low
YML
# every.yml alone would make the rule standalone: a finding per record
(cd "$OUT" && rm -f big.zip && zip -q -1 big.zip big.evtx)
ln -s "$(realpath "$BIG")" "$W/big-first.evtx" && ln -s "$(realpath "$BIG")" "$W/big-second.evtx"
(cd "$W" && zip -q -1 big-x2.zip big-first.evtx big-second.evtx)
mkdir "$W/many"
for i in $(seq -w 1 2000); do cp "$SHARED/corpus/parsers/velocidex/Security_1_record.evtx" "$W/many/host$i.evtx"; done
(cd "$W/many" && zip -q -r "$W/many.zip" .)
/usr/bin/python3 - "$W" <<'PY'
import sys, zipfile
for name, unix_type in (("tiny.zip", True), ("tiny-py.zip", False)):
    with zipfile.ZipFile(f"{sys.argv[1]}/{name}", "w", zipfile.ZIP_STORED) as z:
        for i in range(1000000):
            info = zipfile.ZipInfo(f"d/{i}.txt")
            info.external_attr = (0o100644 if unix_type else 0o644) << 16
            z.writestr(info, b"x")
PY
JOBS=${JOBS:-2}   # -j of every run (the bound holds at any: JOBS=16 as on the device machine)
run() { # label args...
  local label=$1; shift
  /usr/bin/time -o "$W/t" -f '%e %M' "$BIN" analyze -q -j"$JOBS" --json /dev/null "$@" >/dev/null 2>"$W/err"
  read -r s k < <(tail -1 "$W/t")   # (a failing run puts a line of its own first)
  local warn; warn=$(grep -c 'warning' "$W/err")
  printf "%-15s %8.2f s %9.1f MiB  (%s warning line(s))\n" "$label" "$s" "$(echo "$k / 1024" | bc -l)" "$warn"
}
/usr/bin/time -o "$W/t" -f '%e %M' evtxexport -f xml "$BIG" >/dev/null 2>&1
read -r s k < <(tail -1 "$W/t")
printf "%-15s %8.2f s %9.1f MiB  (evtxexport -f xml, for scale)\n" "big" "$s" "$(echo "$k / 1024" | bc -l)"
run every-match --keep-copies --rules "$W/every.yml" "$BIG"
run correlated --keep-copies --rules "$W/corr.yml" "$BIG"
ln -s "$(realpath "$BIG")" "$W/big-again.evtx"
run correlated-x2 --keep-copies --rules "$W/corr.yml" "$BIG" "$W/big-again.evtx"
run copies-x2 --rules "$W/corr.yml" "$BIG" "$W/big-again.evtx"
run zip-big "$OUT/big.zip"
run zip-big-x2 --keep-copies --rules "$W/every.yml" "$W/big-x2.zip"
run zip-many "$W/many.zip"
run zip-tiny "$W/tiny.zip"
run zip-tiny-py "$W/tiny-py.zip"
gzip -1 -c "$BIG" >"$W/big.evtx.gz"
run gz-big "$W/big.evtx.gz"
mkdir "$W/corpus"
n=0
while IFS= read -r -d '' f; do n=$((n + 1)); cp "$f" "$W/corpus/$(printf '%03d' $n).evtx"; done < <(find "$SHARED/corpus" -iname '*.evtx' -print0 | sort -z)
(cd "$W/corpus" && tar czf "$W/corpus.tgz" .)
run tgz-every --keep-copies --rules "$W/every.yml" "$W/corpus.tgz"
