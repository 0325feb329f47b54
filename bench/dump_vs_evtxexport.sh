#!/usr/bin/env bash
# dump_vs_evtxexport.sh: throughput and peak memory of evtriage beside Debian's evtxexport on the
# same inputs: the whole corpus, and a ~300 MB file built from its chunks (bench/out/big.evtx).
# usage: bench/dump_vs_evtxexport.sh [BUILD_DIR]   (default: build; run the README's build first)
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build}/evtriage
SHARED=${EVTRIAGE_SHARED:-../shared}
[ -x "$BIN" ] || { echo "no $BIN: build first" >&2; exit 2; }
command -v evtxexport >/dev/null || { echo "evtxexport missing: scripts/install-deps.sh" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing: scripts/install-deps.sh" >&2; exit 2; }
mkdir -p bench/out
BIG=bench/out/big.evtx
[ -f "$BIG" ] || /usr/bin/python3 bench/make_big_evtx.py "$BIG" "${BIG_MB:-300}" >&2
# The corpus files evtxexport reads without error (so both tools read the same records).
LIST=bench/out/corpus.list
: >"$LIST"
while IFS= read -r -d '' f; do
  evtxexport "$f" >/dev/null 2>&1 && printf '%s\n' "$f" >>"$LIST"
done < <(find "$SHARED/corpus" -iname '*.evtx' -print0 | sort -z)

# measure CMD...: prints "seconds peak_kib": the fastest of REPEAT runs (default 5; a 2-core VM's
# neighbours make single runs noisy) and the largest peak
TIMES=bench/out/time.txt
REPEAT=${REPEAT:-5}
measure() {
  local i best="" kmax=0 t0 t1 k
  for ((i = 0; i < REPEAT; i++)); do
    t0=$(date +%s%N)
    /usr/bin/time -o "$TIMES" -f '%M' "$@" >/dev/null 2>/dev/null || true
    t1=$(date +%s%N)
    k=$(tail -1 "$TIMES"); [ "$k" -gt "$kmax" ] && kmax=$k
    { [ -z "$best" ] || [ $(( t1 - t0 )) -lt "$best" ]; } && best=$(( t1 - t0 ))
  done
  awk -v s="$best" -v k="$kmax" 'BEGIN { printf "%.3f %d\n", s / 1e9, k }'
}
bytes_of() { xargs -d '\n' stat -c %s <"$1" | awk '{s+=$1} END {print s}'; }
row() { # input label bytes records seconds kib
  awk -v i="$1" -v l="$2" -v b="$3" -v r="$4" -v s="$5" -v k="$6" 'BEGIN {
    if (s <= 0) s = 0.001;
    printf "%-8s %-34s %10d %8.3f %12.0f %8.1f %9.1f\n", i, l, r, s, r / s, b / s / 1048576, k / 1024 }'
}

printf "%-8s %-34s %10s %8s %12s %8s %9s\n" input tool records seconds records/s MB/s peakMiB
for input in corpus big; do
  if [ $input = corpus ]; then bytes=$(bytes_of "$LIST"); else bytes=$(stat -c %s "$BIG"); fi
  if [ $input = corpus ]; then
    recs=$(xargs -d "\\n" "$BIN" dump -j1 --format count <"$LIST" 2>/dev/null | awk "{s+=\$1} END {print s}")
    read -r s1 k1 < <(measure xargs -a "$LIST" -d '\n' "$BIN" dump -j1)
    read -r s0 k0 < <(measure xargs -a "$LIST" -d '\n' "$BIN" dump -j1 --format count)
    read -r s2 k2 < <(measure xargs -a "$LIST" -d '\n' "$BIN" dump -j2)
    read -r sh kh < <(measure xargs -a "$LIST" -d '\n' "$BIN" hunt -j1 --rules "$SHARED/corpus/sigma-regression")
    theirs=$(while IFS= read -r f; do evtxexport "$f" 2>/dev/null | grep -c '^Event number' || true; done <"$LIST" | awk '{s+=$1} END {print s}')
    t0=$(date +%s.%N)
    kx=0
    while IFS= read -r f; do
      /usr/bin/time -o "$TIMES" -f '%M' evtxexport -f xml "$f" >/dev/null 2>/dev/null || true
      k=$(tail -1 "$TIMES")
      [ "$k" -gt "$kx" ] && kx=$k
    done <"$LIST"
    sx=$(echo "$(date +%s.%N) - $t0" | bc)
  else
    recs=$("$BIN" dump -j1 --format count "$BIG" 2>/dev/null)
    read -r s1 k1 < <(measure "$BIN" dump -j1 "$BIG")
    read -r s0 k0 < <(measure "$BIN" dump -j1 --format count "$BIG")
    read -r s2 k2 < <(measure "$BIN" dump -j2 "$BIG")
    read -r sh kh < <(measure "$BIN" hunt -j1 --rules "$SHARED/corpus/sigma-regression" "$BIG")
    theirs=$(evtxexport "$BIG" 2>/dev/null | grep -c '^Event number' || true)
    read -r sx kx < <(REPEAT=1 measure evtxexport -f xml "$BIG")
  fi
  row $input "evtxexport -f xml" "$bytes" "$theirs" "$sx" "$kx"
  row $input "evtriage dump -j1 (JSON Lines)" "$bytes" "$recs" "$s1" "$k1"
  row $input "evtriage dump -j1 --format count" "$bytes" "$recs" "$s0" "$k0"
  row $input "evtriage dump -j2" "$bytes" "$recs" "$s2" "$k2"
  row $input "evtriage hunt -j1, 101 Sigma rules" "$bytes" "$recs" "$sh" "$kh"
  awk -v a="$sx" -v b="$s1" -v c="$s0" -v d="$sh" -v e="$s2" -v i=$input 'BEGIN {
    printf "%-8s ratio: dump -j1 %.1fx evtxexport; dump -j2 %.2fx dump -j1; hunt keeps %.0f%% of the reader-only rate\n",
      i, a / b, b / e, 100 * c / d }'
done
