/** console.log of primitives skips inspect: its text must be util.format's, argument for argument. */
import { strict as assert } from 'node:assert';
import { format } from 'node:util';
import { ConsoleFormatter, primitivesText } from '../../../worker/inspect/ConsoleFormatter';
import { createMasker } from '../../../protocol';

const PRIMITIVES: unknown[] = [
  '',
  'line',
  'two words',
  'tab\there',
  'new\nline',
  'quote \' and "',
  '    at fake (frame.js:1:1)',
  'ünïcödé ✓ 🎉',
  0,
  -0,
  1,
  -1.5,
  1e21,
  1e-7,
  Number.MAX_SAFE_INTEGER,
  NaN,
  Infinity,
  -Infinity,
  0n,
  -12345678901234567890n,
  true,
  false,
  null,
  undefined,
];

describe('console text of primitives (no inspect)', () => {
  it('is util.format for every pair and triple of primitives whose first is no format string', () => {
    let checked = 0;
    for (const a of PRIMITIVES)
      for (const b of PRIMITIVES) {
        for (const args of [[a], [a, b], [a, b, a], [b, 'x', a]]) {
          assert.equal(primitivesText(args), format(...args), JSON.stringify(args.map(String)));
          checked++;
        }
      }
    assert.ok(checked > 2000);
    assert.equal(primitivesText([]), format());
  });

  it('leaves anything else to inspect', () => {
    for (const other of [{}, [], () => 1, Symbol('s'), new Date(0), Object(1), new String('boxed')]) {
      assert.equal(primitivesText(['label', other]), undefined);
      assert.equal(primitivesText([other, 1]), undefined);
    }
  });

  it('a console entry of primitives reads as before: masked, format strings applied', () => {
    const f = new ConsoleFormatter({ mask: createMasker(['s3cr3t']) });
    const ctx = { cellId: 'c', executionId: 1, time: 0 };
    assert.equal(f.format('log', ['line', 7, -0, 5n, null, undefined, true], ctx)!.text, 'line 7 -0 5n null undefined true');
    assert.equal(f.format('log', ['key s3cr3t', 1], ctx)!.text, 'key •••••• 1');
    assert.equal(f.format('log', ['%d items, %s', 3, 'ok'], ctx)!.text, '3 items, ok');
    assert.equal(f.format('log', [1, '%d'], ctx)!.text, '1 %d');
  });
});
