// One linter for the whole tree (ESLint + typescript-eslint, no type information: fast enough for every commit) and
// the process boundaries of docs/architecture.md as import rules: a file's folder says which process it runs in, and
// it may import only what that process can load.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'net',
  'http',
  'https',
  'crypto',
  'url',
  'util',
  'stream',
  'events',
  'worker_threads',
  'module',
  'vm',
  'inspector',
  'tls',
  'dns',
  'dgram',
  'zlib',
  'readline',
  'process',
  'buffer',
  'perf_hooks',
  'assert',
];
const folder = (name) => [`../${name}`, `../${name}/*`, `../../${name}`, `../../${name}/*`, `../../../${name}`, `../../../${name}/*`, `**/${name}/**`];

/** `no-restricted-imports` for files of one process: these modules and folders are another process's. */
function boundary(files, { noVscode = true, noNode = false, folders = [], why, vscodeWhy = 'only extension/ may import vscode' }) {
  const patterns = [];
  if (noVscode) patterns.push({ group: ['vscode'], message: `${why}: ${vscodeWhy}.` });
  if (noNode) patterns.push({ group: NODE_BUILTINS, message: `${why}: no Node.js modules here.` });
  for (const f of folders) patterns.push({ group: folder(f), message: `${why}: ${f}/ is another process's code.` });
  return { files, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default tseslint.config(
  // test/e2e/workspace and test/e2e/untrusted hold a user's scratch files (top-level expressions are the point)
  {
    ignores: [
      'dist/**',
      '.tsbuild/**',
      'node_modules/**',
      '.tools/**',
      'test-results/**',
      'test/fixtures/**',
      'test/golden/**',
      'test/e2e/workspace/**',
      'test/e2e/untrusted/**',
      'images/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        clearImmediate: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        fetch: 'readonly',
        globalThis: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
        AbortController: 'readonly',
        document: 'readonly',
        window: 'readonly',
        navigator: 'readonly',
        getComputedStyle: 'readonly',
      },
    },
    rules: {
      // the code checks with `!` where a lookup cannot miss (noUncheckedIndexedAccess is on)
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-control-regex': 'off',
      // `a && b()` and `c ? d() : e()` as statements read well in small renderers and parsers
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      // lazily loaded bundles (TypeScript support, isolated-vm) are required on first use
      '@typescript-eslint/no-require-imports': 'off',
      // errors re-thrown with the caught one's words in the message: users read the message, never a cause chain
      'preserve-caught-error': 'off',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  // code stringified into the sandbox's isolate works on untyped bridge values
  { files: ['worker/isolate/prelude/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  { files: ['**/*.mjs', '**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  boundary(['protocol/**'], {
    noNode: true,
    folders: ['worker', 'host', 'installer', 'extension', 'cli', 'webview', 'common'],
    why: 'protocol/ is the pure contract every process shares',
  }),
  boundary(['common/**'], {
    noNode: true,
    folders: ['worker', 'host', 'installer', 'extension', 'cli', 'webview'],
    why: 'common/ holds pure helpers shared on purpose',
  }),
  // after common/** (the later rule wins): helpers with Node built-ins, shared by the processes on purpose
  boundary(['common/node/**'], {
    folders: ['worker', 'host', 'installer', 'extension', 'cli', 'webview'],
    why: 'common/node/ holds Node helpers shared on purpose',
  }),
  boundary(['worker/**'], { folders: ['host', 'installer', 'extension', 'cli', 'webview'], why: 'worker/ runs in the kernel' }),
  boundary(['host/**'], { folders: ['worker', 'installer', 'extension', 'cli', 'webview'], why: 'host/ is the layer the extension and the CLI share' }),
  boundary(['installer/**'], { folders: ['worker', 'extension', 'cli', 'webview'], why: 'installer/ runs in the installer process' }),
  boundary(['cli/**'], { folders: ['worker', 'installer', 'extension', 'webview'], why: 'cli/ is the headless runner' }),
  boundary(['webview/**'], { noNode: true, folders: ['worker', 'host', 'installer', 'extension', 'cli'], why: 'webview/ runs in the notebook output webview' }),
  boundary(['tsplugin/**'], { folders: ['worker', 'host', 'installer', 'extension', 'cli', 'webview'], why: 'tsplugin/ runs inside the TypeScript server' }),
  boundary(['extension/**'], { noVscode: false, folders: ['worker', 'installer', 'cli', 'webview'], why: 'extension/ is the VS Code adapters' }),
  // after extension/** (the later rule wins): the editor's logic, unit-tested without VS Code
  boundary(['extension/pure/**'], {
    folders: ['worker', 'installer', 'cli', 'webview'],
    why: 'extension/pure/ is the editor logic tested without VS Code',
    vscodeWhy: 'only the adapters beside it (extension/, outside pure/) may import vscode',
  }),
);
