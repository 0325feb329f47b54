#!/usr/bin/env bash
# device_run.sh: the multi-core benches on the device tool's 16-core machine, from the kit that
# bench/device_kit.sh packed here. One call, e.g.
#   run(command="bash bench/device_run.sh", carry=[".devkit"], timeout_s=540)
# runs bench/startup.sh and bench/analyze_vs_evtxexport.sh there (their -jN rows are -j16) and
# leaves their output in $OUT/device-bench.txt. It checks the kit first and says what is missing.
# Defaults sized for the device's 15 minutes: REPEAT=7, a 300 MB big file (BIG_MB).
set -uo pipefail
cd "$(dirname "$0")/.."
KIT=$PWD/.devkit
OUTDIR=${OUT:-bench/out}
mkdir -p "$OUTDIR" bench/out
LOG=$OUTDIR/device-bench.txt
[ -x "$KIT/bin/evtriage" ] || { echo "no $KIT/bin/evtriage: run bench/device_kit.sh here and carry .devkit" >&2; exit 2; }
export PATH=$KIT/bin:$PATH LD_LIBRARY_PATH=$KIT/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export EVTRIAGE_RULES=$PWD/rules EVTRIAGE_SHARED=$KIT/shared
export REPEAT=${REPEAT:-7} BIG_MB=${BIG_MB:-300}
# The benches call /usr/bin/time and /usr/bin/python3 by path (as on Debian); a bare image may
# lack them. Commands run as root there, on a machine given back afterwards.
[ -x /usr/bin/time ] || cp "$KIT/bin/time" /usr/bin/time
if [ ! -x /usr/bin/python3 ]; then
  py=$(command -v python3) || { echo "python3 missing (bench/make_big_evtx.py needs it)" >&2; exit 2; }
  ln -s "$py" /usr/bin/python3
fi
command -v cc >/dev/null || { echo "cc missing (the benches build small C timers)" >&2; exit 2; }
{
  echo "== device: $(nproc) cores, $(uname -srm), $(date -u +%FT%TZ)"
  grep -m1 'model name' /proc/cpuinfo || true
  evtriage --version && evtxexport -V | head -1 || exit 2
  echo "== bench/startup.sh"
  bash bench/startup.sh "$KIT/bin"
  echo "== bench/analyze_vs_evtxexport.sh (REPEAT=$REPEAT)"
  bash bench/analyze_vs_evtxexport.sh "$KIT/bin"
} 2>&1 | tee "$LOG"
