/**
 * Where an error says it is, read into its first frame (worker/node/stackMapper.ts, moduleSyntaxSite.ts): Node's
 * CommonJS prelude, Bun's `position`, Deno's message ending with its place; the kernel's resolver files dropped.
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
