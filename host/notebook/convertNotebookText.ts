/**
 * One notebook's text in the other format: `.ipynb` → `.coda` or `.coda` → `.ipynb`. Pure, for the CLI (files) and
 * the extension (workspace.fs) alike. The `.coda` text written is read back before it is returned, so a converted
 * notebook never becomes a file CodaJS would refuse to open (e.g. a malformed permission declaration).
 */
import { parseCoda, serializeCoda } from '../../protocol/codaFormat';
import { codaToIpynb, ipynbToCoda, serializeIpynb, type IpynbProblem } from './ipynb';

export type NotebookFormat = 'coda' | 'ipynb';

export type ConvertTextResult = { ok: true; text: string; warnings: string[] } | { ok: false; problems: IpynbProblem[] };

/** The format a file name says, or undefined. */
export function notebookFormatOf(path: string): NotebookFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.coda')) return 'coda';
  if (lower.endsWith('.ipynb')) return 'ipynb';
  return undefined;
}

export function convertNotebookText(text: string, from: NotebookFormat, to: NotebookFormat): ConvertTextResult {
  if (from === to) return { ok: false, problems: [{ message: `Both files are ${from} notebooks: nothing to convert` }] };
  if (from === 'coda') {
    const parsed = parseCoda(text);
    if (!parsed.ok)
      return {
        ok: false,
        problems: parsed.problems.map((p) => ({ message: `line ${p.line}, column ${p.column}: ${p.message}`, ...(p.path ? { path: p.path } : {}) })),
      };
    return { ok: true, text: serializeIpynb(codaToIpynb(parsed.doc)), warnings: [] };
  }
  const read = ipynbToCoda(text);
  if (!read.ok) return read;
  let coda: string;
  try {
    coda = serializeCoda(read.doc);
  } catch (err) {
    return { ok: false, problems: [{ message: err instanceof Error ? err.message : String(err) }] };
  }
  const check = parseCoda(coda);
  if (!check.ok)
    return { ok: false, problems: check.problems.map((p) => ({ message: `as a CodaJS notebook: ${p.message}`, ...(p.path ? { path: p.path } : {}) })) };
  return { ok: true, text: coda, warnings: read.warnings };
}
