#!/usr/bin/env bash
# analyze_vs_evtxexport.sh: `evtriage analyze` (the bundled rule packs, every report in memory,
# terminal output discarded) beside Debian's `evtxexport -f xml` on the same inputs (evtriage: the
# fastest of REPEAT=11 runs; evtxexport: one run):
#   corpus     every *.evtx of ../shared/corpus that evtxexport reads without error (a directory)
#   corpus.zip the same files as one zip (read in place: members streamed, never unpacked to disk)
#   big        bench/out/big.evtx (~300 MB of real chunks, bench/make_big_evtx.py)
# with -j1, -j2 and -jN (N = cores), printing seconds, MB/s, peak RSS, the median run and the
# ratios the targets name (docs/bench.md). usage: bench/analyze_vs_evtxexport.sh [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-build}/evtriage")
SHARED=${EVTRIAGE_SHARED:-../shared}
NCPU=$(nproc)
[ -x "$BIN" ] || { echo "no $BIN: build first" >&2; exit 2; }
for t in evtxexport zip /usr/bin/time bc; do command -v "$t" >/dev/null || { echo "$t missing: scripts/install-deps.sh" >&2; exit 2; }; done
OUT=bench/out
mkdir -p "$OUT"
BIG=$OUT/big.evtx
[ -f "$BIG" ] || /usr/bin/python3 bench/make_big_evtx.py "$BIG" "${BIG_MB:-300}" >&2
# The corpus files evtxexport reads without error, copied flat into one folder and one zip.
DIR=$OUT/corpus-dir
rm -rf "$DIR" "$OUT/corpus.zip"
mkdir -p "$DIR"
n=0
while IFS= read -r -d '' f; do
  if evtxexport "$f" >/dev/null 2>&1; then
    n=$((n + 1)); cp "$f" "$DIR/$(printf '%03d' $n)-$(basename "$f")"
  fi
done < <(find "$SHARED/corpus" -iname '*.evtx' -print0 | sort -z)
(cd "$DIR" && zip -q -r ../corpus.zip .)
TIMES=$OUT/time.txt
REPEAT=${REPEAT:-11}
measure() { # prints "seconds peak_kib median": the fastest of REPEAT runs (ns clock), the largest
  # peak, and the median run (a 2-core VM's neighbours make single runs noisy)
  local i t0 t1 kmax=0 k all=""
  for ((i = 0; i < REPEAT; i++)); do
    t0=$(date +%s%N)
    /usr/bin/time -o "$TIMES" -f '%M' "$@" >/dev/null 2>/dev/null || true
    t1=$(date +%s%N)
    k=$(tail -1 "$TIMES"); [ "$k" -gt "$kmax" ] && kmax=$k
    all="$all $(( t1 - t0 ))"
  done
  echo $all | tr ' ' '\n' | sort -n | awk -v k="$kmax" '{ v[NR] = $1 } END {
    printf "%.3f %d %.3f\n", v[1] / 1e9, k, v[int((NR + 1) / 2)] / 1e9 }'
}
evtxexport_all() { # every file of a folder, one process each (as a user would); "seconds peak_kib"
  local t0 kx=0 k
  t0=$(date +%s.%N)
  for f in "$1"/*.evtx; do
    /usr/bin/time -o "$TIMES" -f '%M' evtxexport -f xml "$f" >/dev/null 2>/dev/null || true
    k=$(tail -1 "$TIMES"); [ "$k" -gt "$kx" ] && kx=$k
  done
  echo "$(echo "$(date +%s.%N) - $t0" | bc) $kx"
}
row() { # input label bytes seconds kib [median]
  awk -v i="$1" -v l="$2" -v b="$3" -v s="$4" -v k="$5" -v m="${6:-}" 'BEGIN { if (s <= 0) s = 0.001;
    printf "%-10s %-36s %8.3f %8.1f %9.1f %8s\n", i, l, s, b / s / 1048576, k / 1024, m }'
}
printf "%-10s %-36s %8s %8s %9s %8s\n" input tool seconds MB/s peakMiB median
for input in corpus corpus.zip big; do
  case $input in
    corpus) path=$DIR; bytes=$(du -cb "$DIR"/*.evtx | tail -1 | cut -f1) ;;
    corpus.zip) path=$OUT/corpus.zip; bytes=$(du -cb "$DIR"/*.evtx | tail -1 | cut -f1) ;;
    big) path=$BIG; bytes=$(stat -c %s "$BIG") ;;
  esac
  if [ $input = big ]; then read -r sx kx < <(REPEAT=1 measure evtxexport -f xml "$BIG")
  elif [ $input = corpus ]; then read -r sx kx < <(evtxexport_all "$DIR")
  fi
  [ $input != corpus.zip ] && row $input "evtxexport -f xml" "$bytes" "$sx" "$kx"
  read -r s1 k1 m1 < <(measure "$BIN" analyze -q -j1 --json /dev/null "$path")
  read -r s2 k2 m2 < <(measure "$BIN" analyze -q -j2 --json /dev/null "$path")
  row $input "evtriage analyze -j1" "$bytes" "$s1" "$k1" "$m1"
  row $input "evtriage analyze -j2" "$bytes" "$s2" "$k2" "$m2"
  if [ "$NCPU" -gt 2 ]; then
    read -r sn kn mn < <(measure "$BIN" analyze -q -j"$NCPU" --json /dev/null "$path")
    row $input "evtriage analyze -j$NCPU" "$bytes" "$sn" "$kn" "$mn"
  fi
  [ $input = corpus ] && { s_dir=$s2; m_dir=$m2; }
  [ $input = corpus.zip ] && awk -v z="$s2" -v d="$s_dir" -v mz="$m2" -v md="$m_dir" 'BEGIN {
    printf "corpus.zip ratio: the zip takes %.0f%% of the directory'"'"'s time (-j2; medians %.0f%%)\n", 100 * z / d, 100 * mz / md }'
  if [ $input != corpus.zip ]; then
    awk -v x="$sx" -v a="$s1" -v b="$s2" -v ma="$m1" -v mb="$m2" -v i=$input -v n="$NCPU" -v c="${sn:-0}" 'BEGIN {
      printf "%-10s ratio: analyze -j2 %.1fx evtxexport; -j2 %.2fx -j1 (medians %.2fx)", i, x / b, a / b, ma / mb
      if (n > 2 && c > 0) printf "; -j%d %.1fx evtxexport, %.1fx -j1", n, x / c, a / c
      printf "\n" }'
  fi
done
