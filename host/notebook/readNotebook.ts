/**
 * A notebook file's text as a CodaJS document, whichever format its name says: `.coda` as it is, `.ipynb` converted
 * (./ipynb.ts), a script (`.js`, `.ts`…) split into cells at its `// %%` lines as Run Scratch splits it
 * (./scriptNotebook.ts). One call for `coda run` and for the extension's "Open with CodaJS", with the problems of either
 * format in the shape `.coda` problems have (a converted notebook's problems have no line: they point at line 1).
 */
import { lineAt } from '../../common/sourcePosition';
import { parseCoda, type CodaParseResult } from '../../protocol/codaFormat';
import { convertNotebookText, notebookFormatOf, scriptLanguageOf } from './convertNotebookText';
import { scratchRuntime } from './scratchRuntime';
import { scriptToNotebook } from './scriptNotebook';

const RUNTIME_COMMENT = /^\s*\/\/\s*@coda-runtime\b/m;

export function readNotebook(path: string, text: string): CodaParseResult {
  const format = notebookFormatOf(path);
  if (format === 'script') {
    // a `// @coda-runtime` naming no runtime is refused here, as Run Scratch refuses it, not run on Node instead
    const chosen = scratchRuntime(text, undefined);
    if ('error' in chosen) return { ok: false, problems: [{ line: lineAt(text, RUNTIME_COMMENT.exec(text)?.index ?? 0), column: 1, message: chosen.error }] };
    return { ok: true, doc: scriptToNotebook(text, scriptLanguageOf(path)) };
  }
  if (format !== 'ipynb') return parseCoda(text);
  const converted = convertNotebookText(text, 'ipynb', 'coda');
  if (!converted.ok)
    return { ok: false, problems: converted.problems.map((p) => ({ line: 1, column: 1, message: p.message, ...(p.path ? { path: p.path } : {}) })) };
  return parseCoda(converted.text);
}
