#!/usr/bin/env bash
# What the browser tests need: Debian's Chromium and ChromeDriver (a browser
# cannot be downloaded from the internet here), Debian's Noto fonts (so that
# screenshots show Arabic-script and Devanagari text, not empty boxes) and
# axe-core from the npm registry (tests/browser/package-lock.json pins it).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v npm >/dev/null || missing+=(npm)
{ fc-list :lang=ar family | grep -q Noto && fc-list :lang=ne family | grep -q Noto; } 2>/dev/null || missing+=(fonts-noto-core)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian's ${missing[*]}..."
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
chromium --version
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  command -v npm >/dev/null || { echo "npm is needed for axe-core (apt-get install npm)" >&2; exit 1; }
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi
