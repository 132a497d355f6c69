#!/usr/bin/env bash
# Installs what the end-to-end tests (tests/e2e) need beyond the Python packages: Debian's
# Chromium, driven by Playwright through its executable path (no browser download by
# `playwright install`), and a font with the symbols the pages use. Idempotent.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "== chromium: $(chromium --version 2>/dev/null || echo present)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "== installing chromium (apt)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  chromium fonts-dejavu-core
echo "== chromium: $(chromium --version 2>/dev/null || echo installed)"
