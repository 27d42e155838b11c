/**
 * dist/extension.js, the extension's entry: loads the extension itself (dist/extension-main.js, built from
 * ./extension.ts) through V8's code cache (common/node/codeCachedBundle.ts). VS Code compiles an extension's code
 * afresh in every window it activates in; with the cache, V8 takes the bytecode of what activation ran before instead.
 *
 * The file is in the user's compile-cache folder beside the worker's and the installer's (host/codeCacheFile.ts), named
 * after the Node or Electron binary running the extension host and the bundle. The extension host writes it itself,
 * a few seconds after an activation that found none V8 accepted, so it holds what activation and the first moments
 * compiled: the extension host runs no notebook's code (kernels are processes of their own, and one with declared
 * permissions cannot write the folder). Node built-ins only besides the bundle: nothing else loads first.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as vscode from 'vscode';
import { loadCachedBundle } from '../common/node/codeCachedBundle';
import { compileCacheDir } from '../host/cacheRoot';
import { codeCacheFile } from '../host/codeCacheFile';
import type * as Main from './extension';

/** How long after an activation without a usable cache the cache is written (unless the window closes first). */
const EXTENSION_CACHE_DELAY_MS = 3_000;

// keyed by the binary and the bundle only: V8 itself rejects a cache made with other flags, and it is written again
const cacheFile = codeCacheFile({ workerPath: __filename, node: process.execPath, execArgv: [] }, compileCacheDir(), 'extension');
const extension = loadCachedBundle('extension', join(__dirname, 'extension-main.js'), module, cacheFile);
const main = extension.module.exports as typeof Main;

export function activate(context: vscode.ExtensionContext): ReturnType<typeof Main.activate> {
  const api = main.activate(context);
  if (cacheFile && extension.status !== 'accepted') {
    const timer = setTimeout(() => {
      try {
        mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
        extension.save();
      } catch {
        // no cache: the next window compiles the extension as before
      }
    }, EXTENSION_CACHE_DELAY_MS);
    timer.unref();
    context.subscriptions.push({ dispose: () => clearTimeout(timer) });
  }
  return api;
}

export function deactivate(): void {
  main.deactivate();
}
