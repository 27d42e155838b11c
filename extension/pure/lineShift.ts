/**
 * Where a line of a scratch file went after an edit, so values shown at the end of lines follow their code: lines
 * below an edit move by the lines it added or removed, the edited line keeps its place (lines inserted before it, at
 * its start, push it down), lines the edit replaced are gone. Pure (takes VS Code's content changes by shape).
 */
export interface LineChange {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

/** A mapping from a line before the changes to the line after them (undefined: the line was replaced). */
export function lineShift(changes: readonly LineChange[]): (line: number) => number | undefined {
  // the changes of one event are in the document's coordinates before the event: apply the lowest last
  const ordered = [...changes].sort((a, b) => b.range.start.line - a.range.start.line);
  return (line) => {
    let at: number | undefined = line;
    for (const c of ordered) {
      if (at === undefined) return undefined;
      const start = c.range.start.line;
      const end = c.range.end.line;
      const added = countNewlines(c.text);
      if (at > end) at += added - (end - start);
      else if (at > start) at = undefined;
      // text inserted at the very start of the line: the line's own code now starts `added` lines further down
      else if (at === start && start === end && c.range.start.character === 0 && c.range.end.character === 0) at += added;
    }
    return at;
  };
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
