import { strict as assert } from 'node:assert';
import type { ConsoleMethod } from '../../../protocol';
import { ConsoleFormatter, formatDuration } from '../../../worker/inspect/ConsoleFormatter';
import { describeValue } from '../../../worker/inspect/describeValue';
import { withoutStackFrames } from '../../../worker/inspect/inspectText';
import { expandValue } from '../../../worker/inspect/expandValue';
import { HandleRegistry, MAX_HANDLES_PER_CELL } from '../../../worker/inspect/HandleRegistry';
import { matchGolden } from '../helpers/golden';

class Account {
  #secret = 1;
  owner = 'Ada';
  hasSecret() {
    return this.#secret === 1;
  }
  get balance() {
    throw new Error('getters must not run');
  }
}

const families: [string, () => unknown][] = [
  ['undefined', () => undefined],
  ['null', () => null],
  ['true', () => true],
  ['-0', () => -0],
  ['NaN', () => NaN],
  ['bigint', () => 2n ** 70n],
  ['symbol', () => Symbol('tag')],
  ['string', () => 'say "hi"\n'],
  ['long string', () => 'x'.repeat(12_000)],
  ['date', () => new Date(Date.UTC(2026, 0, 2))],
  ['invalid date', () => new Date(NaN)],
  ['regexp', () => /^a.b$/gm],
  ['error with cause', () => new RangeError('out', { cause: new Error('in') })],
  ['error with a string cause', () => new Error('top', { cause: 'because' })],
  ['aggregate', () => new AggregateError([new Error('a')], 'many')],
  [
    'map',
    () =>
      new Map<unknown, unknown>([
        ['k', 1],
        [{ o: 1 }, [2]],
      ]),
  ],
  ['set', () => new Set([1, 'two'])],
  ['weakmap', () => new WeakMap()],
  // eslint-disable-next-line no-sparse-arrays -- a hole is what this case previews
  ['sparse array', () => [1, , 3]],
  ['nested', () => ({ a: { b: { c: { d: 1 } } }, list: [1, 2, 3] })],
  ['typed array', () => new Float64Array([1.5, 2])],
  ['buffer', () => Buffer.from('hi')],
  ['arraybuffer', () => new ArrayBuffer(8)],
  ['dataview', () => new DataView(new ArrayBuffer(4))],
  ['class instance', () => new Account()],
  ['null prototype', () => Object.assign(Object.create(null), { k: 1 })],
  [
    'function',
    () =>
      function add(a: number, b: number) {
        return a + b;
      },
  ],
  ['arrow', () => (x: number) => x],
  ['class', () => Account],
  ['async function', () => async function load() {}],
  [
    'generator',
    () =>
      (function* gen() {
        yield 1;
      })(),
  ],
  ['boxed', () => Object(5)],
  [
    'proxy',
    () =>
      new Proxy(
        { t: 1 },
        {
          get: () => {
            throw new Error('trap ran');
          },
        },
      ),
  ],
  ['resolved promise', () => Promise.resolve(3)],
  [
    'circular',
    () => {
      const o: Record<string, unknown> = { name: 'o' };
      o.self = o;
      return o;
    },
  ],
  ['symbol keys', () => ({ [Symbol('s')]: 1, plain: 2 })],
  // errors inside values read as at the top, without the frames util.inspect prints (kernel paths, unmapped cells)
  ['error in an object', () => ({ e: new Error('inner'), after: 1 })],
  [
    'errors in an array, with a property and a cause',
    () => [Object.assign(new TypeError('t'), { code: 'E_X' }), new Error('outer', { cause: new Error('root') })],
  ],
  ['error in a map', () => new Map([['k', new SyntaxError('bad')]])],
  [
    'rejected promise',
    () => {
      const p = Promise.reject(new Error('boom'));
      p.catch(() => undefined);
      return p;
    },
  ],
  [
    'aggregate error (Promise.any), its first errors named',
    () => new AggregateError([new Error('a'), new RangeError('b', { cause: 'c' }), 'plain', 4], 'all failed'),
  ],
  ['aggregate error without errors', () => new AggregateError([], 'none')],
  ['error with an undefined cause (Bun gives Promise.any its own)', () => new Error('plain', { cause: undefined })],
];

describe('describeValue (golden)', () => {
  it('previews every value family within budget and without running user code', () => {
    const registry = new HandleRegistry('k');
    const lines = families.map(([name, make]) => `${name}: ${JSON.stringify(describeValue(make(), { registry, cellId: 'c' }))}`);
    matchGolden('inspect/values.txt', `${lines.join('\n')}\n`);
  });

  it("drops the frames of V8's, Deno's and Bun's stacks from a preview's text, keeping what follows a frame and message lines", () => {
    const cases: [string, string][] = [
      ['{ e: Error: x\n    at f (/tmp/__coda_cell_1__.js:1:2)\n    at /w/dist/worker-main.js:9:9 }', '{ e: Error: x }'],
      ['[ Error: x\n    at file:///tmp/a.ts:1:2\n    at Script.#runInContext (ext:deno_node/vm.js:1:2887), 2 ]', '[ Error: x, 2 ]'],
      [
        '{ e: Error: x\n    at <anonymous> (/tmp/c.js:1:61)\n    at runInThisContext (unknown)\n    at new Promise (<anonymous>)\n    at f (native) }',
        '{ e: Error: x }',
      ],
      [
        '{ Error: outer\n    at a (/x.js:1:1)\n  [cause]: Error: in\n    at b (/x.js:2:2)\n    ... 4 lines matching cause stack trace ... }',
        '{ Error: outer\n  [cause]: Error: in }',
      ],
      ['{ e: Error: two\n  at least one line of the message\n    at a (/x.js:1:1) }', '{ e: Error: two\n  at least one line of the message }'],
      ["{ s: 'one line' }", "{ s: 'one line' }"],
    ];
    for (const [text, want] of cases) assert.equal(withoutStackFrames(text), want);
  });

  it('keeps a 1e6-element array preview small', () => {
    const big = Array.from({ length: 1e6 }, (_, i) => i);
    const v = describeValue(big, { registry: new HandleRegistry('k'), cellId: 'c' });
    assert.ok(JSON.stringify(v).length < 16 * 1024);
  });

  it('expands rows in order: own, symbols, non-enumerable, prototype; accessors not invoked', () => {
    const registry = new HandleRegistry('k');
    const v = describeValue(new Account(), { registry, cellId: 'c' });
    assert.ok(v.type === 'object' && v.handle);
    const page = expandValue(registry, { handleId: v.handle!.id, start: 0, count: 50 });
    const proto = page.items[page.items.length - 1]!;
    assert.equal(proto.name, '[[Prototype]]');
    const protoPage = expandValue(registry, { handleId: (proto.value as { handle: { id: number } }).handle.id, start: 0, count: 50 });
    assert.deepEqual(
      protoPage.items.find((i) => i.name === 'balance'),
      { name: 'balance', accessor: 'get', enumerable: false },
    );
    matchGolden('inspect/expand-account.txt', `${JSON.stringify(page, null, 1)}\n`);
  });

  it('stops registering handles for a cell past its budget', () => {
    const registry = new HandleRegistry('k');
    for (let i = 0; i < MAX_HANDLES_PER_CELL; i++) registry.register({}, 'flood');
    assert.equal(registry.register({}, 'flood'), undefined);
    assert.ok(registry.register({}, 'other'));
    assert.equal(registry.releaseCell('flood'), MAX_HANDLES_PER_CELL);
  });
});

describe('ConsoleFormatter (golden)', () => {
  it('formats console calls like Node does', () => {
    const f = new ConsoleFormatter({});
    let time = 1000;
    const call = (method: ConsoleMethod, ...args: unknown[]) => {
      time += 1.5;
      const e = f.format(method, args, { cellId: 'c', executionId: 1, time });
      return e
        ? `${method} [${e.level}/${e.depth}] ${JSON.stringify(e.text)}${e.table ? ` table=${JSON.stringify(e.table)}` : ''}${e.collapsed ? ' collapsed' : ''}`
        : `${method} (nothing)`;
    };
    const lines = [
      call('log', 'a %s b %d c %i d %f e %j f %o', 'str', 42.5, 42.5, '1.5', { j: 1 }, [1]),
      call('log', '%c styled', 'color: red'),
      call('info', 'multi', 1, true, null, undefined, { x: [1, 2] }),
      call('table', [
        { a: 1, b: 'x' },
        { a: 2, c: true },
      ]),
      call('table', [[1, 2], [3]]),
      call('table', [{ a: 1, b: 2 }], ['b']),
      call('table', new Map([['k', 1]])),
      call('table', 'not tabular'),
      call('group', 'outer'),
      call('groupCollapsed'),
      call('log', 'deep'),
      call('groupEnd'),
      call('groupEnd'),
      call('groupEnd'),
      call('count'),
      call('count', 'x'),
      call('count'),
      call('countReset'),
      call('count'),
      call('countReset', 'nope'),
      call('time', 't'),
      call('time', 't'),
      call('timeLog', 't', 'extra'),
      call('timeEnd', 't'),
      call('timeEnd', 't'),
      call('assert', true, 'never'),
      call('assert', false, 'shown %s', 'with format'),
      call('assert', 0),
      call('dir', { a: { b: { c: { d: 1 } } } }, { depth: 0 }),
      call('error', Object.assign(new Error('boom'), { stack: 'Error: boom\n    at fixed (/project/file.js:1:1)' })),
      call('clear'),
    ];
    matchGolden('inspect/console.txt', `${lines.join('\n')}\n`);
    assert.deepEqual(
      [formatDuration(1.2345), formatDuration(1500), formatDuration(61_000), formatDuration(3_723_000)],
      ['1.234ms', '1.500s', '1:01.000 (m:ss.mmm)', '1:02:03.000 (h:mm:ss.mmm)'],
    );
  });
});
