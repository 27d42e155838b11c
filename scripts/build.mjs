// One esbuild context per target: host (extension + headless CLI, Node), worker (Node), sidecar (the agent Deno and
// Bun run), tsplugin (inside VS Code's TypeScript server), webview (browser).
// `tsc -b` only type-checks. Usage: node scripts/build.mjs [--watch] [--production] [--outdir <dir>]
// (--outdir: build elsewhere than dist/, e.g. a test packaging a VSIX without touching the dist/ others run from)
import * as esbuild from 'esbuild';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { absentModules } from './absentModules.mjs';
import { nonAsciiBundles } from './nonAsciiBundles.mjs';
import { sideEffectFree } from './sideEffectFree.mjs';
import { oneCopy } from './oneCopy.mjs';
import { exceptionFree } from './exceptionFree.mjs';
import { tsPluginPackageFiles } from './tsPluginPackage.mjs';
import { writeTypesArchive } from './typesArchive.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const outdirArg = process.argv.indexOf('--outdir');
const outdir = outdirArg > 0 ? process.argv[outdirArg + 1] : 'dist';

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
  legalComments: 'none',
  // prefer ES module builds: some dependencies' UMD "main" builds cannot be bundled (jsonc-parser)
  mainFields: ['module', 'main'],
};

/** The Node majors whose types ship with CodaJS, and the devDependency (an npm alias) holding each. */
const NODE_TYPE_PACKAGES = { 20: '@types/node', 22: '@types/node-22', 24: '@types/node-24', 26: '@types/node-26' };

/** Entry points that exist (parts of the tree are built up issue by issue). */
const present = (entries) => Object.fromEntries(Object.entries(entries).filter(([, p]) => existsSync(join(root, p))));

const targets = [
  {
    name: 'host',
    ...common,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    // dependencies' exception-driven checks answered without the exception (scripts/exceptionFree.mjs)
    plugins: [exceptionFree()],
    // dist/cli.js is a small entry (Node built-ins only) that forks `coda run`'s worker early, then loads dist/cli-main.js;
    // dist/extension.js loads dist/extension-main.js through V8's code cache (extension/entry.ts)
    entryPoints: present({
      extension: 'extension/entry.ts',
      'extension-main': 'extension/extension.ts',
      cli: 'cli/entry.ts',
      'cli-main': 'cli/main.ts',
    }),
    outdir,
    banner: { js: '#!/usr/bin/env node' },
    define: { CODA_VERSION: JSON.stringify(version) },
  },
  {
    name: 'worker',
    ...common,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // native or optional runtime pieces are loaded from node_modules at run time, never bundled
    external: ['isolated-vm', 'node-gyp/bin/node-gyp.js'],
    // what an install never runs is not shipped (scripts/absentModules.mjs); a package npm nests in several folders,
    // or ships as both ES and CommonJS builds, is bundled once (scripts/oneCopy.mjs); dependencies' exception-driven
    // checks are answered without the exception (scripts/exceptionFree.mjs)
    plugins: [absentModules(), sideEffectFree(), oneCopy(root), exceptionFree()],
    entryPoints: present({
      // dist/worker.js loads dist/worker-main.js through V8's code cache (worker/entry.ts)
      worker: 'worker/entry.ts',
      'worker-main': 'worker/main.ts',
      watchdog: 'worker/watchdog.ts',
      sucrase: 'worker/transform/sucraseBundle.ts',
      // dist/installer.js loads dist/installer-main.js through V8's code cache (installer/entry.ts)
      installer: 'installer/entry.ts',
      'installer-main': 'installer/main.ts',
      'installer-files': 'installer/fileThread.ts',
      // Node's module resolve hook, for a Node that runs hooks in a thread of their own (worker/node/FreshModules.ts)
      'module-hooks': 'worker/node/localModuleHooks.ts',
    }),
    outdir,
  },
  {
    // the agent Deno and Bun run as a runtime sidecar: ES module, node: built-ins only (both runtimes provide them)
    name: 'sidecar',
    ...common,
    platform: 'node',
    format: 'esm',
    target: 'es2022',
    // a cell's import attributes (`with { type: 'json' }`) reach Deno's and Bun's import(), which both support them
    supported: { 'import-attributes': true },
    // worker/sidecar/importUrl.ts imports at run time what cells ask for: nothing there is esbuild's to bundle
    logOverride: { 'unsupported-dynamic-import': 'silent' },
    // the bundle's own folder and file (worker/sidecar/agentGlobals.ts), never the globals cells see as theirs
    define: { __dirname: '__coda$agentDir', __filename: '__coda$agentFile' },
    entryPoints: present({ 'sidecar-agent': 'worker/sidecar/agentMain.ts' }),
    outdir,
    outExtension: { '.js': '.mjs' },
  },
  {
    // the TypeScript server plugin (tsplugin/): runs inside VS Code's tsserver and uses its TypeScript, never a copy;
    // tsserver wants `module.exports` to be the plugin factory
    name: 'tsplugin',
    ...common,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['typescript', 'typescript/lib/tsserverlibrary'],
    entryPoints: present({ tsplugin: 'tsplugin/index.ts' }),
    outdir,
    footer: { js: 'module.exports = module.exports.default;' },
  },
  {
    name: 'webview',
    ...common,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    entryPoints: present({ renderer: 'webview/renderer.ts', inspectorPanel: 'webview/inspectorPanelEntry.ts' }),
    outdir,
    loader: { '.css': 'text' },
  },
].filter((t) => Object.keys(t.entryPoints).length > 0);

if (targets.some((t) => t.name === 'tsplugin')) {
  // Node's types of each shipped major beside the plugin (tsplugin/core/nodeTypes.ts picks the one of the Node that
  // runs the notebook), so a Node notebook has them in a workspace that has none: `dist/types/node<major>/node_modules`
  // holds that major's `@types/node` and the `undici-types` it references (devDependencies `@types/node-<major>`)
  rmSync(resolve(root, outdir, 'types'), { recursive: true, force: true });
  rmSync(resolve(root, outdir, 'types.json.br'), { force: true });
  for (const [major, alias] of Object.entries(NODE_TYPE_PACKAGES)) {
    const from = join(root, 'node_modules', alias);
    const to = resolve(root, outdir, 'types', `node${major}`, 'node_modules');
    const undici = [join(from, 'node_modules', 'undici-types'), join(root, 'node_modules', 'undici-types')].find(existsSync);
    for (const [src, dest] of [
      [from, join(to, '@types', 'node')],
      [undici, join(to, 'undici-types')],
    ])
      cpSync(src, dest, {
        recursive: true,
        filter: (f) => (statSync(f).isDirectory() ? !f.slice(src.length).includes('node_modules') : /\.d\.[cm]?ts$|(^|[\\/])(package\.json|LICENSE)$/.test(f)),
      });
  }
  // the VSIX ships them as one archive (scripts/typesArchive.mjs; .vscodeignore), unpacked by the plugin on first use
  if (production) writeTypesArchive(resolve(root, outdir, 'types'), resolve(root, outdir, 'types.json.br'));
  // tsserver loads the plugin by package name from the extension's node_modules (scripts/tsPluginPackage.mjs): the
  // Extension Development Host runs from this checkout, so its own node_modules gets the package; never a
  // node_modules shared with other checkouts (a symbolic link), whose package would point at their dist/
  const modules = join(root, 'node_modules');
  if (outdir === 'dist' && existsSync(modules) && !lstatSync(modules).isSymbolicLink())
    for (const f of tsPluginPackageFiles(version)) {
      mkdirSync(dirname(join(root, f.path)), { recursive: true });
      writeFileSync(join(root, f.path), f.contents);
    }
}

const contexts = await Promise.all(targets.map(({ name: _name, ...options }) => esbuild.context(options)));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`watching ${targets.map((t) => t.name).join(', ')}`);
} else {
  try {
    await Promise.all(contexts.map((c) => c.rebuild()));
  } finally {
    await Promise.all(contexts.map((c) => c.dispose()));
  }
  const twoByte = production ? nonAsciiBundles(resolve(root, outdir)) : [];
  if (twoByte.length) {
    const where = twoByte.map((b) => `  ${b.file}: …${b.excerpt}…`).join('\n');
    console.error(`A bundle holds a character outside ASCII (write it as a \\u escape in the source):\n${where}`);
    process.exit(1);
  }
}
