# lib.bash: helpers for the end-to-end tests (sourced, not run by ctest).
set -uo pipefail
: "${EVTRIAGE:?built evtriage binary}" "${EVTRIAGE_SHARED:?shared folder}"
CORPUS="$EVTRIAGE_SHARED/corpus"
# the run's own settings only: a test that wants one of these hooks sets it for its command
unset EVTRIAGE_MEMORY_BUDGET_MIB EVTRIAGE_LIBARCHIVE EVTRIAGE_LIBCRYPTO EVTRIAGE_PROGRESS_EVERY_MS
[ -d "$CORPUS" ] || { echo "FAIL: corpus not found at $CORPUS"; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
passes=0
pass() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}
