// Loads dist/extension.js against a recording stand-in for the `vscode` module and times require + activate().
// Usage: node activation.cjs <extension.js | --baseline>. Prints milliseconds.
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
