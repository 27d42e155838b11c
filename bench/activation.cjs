// Loads dist/extension.js against a recording stand-in for the `vscode` module and times require + activate().
// Usage: node activation.cjs <extension.js | --baseline>. Prints milliseconds.
// With CODA_BENCH_AWAIT_CACHE=1 the process then stays (as a window does) until the extension has written its code
// cache into $XDG_CACHE_HOME/codajs/compile-cache (extension/entry.ts), at most 15 s; with CODA_BENCH_STAY_MS it stays
// that long (a window that stays open).
const Module = require('node:module');
const { performance } = require('node:perf_hooks');
const stub = () =>
  new Proxy(function () {}, {
    get: (_t, p) => (p === 'then' ? undefined : p === Symbol.toPrimitive ? () => '' : stub()),
    apply: () => stub(),
    construct: () => stub(),
    set: () => true,
  });
// the namespaces and classes the extension touches at activation (esbuild's interop copies own keys)
const vscode = Object.fromEntries(
  [
    'window',
    'debug',
    'env',
    'workspace',
    'notebooks',
    'commands',
    'l10n',
    'languages',
    'extensions',
    'EventEmitter',
    'Disposable',
    'NotebookCellOutput',
    'NotebookCellOutputItem',
    'NotebookCellData',
    'NotebookData',
    'NotebookCellKind',
    'NotebookRange',
    'NotebookEditorRevealType',
    'Position',
    'Range',
    'Uri',
    'StatusBarAlignment',
    'NotebookEdit',
    'WorkspaceEdit',
    'CodeLens',
    'ThemeColor',
    'DecorationRangeBehavior',
    'ProgressLocation',
    'DiagnosticSeverity',
    'Diagnostic',
    'MarkdownString',
    'ViewColumn',
    'NotebookControllerAffinity',
  ].map((k) => [k, stub()]),
);
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };
const target = process.argv[2];
const context = {
  subscriptions: [],
  asAbsolutePath: (p) => p,
  extension: { packageJSON: { version: 'bench' } },
  globalStorageUri: { fsPath: require('node:os').tmpdir() },
  secrets: stub(),
  globalState: stub(),
};
const t = performance.now();
if (target !== '--baseline') require(require('node:path').resolve(target)).activate(context);

process.stdout.write(String(performance.now() - t));

if (process.env.CODA_BENCH_STAY_MS) setTimeout(() => undefined, Number(process.env.CODA_BENCH_STAY_MS));
if (process.env.CODA_BENCH_AWAIT_CACHE === '1') {
  const { readdirSync } = require('node:fs');
  const dir = require('node:path').join(process.env.XDG_CACHE_HOME ?? '', 'codajs', 'compile-cache');
  const written = () => {
    try {
      return readdirSync(dir).some((n) => /^extension-[0-9a-f]{8}-[0-9a-f]{8}\.v8$/.test(n));
    } catch {
      return false;
    }
  };
  const until = Date.now() + 15_000;
  const poll = setInterval(() => {
    if (written() || Date.now() > until) clearInterval(poll);
  }, 100);
}
