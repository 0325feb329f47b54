#!/usr/bin/env bash
# many_hosts.sh: time and peak RSS of `evtriage analyze` over uploads naming many distinct hosts
# (a collector's ForwardedEvents, or a hostile upload: ../shared/security/2026-12 defect 7),
# which every per-host table of the report must bound (docs/report.md, findings-capped):
#   all-N     N events, each from another Computer, none matching a rule, with --all (timeline
#             entries for every event: the timeline's counts by host)
#   match-N   N failed live migrations (Hyper-V-High-Availability 21502), each from another
#             Computer, through the bundled packs (a finding per host, a correlation over them)
# usage: bench/many_hosts.sh [BUILD_DIR] [N...]   (default N: 50000 100000 200000)
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-build}/evtriage")
shift $(($# ? 1 : 0))
[ -x "$BIN" ] || { echo "no $BIN: build first" >&2; exit 2; }
SIZES=("${@:-50000 100000 200000}")
read -r -a SIZES <<<"${SIZES[*]}"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
scenario() { # KIND N FROM: one host folder of N events, hosts FROM..FROM+N-1 (synth holds 50,000 rich events at most)
  /usr/bin/python3 - "$@" <<'PY'
import sys
kind, n, first = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if kind == "match":
    defaults = ('{provider: Microsoft-Windows-Hyper-V-High-Availability, event_id: 21502, level: 2, event_data: '
                '["Virtual Machine VM1", "VM1", "Live migration of \'Virtual Machine VM1\' failed.\\n\\nVirtual machine '
                'migration operation for \'VM1\' failed at migration source \'HV01\'. (Virtual machine ID 7E)\\n\\nThe '
                'Virtual Machine Management Service failed to establish a connection for a Virtual Machine migration '
                'with host \'DSTB0\': The specified target is unknown or unreachable. (0x80090303)."]}')
    channel = "Microsoft-Windows-Hyper-V-High-Availability-Admin"
else:
    defaults, channel = "{provider: P, event_id: 1}", "Application"
print("scenario: many\nhosts:\n  - computer: C%d\n    files:\n      - channel: %s\n        defaults: %s\n        events:" % (first, channel, defaults))
for i in range(first, first + n):
    print("          - {time: 2025-11-18T%02d:%02d:%02dZ, computer: HOST%07d}" % (i // 3600 % 24, i // 60 % 60, i % 60, i))
PY
}
printf '%-14s %10s %10s %10s\n' input wall_s cpu_s peak_MiB
for kind in all match; do
  for n in "${SIZES[@]}"; do
    d=$W/$kind-$n
    for ((from = 0; from < n; from += 50000)); do
      part=$((n - from < 50000 ? n - from : 50000))
      scenario "$kind" "$part" "$from" >"$W/s.yaml" && "$BIN" synth -q "$W/s.yaml" -o "$d" || exit 1
    done
    extra=(); [ "$kind" = all ] && extra=(--all --timeline "$W/t.csv")
    /usr/bin/time -f '%e %U %S %M' -o "$W/time" "$BIN" analyze -q "${extra[@]}" --json "$W/r.json" "$d" >/dev/null 2>&1
    awk -v name="$kind-$n" '{ printf "%-14s %10s %10.2f %10.1f\n", name, $1, $2 + $3, $4 / 1024 }' "$W/time"
    rm -rf "$d"
  done
done
