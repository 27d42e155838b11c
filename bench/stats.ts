/** Small statistics and table printing for the benchmarks. */
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export interface Row {
  figure: string;
  value: string;
  baseline: string;
  baselineValue: string;
  target: string;
  pass: boolean | undefined;
}

export function printTable(title: string, rows: Row[]): void {
  const cols: (keyof Row)[] = ['figure', 'value', 'baseline', 'baselineValue', 'target'];
  const head = ['figure', 'CodaJS', 'baseline', 'baseline value', 'target', 'result'];
  const cells = rows.map((r) => [...cols.map((c) => String(r[c])), r.pass === undefined ? '-' : r.pass ? 'PASS' : 'MISS']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i]!)).join(' | ');
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const c of cells) console.log(line(c));
}

export const ms = (x: number) => `${x.toFixed(x < 1 ? 3 : 1)} ms`;
