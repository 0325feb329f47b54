#!/usr/bin/env bash
# report_screenshot.sh [BUILD_DIR]: makes docs/report.png, the picture of the HTML report at the
# top of README.md: `evtriage analyze samples/hyperv-migration-spn --report-html`, rendered by
# headless Chromium (installed by scripts/install-deps.sh; the flags tests/e2e/report_html_chromium.sh
# uses), 1100 x 1400 pixels, the report's time fixed (SOURCE_DATE_EPOCH) so a rerun on the same
# report gives the same picture. Run it after a change to the HTML report, and commit the PNG.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-build}/evtriage")
CASE=${CASE:-samples/hyperv-migration-spn}
CHROMIUM=$(command -v chromium || command -v chromium-browser) || { echo "chromium missing: scripts/install-deps.sh" >&2; exit 2; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
SOURCE_DATE_EPOCH=$(date -d 2026-12-01T00:00:00Z +%s) "$BIN" analyze -q --report-html "$W/report.html" "$CASE" || [ $? -eq 1 ]
timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
  --user-data-dir="$W/profile" --window-size=1100,1400 --hide-scrollbars --virtual-time-budget=2000 \
  --screenshot="$W/report.png" "file://$W/report.html" 2>"$W/chromium.err" >/dev/null ||
  { cat "$W/chromium.err" >&2; exit 1; }
[ "$(head -c 4 "$W/report.png" | od -An -c | tr -d ' ')" = '211PNG' ] || { echo "no PNG written" >&2; exit 1; }
cp "$W/report.png" docs/report.png
echo "docs/report.png: $(stat -c %s docs/report.png) bytes, from $CASE"
