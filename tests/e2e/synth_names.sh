# synth_names.sh: a scenario's names cannot carry what would reach a terminal or cut a value:
# a NUL anywhere is refused where it is (it used to cut "ab\0../../x" to "ab" silently), a
# control character in a name that becomes a folder or file name too (ESC and a line break
# used to become the folder's name and reach stdout raw); values keep theirs (a hostile log is
# what synth writes for tests). Inputs: ../shared/security/2026-12/synth (defect 14).
. "$(dirname "$0")/lib.bash"
SEC="$EVTRIAGE_SHARED/security/2026-12"
refused() { # yaml expected-line...
  local y=$1; shift
  "$EVTRIAGE" synth "$y" -o "$TMP/out" >"$TMP/stdout" 2>"$TMP/err"
  local rc=$?
  [ $rc -eq 2 ] && [ ! -e "$TMP/out" ] && [ ! -s "$TMP/stdout" ] && pass || fail "$y: exit $rc, or something written"
  for line in "$@"; do
    grep -qxF -- "$line" "$TMP/err" && pass || { fail "$y: no line '$line' in:"; cat -A "$TMP/err"; }
  done
  ! grep -q $'\x1b' "$TMP/err" && pass || fail "$y: ESC on stderr"
}
refused "$SEC/synth/c_nul.yaml" \
  "$SEC/synth/c_nul.yaml:3:15: a NUL character (\\0) in 'ab...': a value here cannot hold one (it would be cut short there)"
refused "$SEC/synth/c_ctrl.yaml" \
  "$SEC/synth/c_ctrl.yaml:3:15: computer 'a\\x1B[2Jb\\x0Ac' names the folder (no 'folder:' given) and holds a control character, which a folder name may not"
# the mechanism, not the one input: every name that becomes a path, NUL in any scalar
cat >"$TMP/names.yaml" <<'YAML'
scenario: names
hosts:
  - computer: H1
    folder: "f\tx"
    files:
      - channel: System
        events: [{time: 2025-01-01T00:00:00Z, event_id: 1, provider: P}]
  - computer: H2
    files:
      - channel: "Sys\e]52;c;ZXZpbA==\atem"
        events: [{time: 2025-01-01T00:00:00Z, event_id: 1, provider: P}]
      - channel: System
        file: "a\nb.evtx"
        events: [{time: 2025-01-01T00:00:00Z, event_id: 1, provider: P}]
      - channel: Application
        file: "c\u009b31m.evtx"
        events: [{time: 2025-01-01T00:00:00Z, event_id: 1, provider: P}]
YAML
refused "$TMP/names.yaml" \
  "$TMP/names.yaml:4:13: folder: 'f\\x09x' holds a control character, which a folder name may not" \
  "$TMP/names.yaml:10:18: channel 'Sys\\x1B]52;c;ZXZpbA==\\x07tem' names the file (no 'file:' given) and holds a control character, which a file name may not" \
  "$TMP/names.yaml:13:15: file: 'a\\x0Ab.evtx' holds a control character, which a file name may not" \
  "$TMP/names.yaml:16:15: file: 'c\\xC2\\x9B31m.evtx' holds a control character, which a file name may not"
cat >"$TMP/nul.yaml" <<'YAML'
scenario: nul
defaults: {provider: &p "P\0x"}
hosts:
  - computer: H1
    files:
      - channel: System
        events:
          - {time: 2025-01-01T00:00:00Z, event_id: 1, event_data: {"Na\0me": v, B: "x\0y"}}
          - {time: 2025-01-01T00:00:00Z, event_id: 1, provider: *p}
YAML
refused "$TMP/nul.yaml" \
  "$TMP/nul.yaml:2:22: a NUL character (\\0) in 'P...': a value here cannot hold one (it would be cut short there)" \
  "$TMP/nul.yaml:8:68: a NUL character (\\0) in 'Na...': a value here cannot hold one (it would be cut short there)" \
  "$TMP/nul.yaml:8:84: a NUL character (\\0) in 'x...': a value here cannot hold one (it would be cut short there)"
[ "$(grep -c 'NUL character' "$TMP/err")" -eq 3 ] && pass || fail "an alias's NUL said more than once"
# values keep their control characters (the review's CSV input names hosts "\t=1+1" with a folder)
"$EVTRIAGE" synth "$SEC/inject/scen2.yaml" -o "$TMP/scen2" >"$TMP/stdout" 2>"$TMP/err" \
  && "$EVTRIAGE" dump "$TMP/scen2/csv4" | grep -qF '"computer":"\t=1+1"' && ! grep -q $'[\x01-\x1f]' <(tr -d '\n\t' <"$TMP/stdout") \
  && pass || { fail "scen2.yaml: a control character in a value with a plain folder"; cat "$TMP/err"; }
finish
