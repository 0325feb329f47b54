# zip_crc.sh: a zip member whose CRC-32 is found wrong at its end loses no record: its data
# inflated whole, so every byte is read and one line says the member is damaged (exit 1), the
# same on every route (in memory, read while it inflates, libarchive's, standard input).
# libarchive gives its last block with the warning, and that block used to be dropped:
# bigsys_crc_only.zip gave 4,298 of 4,480 records, small_crc_only.zip 0 of 41 (the input marked
# unreadable). Inputs: ../shared/security/2026-12/zip (defect 8; only the CRC fields changed).
. "$(dirname "$0")/lib.bash"
SEC="$EVTRIAGE_SHARED/security/2026-12/zip"
for z in bigsys_crc_only:bigsys.evtx:4480 small_crc_only:small.evtx:41; do
  IFS=: read -r name member want <<<"$z"
  zip="$SEC/$name.zip"
  unzip -p "$zip" "$member" >"$TMP/$member" 2>/dev/null   # unzip says the CRC too, and writes it all
  [ "$("$EVTRIAGE" dump --format count "$TMP/$member" 2>/dev/null)" = "$want" ] && pass || fail "$member itself: not $want records"
  size=$(stat -c %s "$TMP/$member")
  line="$zip!$member: damaged member (ZIP bad CRC: "
  for route in "" 1 0; do
    got=$(EVTRIAGE_MEMORY_BUDGET_MIB=$route "$EVTRIAGE" dump --format count -j2 "$zip" 2>"$TMP/err"); rc=$?
    [ "$got" = "$want" ] && [ $rc -eq 1 ] && grep -qF "$line" "$TMP/err" \
      && grep -q "): all $size bytes of it were inflated and are read (found at its end: the damage may lie anywhere in them)$" "$TMP/err" \
      && [ "$(wc -l <"$TMP/err")" -eq 1 ] && pass \
      || { fail "$name (budget '${route:-default}'): $got records of $want, exit $rc"; cat "$TMP/err"; }
  done
  got=$("$EVTRIAGE" dump --format count - <"$zip" 2>"$TMP/err"); rc=$?
  [ "$got" = "$want" ] && [ $rc -eq 1 ] && grep -qF "(standard input)!$member: damaged member (ZIP bad CRC: " "$TMP/err" && pass \
    || fail "$name from standard input: $got records of $want, exit $rc: $(cat "$TMP/err")"
  # the report: every record, the member's whole size and its SHA-256, damaged first
  "$EVTRIAGE" analyze -q --json "$TMP/r.json" "$zip" >/dev/null 2>&1; rc=$?
  python3 - "$TMP/r.json" "$want" "$size" "$(sha256sum <"$TMP/$member" | cut -c1-64)" <<'PY' && [ $rc -eq 1 ] && pass || fail "$name: analyze (exit $rc)"
import json, sys
r = json.load(open(sys.argv[1]))
(i,) = r["inputs"]
assert i["records"] == int(sys.argv[2]) and i["size"] == int(sys.argv[3]) and i["sha256"] == sys.argv[4], i
assert not i["unreadable"] and i["problems"][0].startswith("damaged member (ZIP bad CRC: "), i
assert "damaged" in [g["kind"] for g in r["gaps"]], r["gaps"]
PY
done
finish
