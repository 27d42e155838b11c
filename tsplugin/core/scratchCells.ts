/**
 * Code cells of a `// %%` scratch file as ranges of the file (the same markers as extension/pure/splitCells.ts;
 * this copy stays free of the extension so it can run inside the TypeScript server). Marker lines and
 * `// %% [markdown]` cells belong to no cell; `// %% [javascript]` marks a JavaScript cell of a .ts file (as an
 * exported notebook with JS and TS cells writes them).
 */
export const MARKER = /^\s*\/\/\s*%%(.*)$/;

export interface ScratchRange {
  start: number;
  end: number;
  /** `// %% [javascript]`: checked as JavaScript whatever the file's extension. */
  javascript?: true;
}

export function scratchCells(text: string): ScratchRange[] {
  const out: ScratchRange[] = [];
  let start = 0;
  let markdown = false;
  let javascript = false;
  let pos = 0;
  const close = (end: number) => {
    if (!markdown) out.push(javascript ? { start, end, javascript: true } : { start, end });
  };
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 ? text.length : nl;
    const m = MARKER.exec(text.slice(pos, lineEnd).replace(/\r$/, ''));
    if (m) {
      close(pos);
      markdown = /^\[markdown\]/i.test(m[1]!.trim());
      javascript = /^\[javascript\]/i.test(m[1]!.trim());
      start = nl < 0 ? text.length : nl + 1;
    }
    if (nl < 0) break;
    pos = nl + 1;
  }
  close(text.length);
  return out.filter((r, i) => i > 0 || r.end > r.start);
}
