/**
 * Notebook cells shown as themselves while debugging. A cell script's source map names the cell by its
 * `vscode-notebook-cell:` URI (cellSourceUri.ts). js-debug takes that name as the source's absolute path (the session
 * has no cwd: debugAttachConfig.ts), which is how breakpoints set in the cell bind, but it hands the source to VS Code
 * as `file://` + that path, each segment percent-encoded, with a `sourceReference`, because no such file exists: VS
 * Code then opens a read-only `debug:` copy of the cell. This rewrites every source the debug adapter sends that is a
 * cell CodaJS knows into `{ name, path: <cell URI> }` without a `sourceReference`, as the Jupyter extension's adapter
 * sends Python cells: VS Code parses a path that is a URI as that URI and opens the cell in its notebook, with the
 * paused line, the breakpoints and each step in the cell. VS Code's requests then name the cell by that path, the one
 * js-debug already resolves for breakpoints. docs/inspector.md says why rewriting in a debug adapter tracker is sound.
 */

export const CELL_SCHEME = 'vscode-notebook-cell';

/** The DAP `Source` fields this reads and writes. */
interface DapSource {
  name?: string;
  path?: string;
  sourceReference?: number;
}

/** What names a known cell: its label (`demo.coda, cell 2`) from its URI string, or undefined for no cell of CodaJS's. */
export type CellLabel = (cellUri: string) => string | undefined;

/**
 * The cell URI a debug adapter's source path names: js-debug's `file://` form of a cell URI (`file:///` on Windows),
 * or the URI itself; undefined for every other path.
 */
export function cellUriOfSourcePath(path: string): string | undefined {
  if (path.startsWith(`${CELL_SCHEME}:`)) return path;
  if (!path.startsWith('file://') || !path.includes(CELL_SCHEME)) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.slice('file://'.length));
  } catch {
    return undefined;
  }
  if (decoded.startsWith('/')) decoded = decoded.slice(1);
  return decoded.startsWith(`${CELL_SCHEME}:`) ? decoded : undefined;
}

function rewrite(source: DapSource | undefined, label: CellLabel): number {
  if (!source || typeof source.path !== 'string') return 0;
  const uri = cellUriOfSourcePath(source.path);
  const name = uri === undefined ? undefined : label(uri);
  if (uri === undefined || name === undefined) return 0;
  source.name = name;
  source.path = uri;
  delete source.sourceReference;
  return 1;
}

function each(items: unknown, pick: (item: Record<string, unknown>) => unknown, label: CellLabel): number {
  if (!Array.isArray(items)) return 0;
  let n = 0;
  for (const item of items as Record<string, unknown>[]) if (item && typeof item === 'object') n += rewrite(pick(item) as DapSource | undefined, label);
  return n;
}

/**
 * Rewrites, in place, the cell sources of one message from the debug adapter to VS Code; returns how many. The
 * messages are those whose sources VS Code itself converts (its extension host's convertToVSCPaths): the output,
 * loadedSource and breakpoint events, and the stackTrace, loadedSources, scopes, set(Function)Breakpoints,
 * disassemble and locations responses.
 */
export function showCellSources(message: unknown, label: CellLabel): number {
  const m = message as { type?: string; event?: string; command?: string; success?: boolean; body?: Record<string, unknown> };
  const body = m?.body;
  if (!body || typeof body !== 'object') return 0;
  if (m.type === 'event') {
    switch (m.event) {
      case 'output':
      case 'loadedSource':
        return rewrite(body.source as DapSource | undefined, label);
      case 'breakpoint':
        return rewrite((body.breakpoint as { source?: DapSource } | undefined)?.source, label);
      default:
        return 0;
    }
  }
  if (m.type !== 'response' || !m.success) return 0;
  switch (m.command) {
    case 'stackTrace':
      return each(body.stackFrames, (f) => f.source, label);
    case 'loadedSources':
      return each(body.sources, (s) => s, label);
    case 'scopes':
      return each(body.scopes, (s) => s.source, label);
    case 'setBreakpoints':
    case 'setFunctionBreakpoints':
      return each(body.breakpoints, (b) => b.source, label);
    case 'disassemble':
      return each(body.instructions, (i) => i.location, label);
    case 'locations':
      return rewrite(body.source as DapSource | undefined, label);
    default:
      return 0;
  }
}
