#!/usr/bin/env bash
# Regenerates the pictures of the README and the walkthrough (media/walkthrough/*.png) from the real extension: runs
# the UI scenarios that take them (test/e2e/run.sh in code-server) with CODA_E2E_SCREENSHOTS set.
# Usage: CODA_TOOLS_DIR=... bash scripts/screenshots.sh (with pngquant installed, the pictures are made smaller)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CODA_E2E_SCREENSHOTS=$ROOT/media/walkthrough CODA_E2E_SCENARIOS=${CODA_E2E_SCENARIOS:-firstrun,notebook,runtimes,saving,scratch} \
  bash "$ROOT/test/e2e/run.sh"
# a palette of at most 256 colours per picture (pngquant, Debian's `pngquant`): a third of the bytes, the same look
if command -v pngquant >/dev/null; then
  pngquant --quality=70-90 --strip --speed 1 --ext .png --force "$ROOT"/media/walkthrough/*.png
else
  echo "pngquant is not installed (apt-get install pngquant): the pictures stay full-size" >&2
fi
ls -l "$ROOT/media/walkthrough"
