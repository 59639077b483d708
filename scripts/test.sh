#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need, then runs pytest.
# Browser tests drive Debian's Chromium through Playwright; it is installed here when missing
# (as root, from Debian's packages). Nothing is downloaded at test time.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -r requirements-dev.txt
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Chromium for the browser tests (apt-get install chromium)..."
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
    else
        echo "Chromium is missing and cannot be installed here (needs root and apt-get): install the 'chromium' package." >&2
        exit 1
    fi
fi
# Charts (vl-convert) and the board pack (fpdf2) draw text with the system's Liberation fonts.
if [ ! -e /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing fonts for charts and the board pack (apt-get install fonts-liberation)..."
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-liberation) >/dev/null
    fi
fi
python -m pytest "$@"
