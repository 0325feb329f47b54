#!/usr/bin/env bash
# analyze_vs_evtxexport.sh: `evtriage analyze` (the bundled rule packs, every report in memory,
# terminal output discarded) beside Debian's `evtxexport -f xml` on the same inputs (evtriage: the
# fastest of REPEAT=11 runs, every configuration in turn so all meet the same load; evtxexport:
# one run):
#   corpus     every *.evtx of ../shared/corpus that evtxexport reads without error (a directory)
#   corpus.zip the same files as one zip (read in place: members streamed, never unpacked to disk)
#   big        bench/out/big.evtx (~300 MB of real chunks, bench/make_big_evtx.py)
#   big.zip    the same file as one member of a zip (zip -1, as bench/memory_bounds.sh makes it):
#              a member beyond the memory budget, inflated to a temporary file
# with -j1, -j2 and -jN (N = cores), and once more at -jN with --hash none (the batch mode: the
# one sequential SHA-256 stream per file no longer bounds a big file), printing seconds, MB/s,
# peak RSS, the median run and the ratios the targets name (docs/bench.md). Beside them, in the same rounds, the machine's own
# ceiling: a fixed amount of plain CPU work (no I/O, no locks) done by one thread and then split
# over 2 (and N) threads; on a VM whose neighbours load the other core, 2 threads of it are far
# from 2x, and no program's -j2 can beat that. usage: bench/analyze_vs_evtxexport.sh [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-build}/evtriage")
SHARED=${EVTRIAGE_SHARED:-../shared}
NCPU=$(nproc)
[ -x "$BIN" ] || { echo "no $BIN: build first" >&2; exit 2; }
for t in evtxexport zip /usr/bin/time bc cc; do command -v "$t" >/dev/null || { echo "$t missing: scripts/install-deps.sh" >&2; exit 2; }; done
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
[ "$OUT/big.zip" -nt "$BIG" ] || (cd "$OUT" && rm -f big.zip && zip -q -1 big.zip big.evtx)
TIMES=$OUT/time.txt
REPEAT=${REPEAT:-11}
measure() { # prints "seconds peak_kib": one run of CMD... (ns clock)
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -o "$TIMES" -f '%M' "$@" >/dev/null 2>/dev/null || true
  t1=$(date +%s%N)
  awk -v s="$(( t1 - t0 ))" -v k="$(tail -1 "$TIMES")" 'BEGIN { printf "%.3f %d\n", s / 1e9, k }'
}
# Runs every configuration in turn, REPEAT rounds, so all of them meet the same neighbours (a
# 2-core VM's load changes from one second to the next); then "best peak median" for each.
# A configuration is NAME=PATH:JOBS; results land in $RUNS/NAME.
# A configuration named ceiling-jN runs the ceiling program on N threads instead.
RUNS=$(mktemp -d)
trap 'rm -rf "$RUNS"' EXIT
cat >"$RUNS/ceiling.c" <<'C'
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
/* ceiling N: 2,400 rounds of work split over N threads; a round mixes a 32 KiB buffer in
 * place (L1) and copies 1 MiB (L2/L3), roughly the shape of decoding chunks */
static void *work(void *arg)
{
    long rounds = (long)(intptr_t)arg;
    unsigned char *buf = calloc(1, 1 << 15), *big = calloc(1, 2 << 20);
    uint64_t h = 1469598103934665603ull;
    for (long k = 0; k < rounds; k++) {
        for (int i = 0; i < (1 << 15); i++) { h = (h ^ (buf[i] + (unsigned)i)) * 1099511628211ull; buf[i] = (unsigned char)h; }
        memcpy(big + ((k & 1) << 20), big + (((k + 1) & 1) << 20), 1 << 20);
    }
    free(buf);
    free(big);
    return (void *)(intptr_t)(h & 1);
}
int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1;
    if (n < 1 || n > 256) return 2;
    pthread_t t[256];
    for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, work, (void *)(intptr_t)(2400 / n));
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    return 0;
}
C
cc -O2 -pthread -o "$RUNS/ceiling" "$RUNS/ceiling.c" || { echo "cannot build the ceiling program" >&2; exit 2; }
interleaved() {
  local r c name rest path jobs
  for ((r = 0; r < REPEAT; r++)); do
    for c in "$@"; do
      name=${c%%=*} rest=${c#*=} path=${rest%:*} jobs=${rest##*:}
      if [ "$path" = ceiling ]; then measure "$RUNS/ceiling" "$jobs" >>"$RUNS/$name"; continue; fi
      local hash=sha256
      case $name in *nohash*) hash=none ;; esac
      measure "$BIN" analyze -q -j"$jobs" --hash "$hash" --json /dev/null "$path" >>"$RUNS/$name"
    done
  done
}
summary() { # NAME -> "best peak_kib median"
  sort -n "$RUNS/$1" | awk '{ v[NR] = $1; if ($2 > k) k = $2 } END { printf "%.3f %d %.3f\n", v[1], k, v[int((NR + 1) / 2)] }'
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
CORPUS_BYTES=$(du -cb "$DIR"/*.evtx | tail -1 | cut -f1)
BIG_BYTES=$(stat -c %s "$BIG")
read -r sxc kxc < <(evtxexport_all "$DIR")
read -r sxb kxb < <(measure evtxexport -f xml "$BIG")
jobs_list="1 2"
[ "$NCPU" -gt 2 ] && jobs_list="1 2 $NCPU"
configs=()
for j in $jobs_list; do configs+=("corpus-j$j=$DIR:$j" "zip-j$j=$OUT/corpus.zip:$j" "ceiling-j$j=ceiling:$j"); done
configs+=("corpusnohash-j${NCPU}=$DIR:$NCPU")
interleaved "${configs[@]}"
configs=()
for j in $jobs_list; do configs+=("big-j$j=$BIG:$j" "bigzip-j$j=$OUT/big.zip:$j" "bigceiling-j$j=ceiling:$j"); done
configs+=("bignohash-j${NCPU}=$BIG:$NCPU")
interleaved "${configs[@]}"
for j in $jobs_list; do cat "$RUNS/bigceiling-j$j" >>"$RUNS/ceiling-j$j"; done
ratios() { # input evtxexport_seconds prefix
  local x=$2 p=$3
  read -r b1 _ m1 < <(summary "$p-j1")
  read -r b2 _ m2 < <(summary "$p-j2")
  awk -v x="$x" -v a="$b1" -v b="$b2" -v ma="$m1" -v mb="$m2" -v i="$1" 'BEGIN {
    printf "%-10s ratio: analyze -j2 %.1fx evtxexport; -j2 %.2fx -j1 (medians %.2fx)", i, x / b, a / b, ma / mb }'
  if [ "$NCPU" -gt 2 ]; then
    read -r bn _ mn < <(summary "$p-j$NCPU")
    awk -v x="$x" -v a="$b1" -v c="$bn" -v n="$NCPU" 'BEGIN { printf "; -j%d %.1fx evtxexport, %.1fx -j1", n, x / c, a / c }'
  fi
  echo
}
rows() { # input label-prefix name-prefix bytes
  local j s k m
  for j in $jobs_list; do
    read -r s k m < <(summary "$3-j$j")
    row "$1" "evtriage analyze -j$j" "$4" "$s" "$k" "$m"
  done
}
row corpus "evtxexport -f xml" "$CORPUS_BYTES" "$sxc" "$kxc"
rows corpus analyze corpus "$CORPUS_BYTES"
read -r s k m < <(summary "corpusnohash-j$NCPU")
row corpus "evtriage analyze -j$NCPU --hash none" "$CORPUS_BYTES" "$s" "$k" "$m"
ratios corpus "$sxc" corpus
rows corpus.zip analyze zip "$CORPUS_BYTES"
read -r zb _ zm < <(summary zip-j2)
read -r db _ dm < <(summary corpus-j2)
awk -v z="$zb" -v d="$db" -v mz="$zm" -v md="$dm" 'BEGIN {
  printf "corpus.zip ratio: the zip takes %.0f%% of the directory'"'"'s time (-j2; medians %.0f%%)\n", 100 * z / d, 100 * mz / md }'
read -r zb _ zm < <(summary zip-j1)
read -r db _ dm < <(summary corpus-j1)
awk -v z="$zb" -v d="$db" -v mz="$zm" -v md="$dm" 'BEGIN {
  printf "corpus.zip ratio: %.0f%% at -j1 (medians %.0f%%)\n", 100 * z / d, 100 * mz / md }'
row big "evtxexport -f xml" "$BIG_BYTES" "$sxb" "$kxb"
rows big analyze big "$BIG_BYTES"
read -r s k m < <(summary "bignohash-j$NCPU")
row big "evtriage analyze -j$NCPU --hash none" "$BIG_BYTES" "$s" "$k" "$m"
ratios big "$sxb" big
rows big.zip analyze bigzip "$BIG_BYTES"
for j in $jobs_list; do
  read -r zb _ zm < <(summary "bigzip-j$j")
  read -r db _ dm < <(summary "big-j$j")
  awk -v z="$zb" -v d="$db" -v mz="$zm" -v md="$dm" -v j="$j" 'BEGIN {
    printf "big.zip    ratio: the zip takes %.0f%% of the file'"'"'s time at -j%d (medians %.0f%%)\n", 100 * z / d, j, 100 * mz / md }'
done
ceiling() { # the machine's own -jN over -j1 on plain CPU work, run in the same rounds, and
             # evtriage's -jN over -j1 as a share of it (best and median runs)
  local j b1 m1 bj mj p c1 cm1 cj cmj
  read -r b1 _ m1 < <(summary ceiling-j1)
  for j in $jobs_list; do
    [ "$j" = 1 ] && continue
    read -r bj _ mj < <(summary "ceiling-j$j")
    awk -v a="$b1" -v b="$bj" -v ma="$m1" -v mb="$mj" -v j="$j" 'BEGIN {
      printf "machine    ceiling: plain CPU work split over %d threads runs %.2fx one thread (medians %.2fx)\n", j, a / b, ma / mb }'
    for p in corpus big; do
      read -r c1 _ cm1 < <(summary "$p-j1")
      read -r cj _ cmj < <(summary "$p-j$j")
      awk -v p="$p" -v j="$j" -v r="$(echo "$c1 / $cj" | bc -l)" -v mr="$(echo "$cm1 / $cmj" | bc -l)" \
          -v c="$(echo "$b1 / $bj" | bc -l)" -v mc="$(echo "$m1 / $mj" | bc -l)" 'BEGIN {
        printf "machine    %s -j%d over -j1 is %.0f%% of the ceiling (medians %.0f%%)\n", p, j, 100 * r / c, 100 * mr / mc }'
    done
  done
}
ceiling
