#!/usr/bin/env bash
# Runs every test: a -Werror release build and an ASan+UBSan build, each with ctest, the Debian
# package of the release build (scripts/package_check.sh: lintian, unpacked and run on samples/),
# the multi-threaded end-to-end tests under ThreadSanitizer, then a bounded libFuzzer run of every
# fuzz target (clang, ASan+UBSan; docs/fuzzing.md).
# EVTRIAGE_FUZZ_SECONDS: seconds per fuzz target (default 30; 0 skips the fuzz stage).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)
for variant in release asan; do
  dir=build-ci-$variant
  extra=()
  [ "$variant" = asan ] && extra=(-DEVTRIAGE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
  [ "$variant" = release ] && extra=(-DCMAKE_INSTALL_PREFIX=/usr)   # the package's prefix
  cmake -S . -B "$dir" -DEVTRIAGE_WERROR=ON "${extra[@]}" >/dev/null
  cmake --build "$dir" -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j "$jobs"
  if [ "$variant" = release ]; then ./scripts/package_check.sh "$dir"; fi
done
# ThreadSanitizer over the tests that run many threads (the pool, zip members inflated on
# workers, output identical at any -j, rule files parsed side by side): only the evtriage
# binary and the unit tests of the pool and of core (arena adoption, parallel YAML) are built.
dir=build-ci-tsan
cmake -S . -B "$dir" -DEVTRIAGE_WERROR=ON -DEVTRIAGE_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$dir" -j "$jobs" --target evtriage test_pool test_core test_source
TSAN_OPTIONS="halt_on_error=1:suppressions=$PWD/tests/tsan.supp" \
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" -R '^(e2e\.(jobs_identical|inputs_archives|rules_lint)|unit\.(test_pool|test_core|test_source))$'
fuzz_seconds=${EVTRIAGE_FUZZ_SECONDS:-30}
if [ "$fuzz_seconds" -gt 0 ]; then
  dir=build-ci-fuzz
  cmake -S . -B "$dir" -DCMAKE_C_COMPILER=clang -DEVTRIAGE_FUZZ=ON -DEVTRIAGE_WERROR=ON >/dev/null
  cmake --build "$dir" -j "$jobs" --target fuzz
  ./tests/fuzz/run_fuzzers.sh "$dir" "$fuzz_seconds"
fi
