/**
 * A notebook file's text as a CodaJS document, whichever format its name says: `.coda` as it is, `.ipynb` converted
 * (./ipynb.ts). One call for `coda run` and for the extension's "Open with CodaJS", with the problems of either
 * format in the shape `.coda` problems have (a converted notebook's problems have no line: they point at line 1).
 */
import { parseCoda, type CodaParseResult } from '../../protocol/codaFormat';
import { convertNotebookText, notebookFormatOf } from './convertNotebookText';

export function readNotebook(path: string, text: string): CodaParseResult {
  if (notebookFormatOf(path) !== 'ipynb') return parseCoda(text);
  const converted = convertNotebookText(text, 'ipynb', 'coda');
  if (!converted.ok)
    return { ok: false, problems: converted.problems.map((p) => ({ line: 1, column: 1, message: p.message, ...(p.path ? { path: p.path } : {}) })) };
  return parseCoda(converted.text);
}
