/**
 * Errors in TypeScript cells point at the column the user wrote: stripping types shortens lines, and the frames,
 * the error location and syntax errors are mapped back by aligning the stripped tokens with the cell's (TypeColumns.ts).
 */
import { strict as assert } from 'node:assert';
import { stripTypes } from '../../../worker/transform/stripTypes';
import { DEFAULT_JSX } from '../../../common/JsxSettings';
import { startKernel, type TestKernel } from '../helpers/testKernel';

/** 1-based column of `needle` on line `line` of `source`. */
function columnOf(source: string, line: number, needle: string): number {
  const text = source.split('\n')[line - 1]!;
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} not on line ${line}`);
  return at + 1;
}

describe('TypeScript cells: positions as written', function () {
  this.timeout(30_000);

  it('maps every column of a stripped line back to the typed source', () => {
    const ts = 'const table: Record<string, Array<number>> = {}; const n: number = (table as any).x; foo(n);';
    const { code, columns } = stripTypes(ts, 'c.ts');
    for (const token of ['= {}', '(table', '.x', 'foo(n)']) {
      assert.equal(columns.original(1, code.indexOf(token) + 1), ts.indexOf(token) + 1, token);
    }
  });

  it('maps the lines after a template literal with ${…} too (sucrase’s own map stops there)', () => {
    const ts = 'const t: string = `a${1}b${"c"}`;\nconst o: { x: number } | null = null; o!.x;\nconst m = `\n${t as string}`; const z: number = 2; z;';
    const { code, columns } = stripTypes(ts, 'c.ts');
    const lines = code.split('\n');
    const source = ts.split('\n');
    for (const [line, token] of [
      [2, '= null'],
      [2, '.x'],
      [4, 'const z'],
      [4, 'z;'],
    ] as const) {
      assert.equal(columns.original(line, lines[line - 1]!.lastIndexOf(token) + 1), source[line - 1]!.lastIndexOf(token) + 1, `${line}: ${token}`);
    }
  });

  it('and in a JSX cell, whose elements become calls', () => {
    const ts = 'const t: string = `a${1}`;\nconst el = <div title={`x${t}`}>{(t as any).missing.deep}</div>;';
    const { code, columns } = stripTypes(ts, 'c.tsx', { typescript: true, jsx: DEFAULT_JSX });
    const line = code.split('\n')[1]!;
    assert.equal(columns.original(2, line.indexOf('.missing') + 1), ts.split('\n')[1]!.indexOf('.missing') + 1);
  });

  describe('in a kernel', () => {
    let k: TestKernel;
    before(async () => (k = await startKernel()));
    after(() => k?.kernel.dispose());

    it('a thrown error after annotations points at the throw, not 15 columns early', async () => {
      const code = 'const shapes: Record<string, Array<{ w: number; h: number }>> = {}; throw new Error("boom")';
      const r = await k.run(code, { language: 'typescript' });
      assert.equal(r.status, 'error');
      if (r.status !== 'error') return;
      assert.deepEqual([r.error.location?.line, r.error.location?.column], [1, columnOf(code, 1, 'new Error')]);
      assert.match(r.error.stack ?? '', new RegExp(`:1:${columnOf(code, 1, 'new Error')}\\b`));
    });

    it('frames inside a function declared with typed parameters, on later lines', async () => {
      const code =
        'function area(w: number, h: number): number {\n  const r: { v?: { n: number } } = {}; return (r.v as { n: number }).n * w * h;\n}\narea(2, 3)';
      const r = await k.run(code, { language: 'typescript' });
      assert.equal(r.status, 'error');
      if (r.status !== 'error') return;
      const frame = r.error.frames?.find((f) => f.functionName === 'area');
      assert.ok(frame, JSON.stringify(r.error.frames));
      assert.equal(frame.line, 2);
      assert.equal(frame.column, columnOf(code, 2, '.n *') + 1);
    });

    it('a syntax error after types points at the bad token', async () => {
      const code = 'const a: Map<string, number> = new Map(); const b = a.get("x") +* 2;';
      const r = await k.run(code, { language: 'typescript' });
      assert.equal(r.status, 'error');
      if (r.status !== 'error') return;
      assert.equal(r.error.name, 'SyntaxError', JSON.stringify(r.error));
      assert.equal(r.error.location?.column, columnOf(code, 1, '* 2'));
    });
  });
});
