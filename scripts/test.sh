#!/usr/bin/env bash
# Runs every test: a -Werror release build and an ASan+UBSan build, each with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)
for variant in release asan; do
  dir=build-ci-$variant
  extra=()
  [ "$variant" = asan ] && extra=(-DEVTRIAGE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
  cmake -S . -B "$dir" -DEVTRIAGE_WERROR=ON "${extra[@]}" >/dev/null
  cmake --build "$dir" -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j "$jobs"
done
