/**
 * The kernel plugins a notebook loads (docs/plugins.md): the configured ones (the `coda.plugins` setting, plugins other
 * extensions registered) first, then the notebook's `plugins` metadata, without repeats. A local file (`./x.js`,
 * `../x.js`, an absolute path) is resolved against the notebook's folder; anything else is an npm package
 * (`name` or `name@range`), installed into the notebook's store like an import (pluginInstallCell) and loaded by
 * name. A local file names the packages it needs with `// @coda-dep` lines, as a cell does; they join the store too.
 * Scratch files name theirs with `// @coda-plugin` lines (scratchPlugins), `coda run` adds `--plugin`s (pluginsNamedIn).
 * No vscode import: the extension and `coda run` share it.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { METADATA_PLUGINS } from '../../protocol';

/** The cell id under which plugin packages join a notebook's dependency install. */
export const PLUGINS_CELL_ID = 'coda:plugins';

export interface NotebookPlugins {
  /** What the kernel loads (InitParams.plugins): absolute paths and package names, in hook order. */
  specs: string[];
  /** Packages to install, as `// @coda-dep` takes them (`name` or `name@range`). */
  packages: string[];
  /** Entries that are not a plugin name (not a string, empty). */
  problems: string[];
}

export function notebookPlugins(metadata: Readonly<Record<string, unknown>>, cwd: string, configured: readonly string[] = []): NotebookPlugins {
  const out: NotebookPlugins = { specs: [], packages: [], problems: [] };
  const declared = metadata[METADATA_PLUGINS];
  const entries: unknown[] = [...configured, ...(Array.isArray(declared) ? declared : declared === undefined ? [] : [declared])];
  for (const entry of entries) {
    if (typeof entry !== 'string' || !entry.trim()) {
      out.problems.push(`${JSON.stringify(entry)} is not a plugin: write a package name or a path such as "./my-plugin.js"`);
      continue;
    }
    const spec = entry.trim();
    if (isLocal(spec)) {
      add(out.specs, resolve(cwd, spec));
      continue;
    }
    add(out.specs, packageName(spec));
    add(out.packages, spec);
  }
  return out;
}

/** A scratch file's plugin lines: `// @coda-plugin coda-plugin-jsdom ./my-plugin.js`. */
const PLUGIN_LINE = /^\s*\/\/\s*@coda-plugin\b(.*)$/gm;

/**
 * The plugins a scratch file names with `// @coda-plugin` lines (a scratch file has no metadata: these lines are its
 * `plugins`), in order, as notebookPlugins reads metadata: `notebookPlugins({ plugins: scratchPlugins(text) }, …)`.
 */
export function scratchPlugins(text: string): string[] {
  return [...text.matchAll(PLUGIN_LINE)].flatMap((m) => m[1]!.trim().split(/\s+/).filter(Boolean));
}

/** Characters of a local plugin file read for its `// @coda-dep` lines. */
export const MAX_PLUGIN_SCAN_CHARS = 64 * 1024;
const MAGIC_LINE = /^\s*\/\/\s*@coda-dep\b.*$/gm;

/**
 * The plugins' packages as one more "cell" of the notebook's install (installForCells): the named packages and the
 * `// @coda-dep` lines of the local plugin files (an unreadable file adds nothing: the kernel says it cannot load it).
 */
export async function pluginInstallCell(plugins: NotebookPlugins): Promise<{ cellId: string; code: string }[]> {
  const lines = plugins.packages.map((p) => `// @coda-dep ${p}`);
  for (const file of plugins.specs.filter((s) => isAbsolute(s))) {
    const text = await readFile(file, 'utf8').catch(() => '');
    lines.push(...(text.slice(0, MAX_PLUGIN_SCAN_CHARS).match(MAGIC_LINE) ?? []).map((l) => l.trim()));
  }
  return lines.length ? [{ cellId: PLUGINS_CELL_ID, code: lines.join('\n') }] : [];
}

const isLocal = (spec: string) => spec.startsWith('./') || spec.startsWith('../') || isAbsolute(spec);

/**
 * Plugins named outside the notebook (`coda run --plugin`, a scratch file's `// @coda-plugin` lines): a local file is
 * resolved against `base` (where it was named: the shell's folder, the scratch file's), a package name stays as it is.
 * The result goes to notebookPlugins as its configured plugins.
 */
export function pluginsNamedIn(specs: readonly string[], base: string): string[] {
  return specs.map((s) => s.trim()).map((s) => (isLocal(s) ? resolve(base, s) : s));
}

/** `name@range` → `name` (a scope's leading `@` kept). */
function packageName(spec: string): string {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  return at > 0 ? spec.slice(0, at) : spec;
}

function add(list: string[], item: string): void {
  if (!list.includes(item)) list.push(item);
}
