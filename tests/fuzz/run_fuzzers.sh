#!/usr/bin/env bash
# run_fuzzers.sh: runs every fuzz target built in BUILD (cmake -DEVTRIAGE_FUZZ=ON) for a bounded
# time on its seeds (made by make_seeds.sh) and its dictionary; fails on any crash, leak, timeout,
# out-of-memory or sanitizer report, leaving the input under BUILD/fuzz-artifacts/TARGET/.
# usage: run_fuzzers.sh BUILD [SECONDS] [TARGET...]   (SECONDS: default $EVTRIAGE_FUZZ_SECONDS or 30)
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILD [SECONDS] [TARGET...]" >&2; exit 2; }
build=$(cd "$1" && pwd) || exit 2
seconds=${2:-${EVTRIAGE_FUZZ_SECONDS:-30}}
shift $(($# >= 2 ? 2 : 1))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$build"/tests/fuzz/fuzz_*; do [ -x "$f" ] && targets+=("$(basename "$f")"); done
fi
[ ${#targets[@]} -gt 0 ] || { echo "$0: no fuzz target in $build/tests/fuzz (EVTRIAGE_FUZZ=ON?)" >&2; exit 2; }
"$src/tests/fuzz/make_seeds.sh" "$build/fuzz-seeds" >/dev/null || exit 1
# a 64 MB quarantine (ASan's default is 256 MB) leaves the 512 MB limit below to what inputs cost
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:quarantine_size_mb=64}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0
for t in "${targets[@]}"; do
  corpus=$build/fuzz-corpus/$t artifacts=$build/fuzz-artifacts/$t log=$build/fuzz-$t.log
  mkdir -p "$corpus" "$artifacts" "$build/fuzz-seeds/$t"
  touch "$artifacts/.start" # earlier runs' findings stay, only this run's count
  # limits that catch what an input can cost: 512 MB (a YAML alias multiplying a value took
  # rules lint to 1 GB) and 5 s an input (deep nesting cost libyaml 8 s at 25,000 levels)
  args=(-max_total_time="$seconds" -rss_limit_mb=512 -timeout=5 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  [ -f "$src/tests/fuzz/$t.dict" ] && args+=(-dict="$src/tests/fuzz/$t.dict")
  # the regressions too, so that they run under these limits (libFuzzer writes only to $corpus)
  regressions=()
  [ -d "$src/tests/fuzz/regressions/$t" ] && regressions=("$src/tests/fuzz/regressions/$t")
  # and 1 MiB of stack (a recursion as deep as an input makes it overflows there; 8 MiB let
  # 2,206 nested conditions through)
  (ulimit -s 1024 && exec "$build/tests/fuzz/$t" "${args[@]}" "$corpus" "$build/fuzz-seeds/$t" "${regressions[@]}") >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  found=$(find "$artifacts" -type f -newer "$artifacts/.start" | head -n 5 || true)
  if [ $rc -ne 0 ] || [ -n "$found" ]; then
    echo "FAIL: $t (exit $rc): $(grep -m1 -E 'ERROR|SUMMARY|runtime error' "$log")"
    tail -n 40 "$log"
    [ -n "$found" ] && echo "inputs: $found (add them to tests/fuzz/regressions/$t/ once fixed)"
    failed=$((failed + 1))
  else
    echo "fuzz $t: ${runs:-?} runs in ${seconds}s (${rate:-?}/s), no crash, leak or timeout"
  fi
done
echo "fuzz targets: $((${#targets[@]} - failed)) clean, $failed failed"
[ $failed -eq 0 ]
