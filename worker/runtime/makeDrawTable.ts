/**
 * A table in box-drawing characters, as Node's console.table draws one: a column per header, each as wide as its widest
 * cell and a space either side. console.table's text and display.table's text/plain, on the Node, Deno and Bun kernels
 * (worker/inspect/consoleTable.ts) and in the Sandbox's prelude, which stringifies it: self-contained, ECMAScript
 * built-ins only, captured when it is made (a cell that replaces Array's or String's methods changes no table).
 */
export function makeDrawTable(): (columns: readonly string[], rows: readonly (readonly string[])[]) => string {
  'use strict';
  const apply = Reflect.apply;
  const hasOwn = Object.hasOwn;
  const setPrototypeOf = Object.setPrototypeOf;
  const strRepeat = String.prototype.repeat;
  const padEnd = String.prototype.padEnd;
  const max = Math.max;
  // a cell the row lacks (or a hole) is empty: never read through a getter a cell put on Array.prototype
  const cellOf = (row: readonly string[], i: number): string => (apply(hasOwn, undefined, [row, i]) ? row[i]! : '');
  return (columns, rows) => {
    // (no prototype: no setter a cell put on an index of Array.prototype sees the widths written)
    const widths: number[] = setPrototypeOf([], null);
    for (let i = 0; i < columns.length; i++) {
      let width = cellOf(columns, i).length;
      for (let r = 0; r < rows.length; r++) width = max(width, cellOf(rows[r]!, i).length);
      widths[i] = width + 2;
    }
    const line = (left: string, middle: string, right: string) => {
      let out = left;
      for (let i = 0; i < widths.length; i++) out += `${i ? middle : ''}${apply(strRepeat, '─', [widths[i]])}`;
      return out + right;
    };
    const cells = (row: readonly string[]) => {
      let out = '│';
      for (let i = 0; i < widths.length; i++) out += ` ${apply(padEnd, cellOf(row, i), [widths[i]! - 1])}│`;
      return out;
    };
    let text = `${line('┌', '┬', '┐')}\n${cells(columns)}\n${line('├', '┼', '┤')}`;
    for (let r = 0; r < rows.length; r++) text += `\n${cells(rows[r]!)}`;
    return `${text}\n${line('└', '┴', '┘')}`;
  };
}
