#!/usr/bin/env bash
# Opens a report's HTML in headless Chromium, fails on any console error (a linked
# figure that does not load, or that the page's CSP blocks, is one), and saves a
# screenshot to look at.
#   tests/screenshot-report.sh reports/ablations/report.html [out.png]
# Needs Debian's chromium (apt-get install chromium).
set -euo pipefail
html=$(realpath "$1")
png=${2:-${html%.html}.png}
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "screenshot-report: chromium is not installed (apt-get install chromium)" >&2; exit 2; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --user-data-dir="$profile" --enable-logging=stderr --v=0)
log=$("$browser" "${flags[@]}" --window-size=1280,4000 --screenshot="$png" "file://$html" 2>&1 || true)
if grep -E "CONSOLE|Uncaught|Failed to load" <<<"$log" | grep -v "Failed to load resource: net::ERR_FILE_NOT_FOUND.*favicon"; then
  echo "screenshot-report: $html logged errors in the browser" >&2
  exit 1
fi
dom=$("$browser" "${flags[@]}" --dump-dom "file://$html" 2>/dev/null)
grep -q '<img src="[^"]*\.svg"' <<<"$dom" || { echo "screenshot-report: no SVG figure in the rendered page" >&2; exit 1; }
[ -s "$png" ] || { echo "screenshot-report: no screenshot written" >&2; exit 1; }
echo "screenshot-report: $html rendered without errors → $png"
