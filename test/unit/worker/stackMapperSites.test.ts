/**
 * Where an error says it is, read into its first frame (worker/node/stackMapper.ts, moduleSyntaxSite.ts): Node's
 * CommonJS prelude, Bun's `position`, Deno's message ending with its place; the kernel's resolver files dropped. And
 * the frames inside a logged text, mapped or dropped.
 */
import { strict as assert } from 'node:assert';
import { StackMapper } from '../../../worker/node/stackMapper';

const mapper = () => new StackMapper(['/dist/']);

describe('error places in frames', () => {
  it("reads Node's CommonJS prelude (file:line, the line, a caret) into the first frame, once", () => {
    const e = Object.assign(new SyntaxError('Unexpected token'), {
      stack:
        "/nb/lib/bad.cjs:2\nexports.b = 1 +* 2;\n               ^\n\nSyntaxError: Unexpected token '*'\n    at wrapSafe (node:internal/modules/cjs/loader:1464:18)\n    at /nb/__coda_require__.js:1:1",
    });
    const out = mapper().serialize(e);
    assert.deepEqual(out.frames, [{ functionName: '', file: '/nb/lib/bad.cjs', line: 2, column: 16 }]);
    assert.equal(out.stack, 'SyntaxError: Unexpected token\n    at /nb/lib/bad.cjs:2:16');
  });

  it("reads Bun's position, for an error without a stack", () => {
    const e = { name: 'BuildMessage', message: 'Unexpected end of file', position: { file: '/nb/lib/bad.mjs', line: 2, column: 19, lineText: 'x' } };
    assert.deepEqual(mapper().serialize(e).frames, [{ functionName: '', file: '/nb/lib/bad.mjs', line: 2, column: 19 }]);
  });

  it("keeps Deno's place once: as a frame, not again at the end of the message", () => {
    const message = 'SyntaxError: Expression expected\n  |\n2 | export const b = (\n  |                   ~\n    at file:///nb/lib/bad.mjs:2:19';
    // Deno's stack is the message, then the frames below it: the message's last line reads as the first frame
    const e = Object.assign(new TypeError(message), { stack: `TypeError: ${message}\n    at run (/nb/other.js:1:1)` });
    const out = mapper().serialize(e);
    assert.equal(out.message, 'SyntaxError: Expression expected\n  |\n2 | export const b = (\n  |                   ~');
    assert.deepEqual(out.frames, [
      { functionName: '', file: 'file:///nb/lib/bad.mjs', line: 2, column: 19 },
      { functionName: 'run', file: '/nb/other.js', line: 1, column: 1 },
    ]);
    // a message whose last line only looks like a frame, with no stack to hold it, is left whole
    const plain = mapper().serialize({ name: 'Error', message: 'failed\n    at home:1:2' });
    assert.equal(plain.message, 'failed\n    at home:1:2');
  });

  it('a stack whose first line is the message, not a path, has no prelude', () => {
    const e = Object.assign(new Error('a/b:3'), { stack: 'Error: a/b:3\nwhatever\n   ^\n    at f (/nb/x.js:1:1)' });
    assert.deepEqual(mapper().serialize(e).frames, [{ functionName: 'f', file: '/nb/x.js', line: 1, column: 1 }]);
  });
});

describe('stack frames inside a text (StackMapper.rewriteFrames)', () => {
  const cell = (m: StackMapper) => {
    m.register('/nb/cell-1.js', {
      cellId: 'c1',
      cellLabel: '[1]',
      executionId: 1,
      prologueLength: 0,
      lineCount: 3,
      columns: { original: (_l: number, c: number) => c } as never,
    });
    return m;
  };

  it("drops the kernel's frames, keeping the ` {` or `,` that ended one on the frame before it", () => {
    const text = [
      'AggregateError: many',
      '    at cell-fn (/nb/cell-1.js:1:5)',
      '    at run (/dist/worker-main.js:10:2) {',
      '  [errors]: [',
      '    Error: a1',
      '        at /nb/cell-1.js:2:7',
      '        at run (/dist/worker-main.js:10:2),',
      "    'x'",
      '  ]',
      '}',
    ].join('\n');
    assert.equal(
      cell(mapper()).rewriteFrames(text),
      ['AggregateError: many', '    at cell-fn (cell[1]:1:5) {', '  [errors]: [', '    Error: a1', '        at cell[1]:2:7,', "    'x'", '  ]', '}'].join('\n'),
    );
  });

  it("drops Bun's frames that name no place, `(unknown)` and `(native)`, and keeps every other line", () => {
    const text =
      "Error: boom\n    at make (/nb/cell-1.js:1:9)\n    at runInThisContext (unknown)\n    at map (native) {\n  code: 'E',\n  note: 'at (unknown)'\n}";
    assert.equal(cell(mapper()).rewriteFrames(text), "Error: boom\n    at make (cell[1]:1:9) {\n  code: 'E',\n  note: 'at (unknown)'\n}");
  });

  it("shows no file's frame where every file is internal (the Sandbox's cells are its only code)", () => {
    const text = 'Error: x\n    at f (/nb/cell-1.js:1:2)\n    at h (/home/u/host.js:4:4)\n    at coda-sandbox:prelude.js:9:9';
    assert.equal(cell(new StackMapper('all')).rewriteFrames(text), 'Error: x\n    at f (cell[1]:1:2)');
    assert.deepEqual(
      cell(new StackMapper('all'))
        .frames(text)
        .map((f) => f.cellId ?? f.file),
      ['c1'],
    );
  });
});
