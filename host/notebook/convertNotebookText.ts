/**
 * One notebook's text in another format: `.coda`, `.ipynb`, or a script of `// %%` cells (`.js`, `.ts`… as Run
 * Scratch splits one: ./scriptNotebook.ts). Pure, for the CLI (files) and the extension (workspace.fs) alike. The
 * `.coda` text written is read back before it is returned, so a converted notebook never becomes a file CodaJS would
 * refuse to open (e.g. a malformed permission declaration).
 */
import type { CodaDocument } from '../../protocol/codaFile';
import { parseCoda, serializeCoda } from '../../protocol/codaFormat';
import { codaToIpynb, ipynbToCoda, serializeIpynb, type IpynbProblem } from './ipynb';
import { notebookToScript, scriptToNotebook } from './scriptNotebook';

export type NotebookFormat = 'coda' | 'ipynb' | 'script';

/** A script's extensions, and the language of its cells. */
const SCRIPT = /\.(?:([mc]?ts|tsx)|[mc]?js|jsx)$/i;

export type ConvertTextResult = { ok: true; text: string; warnings: string[] } | { ok: false; problems: IpynbProblem[] };

/** The format a file name says, or undefined. */
export function notebookFormatOf(path: string): NotebookFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.coda')) return 'coda';
  if (lower.endsWith('.ipynb')) return 'ipynb';
  if (SCRIPT.test(lower)) return 'script';
  return undefined;
}

/** The language of a script's cells, by its file name. */
export function scriptLanguageOf(path: string): 'javascript' | 'typescript' {
  return SCRIPT.exec(path)?.[1] ? 'typescript' : 'javascript';
}

export function convertNotebookText(text: string, from: NotebookFormat, to: NotebookFormat, fromPath = ''): ConvertTextResult {
  if (from === to) return { ok: false, problems: [{ message: `Both files are ${from === 'script' ? 'scripts' : `${from} notebooks`}: nothing to convert` }] };
  // a script goes through the notebook it holds, either way
  if (from === 'script' || to === 'script') {
    let doc: CodaDocument;
    if (from === 'script') doc = scriptToNotebook(text, scriptLanguageOf(fromPath));
    else {
      const asCoda = from === 'coda' ? { ok: true as const, text } : convertNotebookText(text, from, 'coda');
      if (!asCoda.ok) return asCoda;
      const parsed = parseCoda(asCoda.text);
      if (!parsed.ok) return { ok: false, problems: parsed.problems.map((p) => ({ message: `line ${p.line}, column ${p.column}: ${p.message}` })) };
      doc = parsed.doc;
    }
    if (to === 'script') return { ok: true, text: `${notebookToScript(doc)}\n`, warnings: [] };
    const coda = serializeCoda(doc);
    return to === 'coda' ? { ok: true, text: coda, warnings: [] } : convertNotebookText(coda, 'coda', to);
  }
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
