// Runs the mocha suite inside code-server's real extension host through the `payload` route (the server must run
// with --vscode-option enable-smoke-test-driver). The workbench reports the result via window.codeAutomationExit.
// Usage: runExthost.mjs BASE_URL WORKSPACE EXT_DEV_PATH TESTS_DIR
import { launchChromium } from './ui/harness.mjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [base, folder, devPath, testsPath] = process.argv.slice(2);
const resultFile = path.join(testsPath, 'results.txt');
const ud = fs.mkdtempSync(path.join(os.tmpdir(), 'coda-chromium-'));
const ctx = await launchChromium(ud);
const page = ctx.pages()[0];
let done;
const finished = new Promise((r) => (done = r));
const noise =
  /^\[(AgentHost|ChatModelSelection|AccountPolicyGate|reconnection-grace-time|Service Worker|AgentHost:remote)\]|open-vsx\.org|authentication provider 'github'|^(Resolving|Resolved) connection token|^Creating a socket|^Updating additional builtin/;
await page.exposeFunction('codeAutomationLog', (type, args) => {
  if (!process.env.VERBOSE && args.length && noise.test(String(args[0]))) return;
  if (process.env.VERBOSE) console.log(...args);
});
await page.exposeFunction('codeAutomationExit', (code) => done(code));
const authority = new URL(base).host;
const remote = (p) => `vscode-remote://${authority}${p}`;
const payload = JSON.stringify([
  ['extensionDevelopmentPath', remote(devPath)],
  ['extensionTestsPath', remote(testsPath)],
]);
await page.goto(`${base}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(payload)}`);
const timer = setTimeout(() => done('timeout'), Number(process.env.TEST_TIMEOUT_MS || 300_000));
const code = await finished;
clearTimeout(timer);
await ctx.close();
fs.rmSync(ud, { recursive: true, force: true });
const text = fs.existsSync(resultFile) ? fs.readFileSync(resultFile, 'utf8') : '';
process.stdout.write(text);
const passing = Number(/(\d+) passing/.exec(text)?.[1] ?? 0);
const failing = Number(/(\d+) failing/.exec(text)?.[1] ?? 0);
console.log(`exthost: ${passing} passed, ${failing || (code === 0 ? 0 : 1)} failed${code === 'timeout' ? ' (timed out)' : ''}`);
