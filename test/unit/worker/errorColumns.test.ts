import { strict as assert } from 'node:assert';
import vm from 'node:vm';
import { startKernel, type TestKernel } from '../helpers/testKernel';

/**
 * A cell's error points where V8 points for the same code in a script: the transform's shapes (the last value's box, a
 * declaration's assignment) must not move V8's idea of where an expression is (worker/transform/transformCell.ts).
 */
const CASES = [
  'undefinedVariable + 1',
  'undefinedVariable.x',
  '1 + undefinedVariable',
  'nope()',
  'null.x',
  'const r = nope()',
  'const r = a.b.c',
  'const r = undefinedVariable',
  'const r = JSON.parse("{")',
  'const o = {}; o.a.b',
  'const o = {}; const r = o.missing.x',
  'let t = 1,\n  u = nope2()',
  'const f = () => nope3(); f()',
  'const q /* = not this one */ = nope5()',
  'const w =\n  nope6()',
];

/** Where V8 puts the error of `code` run as a script (line and column of its first frame in the script). */
function scriptPosition(code: string): string {
  try {
    new vm.Script(code, { filename: 'cell.js' }).runInNewContext({});
  } catch (err) {
    const m = /cell\.js:(\d+):(\d+)/.exec((err as Error).stack ?? '');
    if (m) return `${m[1]}:${m[2]}`;
  }
  throw new Error(`no error position for ${code}`);
}

describe('error positions: where Node puts them for the same code', function () {
  let k: TestKernel;
  before(async () => {
    k = await startKernel();
  });
  after(() => k.kernel.dispose());

  for (const code of CASES) {
    it(JSON.stringify(code), async () => {
      const r = await k.run(code);
      assert.equal(r.status, 'error', JSON.stringify(r));
      const at = r.error.location;
      assert.equal(`${at?.line}:${at?.column}`, scriptPosition(code), JSON.stringify(r.error.frames));
    });
  }

  it('an anonymous function or class as the value, or in a declaration, keeps the name JavaScript gives it', async () => {
    const names = await k.value('const named = () => 1; const C = class {}; [named.name, C.name, (() => 2).name]');
    assert.equal(names, "[ 'named', 'C', '' ]");
    assert.equal(await k.value('(function () {}).name'), '');
    assert.equal(await k.value('const __proto__ = 5; __proto__'), '5');
    assert.equal(
      await k.value('const paren = (() => 1), /* c */ commented /* = */ = function () {}; [paren.name, commented.name]'),
      "[ 'paren', 'commented' ]",
    );
    const typed = await k.run('const t: () => number = () => 1;\nt.name', { language: 'typescript' });
    assert.ok(typed.status === 'ok' && typed.value?.type === 'string' && typed.value.value === 't', JSON.stringify(typed));
  });
});
