# lib.bash: helpers for the end-to-end tests (sourced, not run by ctest).
set -uo pipefail
: "${EVTRIAGE:?built evtriage binary}" "${EVTRIAGE_SHARED:?shared folder}"
CORPUS="$EVTRIAGE_SHARED/corpus"
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
