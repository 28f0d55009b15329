#!/usr/bin/env bash
# Renders reports/report.json to report.html (and each chart as SVG and PNG) and takes a
# headless-Chromium screenshot of the page, to look at before a release:
#   scripts/check-html.sh [report.json] [output dir]
# Installs Debian's `chromium` when absent and apt-get is usable; otherwise it renders the
# files, prints a notice and skips the screenshot.
set -euo pipefail
cd "$(dirname "$0")/.."

report=${1:-reports/report.json}
out=${2:-target/check-html}
mkdir -p "$out"
out=$(cd "$out" && pwd)

cargo run --quiet --locked --example render_html -- "$report" "$out"

browser=""
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "check-html: installing chromium (apt-get)" >&2
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
            echo "check-html: could not install chromium; skipping the screenshot" >&2
        fi
        command -v chromium >/dev/null 2>&1 && browser=chromium
    else
        echo "check-html: no chromium and no root apt-get; skipping the screenshot" >&2
    fi
fi
if [ -z "$browser" ]; then
    echo "check-html: rendered $out/report.html and the charts; screenshot skipped"
    exit 0
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for width in 1280 800; do
    shot="$out/screenshot-$width.png"
    if timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --no-first-run --hide-scrollbars --user-data-dir="$profile" \
        --screenshot="$shot" --window-size="$width,2000" "file://$out/report.html" >/dev/null 2>&1 \
        && [ -s "$shot" ]; then
        echo "$shot"
    else
        echo "check-html: $browser could not take the $width px screenshot; skipped" >&2
    fi
done
# The printed page, for @media print.
if timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --user-data-dir="$profile" \
    --print-to-pdf="$out/report.pdf" --no-pdf-header-footer "file://$out/report.html" >/dev/null 2>&1; then
    echo "$out/report.pdf"
fi
