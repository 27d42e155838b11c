#!/usr/bin/env bash
# Regenerates the pictures of the README and the walkthrough (media/walkthrough/*.png) from the real extension: runs
# the UI scenarios that take them (test/e2e/run.sh in code-server) with CODA_E2E_SCREENSHOTS set.
# Usage: CODA_TOOLS_DIR=... bash scripts/screenshots.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CODA_E2E_SCREENSHOTS=$ROOT/media/walkthrough CODA_E2E_SCENARIOS=${CODA_E2E_SCENARIOS:-firstrun,notebook,runtimes,saving,scratch} \
  bash "$ROOT/test/e2e/run.sh"
ls -l "$ROOT/media/walkthrough"
