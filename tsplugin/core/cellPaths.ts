/**
 * Names VS Code's TypeScript extension gives notebook cells inside the TypeScript server. A document that is not a
 * file reaches tsserver as `^/<scheme>/<authority or ts-nul-authority>/<path>#<fragment>`; a cell's fragment
 * encodes its handle (VS Code's CellUri: a length letter, the handle in base 7, `s`, the notebook's scheme in
 * base64). Pure string work, so the extension side can compute the same names from URIs.
 */

const IN_MEMORY_PREFIX = '^';
const EMPTY_AUTHORITY = 'ts-nul-authority';
export const CELL_SCHEME = 'vscode-notebook-cell';
/** Notebooks the plugin treats as CodaJS notebooks even before the extension configures them. */
export const CODA_NOTEBOOK_EXTENSION = '.coda';

export interface CellPath {
  /** The notebook's path inside tsserver's name (`/work/a.coda`), also the key of its program. */
  notebook: string;
  /** The cell's handle when the fragment carries one (creation order, not notebook order). */
  handle: number | undefined;
}

const CELL_PATH = /^\^\/vscode-notebook-cell\/[^/]*(\/[^#]*)#(.*)$/;

export function parseCellPath(fileName: string): CellPath | undefined {
  const m = CELL_PATH.exec(fileName);
  if (!m) return undefined;
  return { notebook: lowerDrive(m[1]!), handle: parseHandle(m[2]!) };
}

/** A cell's tsserver name compared across sources: VS Code writes a Windows drive letter either case. */
export function canonicalCellPath(fileName: string): string {
  return fileName.replace(/^(\^\/[^/]+\/[^/]+)\/([A-Za-z]):\//, (_m, head: string, d: string) => `${head}/${d.toLowerCase()}:/`);
}

function lowerDrive(path: string): string {
  return path.replace(/^\/([A-Za-z]):\//, (_m, d: string) => `/${d.toLowerCase()}:/`);
}

function parseHandle(fragment: string): number | undefined {
  const m = /^[W-Za-fz]?([0-6]+)s/.exec(fragment);
  if (!m) return undefined;
  const n = parseInt(m[1]!, 7);
  return Number.isFinite(n) ? n : undefined;
}

/** The file system path of a notebook key, when the notebook is a file (`/c:/x` on Windows becomes `c:/x`). */
export function notebookFsPath(notebook: string): string {
  return /^\/[a-zA-Z]:\//.test(notebook) ? notebook.slice(1) : notebook;
}

/**
 * tsserver's name for a document URI, as VS Code's TypeScript extension computes it (`toTsFilePath`) on the
 * desktop: file URIs become their path, other schemes the in-memory form. Takes `uri.toString()`.
 */
export function tsServerPathOfUri(uri: string): string | undefined {
  const m = /^([a-zA-Z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?[^#]*)?(?:#(.*))?$/.exec(uri);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const authority = decode(m[2] ?? '');
  const path = decode(m[3] ?? '');
  const fragment = decode(m[4] ?? '');
  if (scheme === 'file') {
    const p = /^\/[a-zA-Z]:\//.test(path) ? path.slice(1) : path;
    return authority ? `//${authority}${p}` : p;
  }
  return `${IN_MEMORY_PREFIX}/${scheme}/${authority || EMPTY_AUTHORITY}${path.startsWith('/') ? path : `/${path}`}${fragment ? `#${fragment}` : ''}`;
}

/** The notebook key of a notebook document URI (the path part of its cells' names). */
export function notebookKeyOfUri(uri: string): string | undefined {
  const m = /^[a-zA-Z][\w+.-]*:(?:\/\/[^/?#]*)?([^?#]*)/.exec(uri);
  return m ? lowerDrive(decode(m[1] ?? '')) : undefined;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
