# analyze_variants.sh: the variants suite (tests/e2e/variants, analyze_variants.py): uploads as a
# support desk gets them, each checked for its first root cause, its key facts, its commands and
# the absence of wrong advice.
. "$(dirname "$0")/lib.bash"
SRC=${EVTRIAGE_SOURCE:?source tree}
/usr/bin/python3 "$SRC/tests/e2e/analyze_variants.py" "$EVTRIAGE" "$SRC/tests/e2e/variants" "$TMP" && pass || fail "variants"
finish
