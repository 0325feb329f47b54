# analyze_samples.sh: the golden tests: `evtriage analyze` on every sample case gives the root
# cause its README names, with the records that prove it and the fix filled in; the healthy
# baseline stays at info; the real machine logs give the one finding a reviewer would (see
# analyze_samples.py and docs/domain-sample-expectations.md).
. "$(dirname "$0")/lib.bash"
SRC=${EVTRIAGE_SOURCE:?source tree}
/usr/bin/python3 "$SRC/tests/e2e/analyze_samples.py" "$EVTRIAGE" "$SRC/samples" "$CORPUS" "$TMP" && pass || fail "golden analysis"
finish
