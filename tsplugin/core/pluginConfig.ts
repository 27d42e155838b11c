/**
 * The message the extension sends the plugin through the TypeScript extension's API
 * (`api.configurePlugin(PLUGIN_NAME, message)`): what the plugin cannot learn from tsserver itself, a notebook's
 * runtime, its cells' order and where its packages and their types are. Each message is the whole state: every
 * open CodaJS notebook and scratch file, and the global folders; it replaces the previous message (tsserver hands a
 * project created later only the latest message, so nothing may depend on an earlier one). The payload crosses a
 * process, so it is checked field by field and anything malformed is dropped, never trusted.
 */
import { notebookKeyOfUri, tsServerPathOfUri } from './cellPaths';

export const PLUGIN_NAME = 'codajs-tsplugin';
export const RUNTIMES = ['node', 'deno', 'bun', 'sandbox'] as const;
export type RuntimeId = (typeof RUNTIMES)[number];
/** Bounds on what one message may carry (a notebook of 10 000 cells is already far past any real one). */
const MAX_NOTEBOOKS = 1000;
const MAX_CELLS = 10_000;
const MAX_PATHS = 64;

export interface NotebookDescription {
  /** The notebook document's URI (`notebook.uri.toString()`), or a scratch file's URI. */
  uri: string;
  runtime: RuntimeId;
  /** Code cells' document URIs in notebook order (omit for a scratch file). */
  cells?: string[];
  /** Folders searched for packages after the notebook's own folder (the notebook's dependency store). */
  modulePaths?: string[];
  /** Folders holding `@types`-style packages (each folder's subfolders are type packages). */
  typeRoots?: string[];
  /** The Deno binary whose `deno types` gives a Deno notebook its `Deno` namespace. */
  denoPath?: string;
  /** The major of the Node (or the Node that Bun reports) that runs the notebook: its `@types/node` is the shipped one of that major. */
  nodeMajor?: number;
  /** `true` for a `// %%` scratch file: the file's cells are one program like a notebook's. */
  scratch?: boolean;
}

export interface PluginMessage {
  notebooks?: NotebookDescription[];
  /** Folders to look for `@types/node` in when a notebook's own folders have none (types shipped with CodaJS). */
  defaultTypeRoots?: string[];
  /** Where generated runtime types (Deno's) are cached. */
  cacheDir?: string;
}

/** A checked description, keyed by the name tsserver uses (notebook path, or scratch file path). */
export interface NotebookSettings {
  key: string;
  runtime: RuntimeId;
  /** tsserver names of the cells in order. */
  cellOrder: string[];
  modulePaths: string[];
  typeRoots: string[];
  denoPath: string | undefined;
  nodeMajor: number | undefined;
  scratch: boolean;
}

export interface CheckedMessage {
  notebooks: NotebookSettings[];
  defaultTypeRoots: string[];
  cacheDir: string | undefined;
}

export function checkMessage(raw: unknown): CheckedMessage {
  const msg = isRecord(raw) ? raw : {};
  const notebooks: NotebookSettings[] = [];
  for (const n of arrayOf(msg.notebooks, MAX_NOTEBOOKS)) {
    const s = checkNotebook(n);
    if (s) notebooks.push(s);
  }
  return {
    notebooks,
    defaultTypeRoots: absolutePaths(msg.defaultTypeRoots),
    cacheDir: typeof msg.cacheDir === 'string' && isAbsolute(msg.cacheDir) ? msg.cacheDir : undefined,
  };
}

function checkNotebook(n: unknown): NotebookSettings | undefined {
  if (!isRecord(n) || typeof n.uri !== 'string') return undefined;
  const scratch = n.scratch === true;
  const key = scratch ? tsServerPathOfUri(n.uri) : keyOf(n.uri);
  if (!key) return undefined;
  const runtime = (RUNTIMES as readonly unknown[]).includes(n.runtime) ? (n.runtime as RuntimeId) : 'node';
  return {
    key,
    runtime,
    cellOrder: strings(n.cells, MAX_CELLS)
      .map(tsServerPathOfUri)
      .filter((p): p is string => !!p),
    modulePaths: absolutePaths(n.modulePaths),
    typeRoots: absolutePaths(n.typeRoots),
    denoPath: typeof n.denoPath === 'string' && isAbsolute(n.denoPath) ? n.denoPath : undefined,
    nodeMajor: Number.isInteger(n.nodeMajor) && (n.nodeMajor as number) > 0 && (n.nodeMajor as number) < 1000 ? (n.nodeMajor as number) : undefined,
    scratch,
  };
}

function keyOf(uri: string): string | undefined {
  return notebookKeyOfUri(uri) || undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arrayOf(v: unknown, max: number): unknown[] {
  return Array.isArray(v) ? v.slice(0, max) : [];
}

function strings(v: unknown, max: number): string[] {
  return arrayOf(v, max).filter((s): s is string => typeof s === 'string');
}

function absolutePaths(v: unknown): string[] {
  return strings(v, MAX_PATHS).filter(isAbsolute);
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(p);
}
