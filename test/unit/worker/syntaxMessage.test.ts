import { strict as assert } from 'node:assert';
import { CellSyntaxError, transformCell } from '../../../worker/transform/transformCell';

/** A cell that does not parse says what is wrong in Node's words, and where (worker/transform/syntaxMessage.ts). */
const CASES: [string, string, string][] = [
  // [cell, message, line:column]
  ['function f() { await 1 }', 'await is only valid in async functions and the top level bodies of modules', '1:16'],
  ['let q = ;', "Unexpected token ';'", '1:9'],
  ['a b', "Unexpected identifier 'b'", '1:3'],
  ['obj = { a: 1 b: 2 }', "Unexpected identifier 'b'", '1:14'],
  ['x = 1 2', 'Unexpected number', '1:7'],
  ['x = 1 "s"', 'Unexpected string', '1:7'],
  ['fetch(url)).then()', "Unexpected token ')'", '1:11'],
  ['const a;', 'Missing initializer in const declaration', '1:7'],
  ['foo(1, 2', 'Unexpected end of input: the ( at line 1, column 4 is never closed', '1:9'],
  ['if (x) {\n  y()\n', 'Unexpected end of input: the { at line 1, column 8 is never closed', '3:1'],
  ['const t = `a ${[1, 2', 'Unexpected end of input: the [ at line 1, column 16 is never closed', '1:21'],
  ['const v = 5;\nif (v > 3) return "early";\n"late"', "'return' outside of function: a cell's value is its last expression, written without return", '2:12'],
  // acorn's own words where they already say it
  ['const s = "abc', 'Unterminated string constant', '1:11'],
  ['let let = 1', 'let is disallowed as a lexically bound name', '1:5'],
];

describe('syntax errors in a cell: the message and the place', () => {
  for (const [cell, message, at] of CASES) {
    it(JSON.stringify(cell), () => {
      assert.throws(
        () => transformCell(cell),
        (err: unknown) => {
          assert.ok(err instanceof CellSyntaxError, String(err));
          assert.equal(err.message, message);
          assert.equal(`${err.line}:${err.column}`, at);
          return true;
        },
      );
    });
  }
});
