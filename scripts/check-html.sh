#!/usr/bin/env bash
# Renders report.json to report.html (and each chart as SVG and PNG) and checks the page in
# headless Chromium — run by .ci/run, and by hand to look at before a release:
#   scripts/check-html.sh [report.json] [output dir]
# Checks (examples/check_page.rs), each able to fail: the whole page, shot at half scale, is not
# one colour, fits the window, and shows the charts (pixels in the charts' option colours);
# Chromium's net log holds no network request by the page; the first screen (1280 px) and the
# narrow layout (800 px) are not blank either. A canary page that draws nothing and loads an
# external image must fail the checks first, or the script fails: a check that cannot fail is
# worthless. Writes screenshot-1280.png, screenshot-800.png, page.png and report.pdf to look at.
# Installs Debian's `chromium` when absent and apt-get is usable as root; when it cannot, it
# renders the files, prints a notice and skips the browser checks (exit 0). Exit 1: a check
# failed.
set -euo pipefail
cd "$(dirname "$0")/.."

report=${1:-reports/report.json}
out=${2:-target/check-html}
# CSS pixels of the full-page shot: the page must end above it (the bundled report is ~18,000).
page_px=${CHECK_HTML_PAGE_PX:-24000}
mkdir -p "$out"
out=$(cd "$out" && pwd)

cargo run --quiet --locked --example render_html -- "$report" "$out" >/dev/null
cargo build --quiet --locked --example check_page
check=${CARGO_TARGET_DIR:-target}/debug/examples/check_page
echo "check-html: rendered $out/report.html and its charts (SVG and PNG)"

browser=""
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "check-html: installing chromium (apt-get)" >&2
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
            echo "check-html: could not install chromium" >&2
        fi
        command -v chromium >/dev/null 2>&1 && browser=chromium
    fi
fi
if [ -z "$browser" ]; then
    echo "check-html: NOTICE: no chromium and it cannot be installed here (needs root and apt-get):" \
        "the browser checks of report.html are SKIPPED" >&2
    exit 0
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# shoot URL PNG WIDTH HEIGHT [extra chromium flags…]
shoot() {
    local url=$1 png=$2 width=$3 height=$4
    shift 4
    rm -f "$png"
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking \
        --disable-component-update --no-first-run --hide-scrollbars --user-data-dir="$profile" "$@" \
        --screenshot="$png" --window-size="$width,$height" "$url" >/dev/null 2>&1 || true
    if [ ! -s "$png" ]; then
        echo "check-html: $browser took no screenshot of $url" >&2
        exit 1
    fi
}

# The canary: nothing drawn, one external image. The checks must reject it on both counts.
cat >"$out/canary.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>canary</title></head>
<body><img src="http://faascost-canary.invalid/pixel.png" alt=""></body></html>
EOF
shoot "file://$out/canary.html" "$out/canary.png" 800 600 --log-net-log="$out/canary-net-log.json"
if canary=$("$check" "$out/canary.png" "$out/canary-net-log.json" 2>&1); then
    echo "check-html: the checks passed a blank page that loads an external image: they cannot fail" >&2
    exit 1
fi
for expected in "one colour" "network request: http://faascost-canary.invalid/pixel.png"; do
    if ! grep -qF "$expected" <<<"$canary"; then
        echo "check-html: the canary page was not rejected for: $expected" >&2
        echo "$canary" >&2
        exit 1
    fi
done
echo "check-html: the checks reject the canary page (blank, external request)"

failed=0
shoot "file://$out/report.html" "$out/page.png" 1280 "$page_px" \
    --force-device-scale-factor=0.5 --log-net-log="$out/net-log.json"
"$check" --whole-page "$out/page.png" "$out/net-log.json" || failed=1
for width in 1280 800; do
    shoot "file://$out/report.html" "$out/screenshot-$width.png" "$width" 2000
    "$check" "$out/screenshot-$width.png" || failed=1
done
# The printed page, for @media print (looked at, not checked).
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking \
    --disable-component-update --no-first-run --user-data-dir="$profile" \
    --print-to-pdf="$out/report.pdf" --no-pdf-header-footer "file://$out/report.html" >/dev/null 2>&1 \
    && echo "$out/report.pdf"
if [ "$failed" != 0 ]; then
    echo "check-html: report.html failed a browser check (above)" >&2
    exit 1
fi
echo "check-html: report.html renders in $browser with its charts and makes no network request"
