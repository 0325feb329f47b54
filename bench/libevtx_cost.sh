#!/usr/bin/env bash
# libevtx_cost.sh: why evtriage decodes EVTX itself: the cost of getting records through Debian's
# libevtx (bench/libevtx_loop.c: whole-file handle, or one handle per chunk for flat memory)
# beside evtriage's reader, on bench/out/big.evtx and over the corpus (records libevtx refuses).
# usage: bench/libevtx_cost.sh [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build}/evtriage
SHARED=${EVTRIAGE_SHARED:-../shared}
mkdir -p bench/out
BIG=bench/out/big.evtx
[ -f "$BIG" ] || /usr/bin/python3 bench/make_big_evtx.py "$BIG" "${BIG_MB:-300}" >&2
gcc -O2 -o bench/out/libevtx_loop bench/libevtx_loop.c -levtx -lbfio || exit 2
MI=$(ls /usr/lib/x86_64-linux-gnu/libmimalloc.so.2 2>/dev/null)
t() { /usr/bin/time -o bench/out/t.txt -f '%e %M' "$@" >bench/out/o.txt 2>/dev/null; read -r s k <bench/out/t.txt; printf "%-58s %7.2f s %8.1f MiB   %s\n" "$label" "$s" "$(echo "$k/1024" | bc -l)" "$(cat bench/out/o.txt)"; }
echo "big.evtx ($(($(stat -c %s $BIG) / 1048576)) MiB): seconds, peak RSS, records (read refused recovered)"
label="libevtx whole-file open + record count only"; t bench/out/libevtx_loop open "$BIG"
label="libevtx whole-file handle, every record"; t bench/out/libevtx_loop whole "$BIG"
label="libevtx one handle per chunk, every record"; t bench/out/libevtx_loop chunks "$BIG"
[ -n "$MI" ] && { label="libevtx one handle per chunk, every record, mimalloc"; t env LD_PRELOAD="$MI" bench/out/libevtx_loop chunks "$BIG"; }
label="evtriage reader alone (dump -j1 --format count)"; t "$BIN" dump -j1 --format count "$BIG"
echo "corpus: records libevtx refuses (one handle per chunk) that evtriage reads"
ok=0; bad=0
while IFS= read -r -d '' f; do
  read -r o b _ < <(bench/out/libevtx_loop chunks "$f")
  ok=$((ok + o)); bad=$((bad + b))
done < <(find "$SHARED/corpus" -iname '*.evtx' -print0 | sort -z)
ours=$(find "$SHARED/corpus" -iname '*.evtx' -print0 | sort -z | xargs -0 "$BIN" dump --format count 2>/dev/null | awk '{s+=$1} END {print s}')
echo "libevtx: $ok read, $bad refused; evtriage: $ours read (live and recovered)"
