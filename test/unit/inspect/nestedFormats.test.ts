/**
 * A plugin's formatValue applies to values inside other values too (worker/inspect/nestedFormats.ts): one-line
 * previews of arrays, objects, class instances, Maps, Sets and promises, and console lines, show its preview where the
 * formatted value sits (golden file). The rest of the text is util.inspect's own, and nothing of the user's runs.
 */
import { strict as assert } from 'node:assert';
import { inspect } from 'node:util';
import { ConsoleFormatter } from '../../../worker/inspect/ConsoleFormatter';
import { describeValue } from '../../../worker/inspect/describeValue';
import { MAX_PREVIEW_ITEMS } from '../../../worker/inspect/inspectText';
import { withNestedFormats } from '../../../worker/inspect/nestedFormats';
import { trackPromise } from '../../../worker/inspect/promiseState';
import { setValueFormatter } from '../../../worker/inspect/valueFormatter';
import { matchGolden } from '../helpers/golden';

class Money {
  constructor(
    readonly currency: string,
    readonly cents: number,
  ) {}
}
class Order {
  constructor(
    readonly id: number,
    readonly total: Money,
  ) {}
}
class Wordy {}
class Fails {}

/** The formatter a plugin like the one in docs/plugins.md installs. */
const formatter = (v: object) => {
  if (v instanceof Money) return { preview: `${(v.cents / 100).toFixed(2)} ${v.currency}` };
  if (v instanceof Wordy) return { preview: 'line one\n   line two ' + 'x'.repeat(120) };
  if (v instanceof Fails) throw new Error('a formatter that throws is ignored');
  return undefined;
};

const preview = (v: unknown) => {
  const d = describeValue(v, { cellId: 'c' });
  return d.type === 'object' ? d.preview : JSON.stringify(d);
};

describe('plugin previews inside other values (golden)', () => {
  let remove: () => void;
  beforeEach(() => (remove = setValueFormatter(formatter)));
  afterEach(() => remove());

  it('shows the plugin’s preview wherever a formatted value sits in a preview or a console line', async () => {
    const m = new Money('EUR', 1250);
    // a promise the kernel saw made (as a cell's are), settled
    const promise = Promise.resolve([m]);
    trackPromise(promise);
    await new Promise((r) => setImmediate(r));
    const cycle: Record<string, unknown> = { price: m };
    cycle.self = cycle;
    const many = Array.from({ length: 20 }, (_, i) => new Money('USD', i * 100));
    const getter = {
      price: m,
      get boom(): never {
        throw new Error('a getter ran');
      },
    };
    const values: [string, unknown][] = [
      ['the value itself', m],
      ['array', [m, 1, 'two']],
      ['object', { price: m, n: { deep: m } }],
      ['at the depth limit', { a: { b: { c: m } } }],
      ['class instance', new Order(7, m)],
      ['null prototype', Object.assign(Object.create(null) as object, { m })],
      // eslint-disable-next-line no-sparse-arrays -- a hole, on purpose
      ['sparse array', [m, , m]],
      ['more items than listed', many],
      [
        'map keys and values',
        new Map<unknown, unknown>([
          ['a', m],
          [m, 'as a key'],
        ]),
      ],
      ['set', new Set([m, 2])],
      ['promise', promise],
      ['cycle', cycle],
      ['a getter is not called', getter],
      ['a proxy is not entered', [new Proxy(m, {})]],
      ['multi-line and long preview', [new Wordy()]],
      ['a formatter that throws', [new Fails()]],
      ['nothing formatted', { plain: [1, { x: 'y' }], map: new Map([[1, 2]]) }],
    ];
    const lines = values.map(([name, v]) => `${name}: ${preview(v)}`);
    const f = new ConsoleFormatter({});
    const log = (...args: unknown[]) => JSON.stringify(f.format('log', args, { cellId: 'c', executionId: 1, time: 0 })!.text);
    lines.push(
      `console.log(money): ${log(m)}`,
      `console.log("total", order, [m]): ${log('total', new Order(1, m), [m])}`,
      `console.log(deep): ${log({ a: { b: { c: m } } })}`,
      `console.log with a format string: ${log('%s and %o', 'as is', [m])}`,
    );
    matchGolden('inspect/nested-formats.txt', `${lines.join('\n')}\n`);
  });

  it('leaves values with nothing formatted to util.inspect, byte for byte, without copying them', () => {
    const plain = { a: [1, 2, { b: new Map([['k', new Set([1])]]) }], c: 'd' };
    assert.equal(withNestedFormats(plain, 2, 100), undefined);
    assert.equal(
      preview(plain),
      inspect(plain, { depth: 1, breakLength: Infinity, compact: true, maxArrayLength: MAX_PREVIEW_ITEMS }).replace(/\s*\n\s*/g, ' '),
    );
  });

  it('does nothing while no plugin formats values', () => {
    remove();
    assert.equal(withNestedFormats([new Money('EUR', 1)], 2, 100), undefined);
    assert.equal(preview([new Money('EUR', 1)]), "[ Money { currency: 'EUR', cents: 1 } ]");
  });

  it('lays a value out for the previews it holds, as util.inspect lays out text of their length', () => {
    // two short previews: the value fits on one line, as it would with that text in place
    const value = { first: new Money('EUR', 1250), list: [new Money('USD', 5)], note: 'x'.repeat(20) };
    const text = (v: unknown) => {
      const nested = withNestedFormats(v, 2, 100, true, undefined, 10_000)!;
      return nested.restore(inspect(nested.value, { depth: 2, breakLength: 80, compact: 3, customInspect: false }));
    };
    assert.equal(text(value), "{ first: 12.50 EUR, list: [ 0.05 USD ], note: 'xxxxxxxxxxxxxxxxxxxx' }");
    // the same value with more text goes over lines where util.inspect would put it
    assert.equal(
      text({ ...value, note: 'x'.repeat(40) }),
      "{\n  first: 12.50 EUR,\n  list: [ 0.05 USD ],\n  note: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\n}",
    );
  });

  it("puts back only its own placeholders: a user's string of the same shape and characters stays as it is", () => {
    // (the shape of a placeholder around a mark of characters no mark has)
    const forged = '\uE000\uE0FF\uE0FF0\uE001\uE002';
    const nested = withNestedFormats({ m: new Money('EUR', 1), forged }, 2, 100)!;
    const out = nested.restore(inspect(nested.value, { depth: 2, customInspect: false }));
    assert.ok(out.includes('m: 0.01 EUR') && out.includes(`forged: '${forged}'`), out);
  });

  it('keeps a placeholder within the strings’ budget, so that util.inspect never cuts one', () => {
    const long = new Wordy();
    const nested = withNestedFormats([long], 1, 10, true, undefined, 20)!;
    const out = nested.restore(inspect(nested.value, { maxStringLength: 20, customInspect: false }));
    assert.ok(out.startsWith('[ line one line two x') && !out.includes('\uE000') && !out.includes('more character'), out);
  });
});
