/**
 * Checkpoints marked in code, as in Quokka: a line that ends with `//?` records its value each time execution passes
 * it; `//? expr` records `expr` instead. The value of a bare `//?` is the line's expression, or — for a declaration or
 * an assignment — the variable after the line ran (read at the start of the next line). Pure: the editor and tests
 * share it.
 */
import type { CheckpointSpec } from '../../protocol';

/** The marker; the text after it, if any, is the expression. */
export const CHECKPOINT_MARKER = '//?';

const DECLARATION = /^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=/;
const ASSIGNMENT = /^\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*(?:\*\*|<<|>>>?|&&|\|\||\?\?|[-+*/%&|^])?=(?!=)/;
const UPDATE = /^\s*(?:(?:\+\+|--)\s*([A-Za-z_$][\w$.]*)|([A-Za-z_$][\w$.]*)\s*(?:\+\+|--))\s*;?\s*$/;

/** Where the marker starts on the line, if it is outside a string (a rough check: an even number of each quote before it). */
function markerAt(line: string): number {
  let from = 0;
  for (;;) {
    const at = line.indexOf(CHECKPOINT_MARKER, from);
    if (at < 0) return -1;
    const before = line.slice(0, at);
    const balanced = ['"', "'", '`'].every((q) => (before.split(q).length - 1) % 2 === 0);
    if (balanced) return at;
    from = at + CHECKPOINT_MARKER.length;
  }
}

/** The checkpoint a line marks, if any (`line`: its 0-based number in the document). */
export function checkpointOnLine(text: string, line: number): Omit<CheckpointSpec, 'id'> | undefined {
  const at = markerAt(text);
  if (at < 0) return undefined;
  const explicit = text.slice(at + CHECKPOINT_MARKER.length).trim();
  const code = text.slice(0, at).trim().replace(/;$/, '').trim();
  if (explicit) return { line, expression: explicit };
  if (!code) return undefined;
  const declared = DECLARATION.exec(code) ?? ASSIGNMENT.exec(code);
  if (declared) return { line, expression: declared[1]!, after: true };
  const updated = UPDATE.exec(code);
  if (updated) return { line, expression: (updated[1] ?? updated[2])!, after: true };
  // a statement keyword is no expression: record nothing rather than break the line
  if (/^(?:if|for|while|do|switch|return|throw|try|function|class|import|export|else|case|default)\b|[{]$/.test(code)) return undefined;
  return { line, expression: code };
}

/** Every checkpoint of a document's text (ids are `<line>`: unique within the document, which owns them). */
export function checkpointComments(text: string, lineOffset = 0): CheckpointSpec[] {
  const out: CheckpointSpec[] = [];
  text.split('\n').forEach((lineText, i) => {
    const cp = checkpointOnLine(lineText, lineOffset + i);
    if (cp) out.push({ id: String(lineOffset + i), ...cp });
  });
  return out;
}
