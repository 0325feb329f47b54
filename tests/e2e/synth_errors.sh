# synth_errors.sh: bad scenarios are refused with one FILE:LINE:COLUMN message per problem,
# exit 2, and nothing written; a folder that cannot be created is exit 1; a file is written
# whole or not at all.
. "$(dirname "$0")/lib.bash"
expect() { # name expected-line...
  local name=$1; shift
  "$EVTRIAGE" synth "$TMP/$name.yaml" -o "$TMP/out-$name" >"$TMP/out" 2>"$TMP/err"
  local rc=$?
  [ $rc -eq 2 ] && pass || fail "$name: exit $rc, expected 2"
  [ ! -e "$TMP/out-$name" ] && pass || fail "$name: something was written"
  for line in "$@"; do
    grep -qxF "$line" "$TMP/err" && pass || { fail "$name: no line '$line' in:"; cat "$TMP/err"; }
  done
}
cat >"$TMP/keys.yaml" <<'YAML'
scenario: typos
hosts:
  - computer: H1
    files:
      - channel: System
        events:
          - time: 2025-01-01T00:00:00Z
            event_id: 1
            provider: P
            levle: 4
            color: red
YAML
expect keys "$TMP/keys.yaml:10:13: unknown key 'levle' in an event (did you mean 'level'?)" \
            "$TMP/keys.yaml:11:13: unknown key 'color' in an event"
cat >"$TMP/values.yaml" <<'YAML'
scenario: values
hosts:
  - computer: H1
    files:
      - channel: System
        events:
          - time: 2025-13-01T00:00:00Z
            event_id: 70000
            provider: P
            event_data:
              A: !uint8 256
              B: !guid not-a-guid
              C: !int32 -2147483649
              D: !sid S-1-x
              E: !systemtime 2025-01-01T00:00:00.0001Z
              F: !widget 1
YAML
expect values "$TMP/values.yaml:7:19: time: '2025-13-01T00:00:00Z' is not an ISO 8601 time (e.g. 2025-03-04T10:15:02.1234567Z)" \
              "$TMP/values.yaml:8:23: event_id: '70000' is not a number from 0 to 65535" \
              "$TMP/values.yaml:11:18: '256' does not fit !uint8 (0..255)" \
              "$TMP/values.yaml:12:18: 'not-a-guid' is not a GUID ({XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX})" \
              "$TMP/values.yaml:13:18: '-2147483649' does not fit !int32 (-2147483648..2147483647)" \
              "$TMP/values.yaml:14:18: 'S-1-x' is not a SID (S-1-5-21-...)"
grep -q "values.yaml:15:18: '2025-01-01T00:00:00.0001Z' is finer than a SYSTEMTIME holds" "$TMP/err" && pass || fail "systemtime precision"
grep -q "values.yaml:16:18: unknown value type '!widget'" "$TMP/err" && pass || fail "unknown tag"
cat >"$TMP/shape.yaml" <<'YAML'
scenario: shape
hosts:
  - computer: H1
    files:
      - channel: System
        events:
          - {time: 2025-01-01T00:00:00Z, provider: P}
          - {time: 2025-01-01T00:00:00Z, event_id: 1, provider: P, event_data: {a: 1}, user_data: {X: {a: 1}}}
          - {time: 2025-01-01T00:00:00Z, event_id: 1, provider: P, repeat: {count: 0, every: 1h}}
  - computer: ../escape
    files: []
YAML
expect shape "$TMP/shape.yaml:7:13: an event needs an event_id" \
             "$TMP/shape.yaml:8:99: an event has event_data or user_data, not both" \
             "$TMP/shape.yaml:9:84: repeat needs a count from 1 to 1000000" \
             "$TMP/shape.yaml:10:5: folder: '../escape' must be a plain folder name"
# copies that each carry their own values (${n}) are bounded by memory, not only by count: the
# load stops at 128 MiB, says so once, where the repeat is, and writes nothing
long=$(head -c 3000 /dev/zero | tr '\0' x)
cat >"$TMP/memory.yaml" <<YAML
scenario: memory
hosts:
  - computer: H1
    files:
      - channel: System
        events:
          - {time: 2025-01-01T00:00:00Z, event_id: 1, provider: P, repeat: {count: 900000, every: 1s},
             event_data: {N: 'copy \${n}', Long: '$long \${n}'}}
YAML
expect memory "$TMP/memory.yaml:7:76: the events take more than 128 MiB of memory (fewer copies; synth --scale makes big files)"
[ "$(grep -c . "$TMP/err")" -eq 2 ] && pass || { fail "memory: not one problem and the summary:"; cat "$TMP/err"; }
printf 'scenario: x\nhosts: [ {computer: H, files: [ }\n' >"$TMP/syntax.yaml"
"$EVTRIAGE" synth "$TMP/syntax.yaml" -o "$TMP/o" 2>"$TMP/err"; rc=$?
[ $rc -eq 2 ] && grep -qE "^$TMP/syntax.yaml:2:[0-9]+: " "$TMP/err" && pass || fail "syntax: exit $rc: $(cat "$TMP/err")"
# usage errors
"$EVTRIAGE" synth 2>/dev/null; [ $? -eq 2 ] && pass || fail "no arguments: not exit 2"
"$EVTRIAGE" synth --help | grep -q '^usage: evtriage synth' && pass || fail "--help"
# an output folder that cannot be created
printf 'scenario: x\nhosts: [{computer: H, files: [{channel: C, events: [{time: 2025-01-01T00:00:00Z, event_id: 1, provider: P}]}]}]\n' >"$TMP/ok.yaml"
: >"$TMP/afile"
"$EVTRIAGE" synth -q "$TMP/ok.yaml" -o "$TMP/afile/sub" 2>"$TMP/err"; rc=$?
[ $rc -eq 1 ] && grep -q "cannot create folder" "$TMP/err" && pass || fail "unwritable: exit $rc: $(cat "$TMP/err")"
# a file that cannot be written whole (the file size limit, SIGXFSZ ignored: EFBIG) leaves the
# file there before byte for byte and no temporary file, with either kind of temporary file;
# a file written whole replaces it and keeps its mode
# an event too big for a chunk: the file would lack it, so it is not put in place either
python3 -c "x = 'x' * 20000; print('scenario: x\\nhosts: [{computer: H, files: [{channel: C, events: [{time: 2025-01-01T00:00:00Z, event_id: 1, provider: P}, {time: 2025-01-01T00:00:01Z, event_id: 2, provider: P, event_data: {A: %s, B: %s}}]}]}]' % (x, x))" >"$TMP/big.yaml"
mkdir -p "$TMP/whole-big/H" && printf 'earlier\n' >"$TMP/whole-big/H/C.evtx"
"$EVTRIAGE" synth -q "$TMP/big.yaml" -o "$TMP/whole-big" 2>"$TMP/err"; rc=$?
[ $rc -eq 1 ] && [ "$(cat "$TMP/whole-big/H/C.evtx")" = earlier ] && [ "$(ls -A "$TMP/whole-big/H")" = C.evtx ] \
  && grep -q "event 2 at line 2 is too big for one 64 KiB chunk" "$TMP/err" && pass \
  || { fail "event too big: exit $rc, the file there before not kept"; cat "$TMP/err"; }
for named in 0 1; do
  O="$TMP/whole-$named"; mkdir -p "$O/H"; printf 'earlier\n' >"$O/H/C.evtx"; chmod 640 "$O/H/C.evtx"
  (trap '' XFSZ; ulimit -f 16; EVTRIAGE_TEMP_NAMED=$named exec "$EVTRIAGE" synth -q "$TMP/ok.yaml" -o "$O") 2>"$TMP/err"; rc=$?
  [ $rc -eq 1 ] && [ "$(cat "$O/H/C.evtx")" = earlier ] && [ "$(ls -A "$O/H")" = C.evtx ] \
    && grep -qxF "evtriage: synth: $O/H/C.evtx: write failed: File too large (not written; a file there before is left as it was)" "$TMP/err" \
    && [ "$(wc -l <"$TMP/err")" -eq 1 ] && pass \
    || { fail "temp kind $named: failed write: exit $rc [$(ls -A "$O/H" | tr '\n' ' ')]"; cat "$TMP/err"; }
  EVTRIAGE_TEMP_NAMED=$named "$EVTRIAGE" synth -q "$TMP/ok.yaml" -o "$O" 2>"$TMP/err" \
    && [ "$(head -c 7 "$O/H/C.evtx")" = ElfFile ] && [ "$(stat -c %a "$O/H/C.evtx")" = 640 ] && [ "$(ls -A "$O/H")" = C.evtx ] \
    && pass || { fail "temp kind $named: rewrite: mode $(stat -c %a "$O/H/C.evtx")"; cat "$TMP/err"; }
done
# more attributes on one element than the writer takes: refused, not cut
attrs=$(python3 -c 'print(", ".join("\"@a%d\": v" % i for i in range(65)))')
cat >"$TMP/attrs.yaml" <<YAML
scenario: attrs
hosts:
  - computer: H1
    files:
      - channel: System
        events:
          - {time: 2025-01-01T00:00:00Z, event_id: 1, provider: P, user_data: {Log: {Wide: {$attrs}}}}
YAML
expect attrs "$TMP/attrs.yaml:7:92: 65 attributes on one element: at most 64"
finish
