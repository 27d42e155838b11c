import { strict as assert } from 'node:assert';
import { inspect } from 'node:util';
import { createMasker, MASK, NO_SECRETS, type ObjectValue, type RemoteValue } from '../../../protocol';
import { describeValue } from '../../../worker/inspect/describeValue';
import { budgetText, MAX_RESULT_TEXT, RESULT_TEXT_BUDGET } from '../../../worker/inspect/inspectText';
import { textLayout } from '../../../worker/inspect/textLayout';
import { trackPromise, settledSoon } from '../../../worker/inspect/promiseState';
import { matchGolden } from '../helpers/golden';

/** A cell's result as the kernel describes it. */
const result = (v: unknown, mask = NO_SECRETS) => describeValue(v, { cellId: 'c', text: true, mask }) as ObjectValue;
/** What Node's REPL and console.log print for a value. */
const repl = (v: unknown) => inspect(v, { depth: 2, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 80, compact: 3 });

/** Records every trap a Proxy runs (none may). */
function recordingProxy<T extends object>(target: T, ran: string[]): T {
  const handler: ProxyHandler<T> = {};
  for (const trap of ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'apply', 'construct', 'defineProperty', 'set'] as const) {
    (handler as Record<string, unknown>)[trap] = () => {
      ran.push(trap);
      throw new Error(`trap ${trap} ran`);
    };
  }
  return new Proxy(target, handler);
}

describe("a cell result's full text (ObjectValue.text)", () => {
  it('shows two levels of nesting where the preview shows one, laid out over lines as Node prints it', () => {
    const v = { x: { y: { z: { w: 1 } } }, list: Array.from({ length: 30 }, (_, i) => i), name: 'Ada Lovelace' };
    const d = result(v);
    assert.equal(d.preview, "{ x: { y: [Object] }, list: [ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ... 18 more items ], name: 'Ada Lovelace' }");
    assert.equal(d.text, repl(v));
    assert.match(d.text!, /z: \[Object\]/);
    assert.ok(d.text!.includes('\n'));
  });

  it('gives no text for a value of which util.inspect would list more than 10,000 entries, and one for long lists', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < 300_000; i++) wide[`k${i}`] = i;
    const d = result(wide);
    assert.match(d.preview, /^\{ k0: 0, k1: 1, /);
    assert.equal(d.text, undefined);
    assert.equal(textLayout(wide, 2, 100), 'too-large');
    // 100 objects of 101 entries each, two levels down: 10,201 entries in all
    const deep = Array.from({ length: 100 }, () => Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, { a: i }])));
    assert.equal(textLayout(deep, 2, 100), 'too-large');
    assert.equal(result(deep).text, undefined);
    // util.inspect lists the first 100 items of a list, a Map or a Set, however long it is: those get their text
    const long = [
      Array.from({ length: 1_000_000 }, (_, i) => i),
      new Map(Array.from({ length: 50_000 }, (_, i) => [i, i])),
      new Set(Array.from({ length: 50_000 }, (_, i) => i)),
    ];
    assert.equal(textLayout(long, 2, 100), 'columns');
    assert.equal(result(long).text, repl(long));
    // just under the limit: written, and cut to its budget
    const under: Record<string, number> = {};
    for (let i = 0; i < 9_000; i++) under[`k${i}`] = i;
    assert.equal(textLayout(under, 2, 100), 'columns');
    assert.match(result(under).text!, /… \(\d+ more characters\)$/);
  });

  it('lists up to 100 items of a list where the preview lists 12, and says how many more', () => {
    const fifty = Array.from({ length: 50 }, (_, i) => `item ${i}`);
    assert.match(result(fifty).preview, /'item 11', \.\.\. 38 more items \]$/);
    assert.equal(result(fifty).text, repl(fifty));
    assert.match(result(fifty).text!, /'item 49'/);
    const many = new Map(Array.from({ length: 150 }, (_, i) => [i, String(i)]));
    const text = result(many).text!;
    assert.match(text, /99 => '99',\n {2}\.\.\. 50 more items\n\}$/);
    assert.equal(text, repl(many));
  });

  it('shows strings inside a value up to 10,000 characters where the preview shows 60', () => {
    const long = { s: 'a'.repeat(5000), t: 'b'.repeat(12_000) };
    const d = result(long);
    assert.match(d.preview, /a{60}'\.\.\. 4940 more characters/);
    assert.ok(d.text!.includes(`'${'a'.repeat(5000)}'`));
    assert.ok(d.text!.includes(`'${'b'.repeat(10_000)}'... 2000 more characters`));
  });

  it('is cut at 20,000 characters, saying how many more there were', () => {
    const big = Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(1000, '.'));
    const full = budgetText(big, { ...RESULT_TEXT_BUDGET, maxChars: Infinity }, NO_SECRETS);
    assert.ok(full.length > MAX_RESULT_TEXT + 1000);
    assert.equal(result(big).text, `${full.slice(0, MAX_RESULT_TEXT)}… (${full.length - MAX_RESULT_TEXT} more characters)`);
  });

  it('is absent where it would say what the preview says, and on every value but a result', () => {
    for (const v of [{ a: 1 }, [1, 2, 3], new Map([['k', 1]]), new Error('short'), new Date(0), /re/g, () => 1, Promise.resolve(1)]) {
      assert.equal(result(v).text, undefined, inspect(v));
    }
    const nested = { x: { y: { z: 1 } } };
    assert.ok(result(nested).text);
    // a scratch line's value, a variable, a page's row, a console value: described without `text`
    assert.equal((describeValue(nested, { cellId: 'c' }) as ObjectValue).text, undefined);
  });

  it('writes an error as its preview does, without its stack, only not cut to 240 characters', () => {
    const err = new Error('m'.repeat(400), { cause: new Error('root') });
    const d = result(err);
    assert.equal(d.preview.length, 240);
    assert.equal(d.text, `Error: ${'m'.repeat(400)} (cause: Error: root)`);
  });

  it('writes an error inside a value without the kernel stack frames util.inspect prints under it', () => {
    const v = { level1: { failed: new TypeError('inner'), level2: { cause: new Error('deep', { cause: new Error('root') }) } }, after: 1 };
    const text = result(v).text!;
    assert.match(text, /failed: TypeError: inner/);
    assert.doesNotMatch(text, /^\s+at /m);
    for (const kernelPath of [__filename, 'node:internal', 'node_modules', '.ts:', '.js:']) assert.ok(!text.includes(kernelPath), `${kernelPath} in ${text}`);
  });

  it('writes a circular value with its reference marks', () => {
    const o: Record<string, unknown> = { name: 'o', deep: { a: { b: { c: 1 } } } };
    o.self = o;
    const text = result(o).text!;
    assert.match(text, /^<ref \*1> \{/);
    assert.match(text, /self: \[Circular \*1\]/);
    assert.equal(text, repl(o));
  });

  it('shows a promise the cell returned with its settled value, two levels deep', async () => {
    const p = Promise.resolve({ a: { b: { c: { d: 1 } } } });
    trackPromise(p);
    await settledSoon(p);
    const d = result(p);
    assert.equal(d.preview, 'Promise { { a: { b: [Object] } } }');
    assert.equal(d.text, 'Promise { { a: { b: { c: [Object] } } } }');
  });

  it('masks a secret inside a nested value (also percent-encoded) that only the text reaches', () => {
    const secret = 'nested-secret-4d2f9a';
    const mask = createMasker([secret]);
    const v = { a: { b: { token: secret, url: `https://api.example/?key=${encodeURIComponent(`${secret} +/`)}` } } };
    const d = result(v, mask);
    assert.match(d.text!, new RegExp(`token: '${MASK}'`));
    assert.ok(!JSON.stringify(d).includes(secret));
    assert.ok(!JSON.stringify(d).includes(encodeURIComponent(secret)));
  });

  it("masks a secret with a line break, which Node's layout writes in pieces, each quoted on its own ('…\\n' +)", () => {
    for (const secret of ['BEGIN-KEY-9f3a17\nEND-KEY-c4e2b8', "it's-a-key\n\"quoted\" and 'not'\nthird-line"]) {
      const mask = createMasker([secret]);
      const v = { pem: { key: `a certificate, long enough to be split over lines\n${secret}\nand more text after it` } };
      // without secrets Node writes the string in pieces, one a line
      assert.match(result(v).text!, /\\n(['"`]) \+\n/);
      const text = result(v, mask).text!;
      for (const line of secret.split('\n')) assert.ok(!text.includes(line) && !text.includes(inspect(line).slice(1, -1)), text);
      assert.ok(text.includes(MASK), text);
    }
  });

  it('never calls a getter, not even one at an array index that grouping items into columns would read', async () => {
    const ran: string[] = [];
    const list = Array.from({ length: 30 }, (_, i) => i);
    Object.defineProperty(list, 0, { get: () => (ran.push('index getter'), 1), enumerable: true });
    const holes: number[] = Array.from({ length: 30 }, (_, i) => i);
    delete holes[3];
    Object.setPrototypeOf(holes, Object.create(Array.prototype, { 3: { get: () => (ran.push('prototype getter'), 3) } }) as object);
    class Account {
      owner = 'Ada';
      get balance() {
        ran.push('class getter');
        return 1;
      }
    }
    const v = {
      a: {
        list,
        holes,
        account: new Account(),
        own: {
          get x() {
            ran.push('own getter');
            return 1;
          },
        },
      },
    };
    const text = result(v).text!;
    assert.deepEqual(ran, []);
    assert.match(text, /\[Getter\]/);
    assert.match(text, /owner: 'Ada'/);
    // the same items, only not grouped into columns
    assert.match(text, /29\s*\]/);
    assert.equal(textLayout(v, 2, 100), 'flat');
    assert.equal(textLayout({ a: { list: Array.from({ length: 30 }, (_, i) => i) } }, 2, 100), 'columns');
    // a promise the kernel does not track: its value is known only when it is a primitive
    const held = { p: Promise.resolve(list) };
    await settledSoon(Promise.resolve());
    assert.match(result(held).text!, /\[Getter\]/);
    assert.deepEqual(ran, []);
    assert.equal(textLayout(held, 2, 100), 'flat');
    assert.equal(textLayout({ p: Promise.resolve(1), q: Array.from({ length: 30 }, (_, i) => i) }, 2, 100), 'columns');
  });

  it('runs no Proxy trap and no custom inspect function, at any level it shows', () => {
    const ran: string[] = [];
    const custom = {
      [inspect.custom]: () => {
        ran.push('inspect.custom');
        return 'custom!';
      },
      toString: () => (ran.push('toString'), 'str'),
      toJSON: () => (ran.push('toJSON'), {}),
      [Symbol.toPrimitive]: () => (ran.push('toPrimitive'), 1),
      inner: { deeper: 1 },
    };
    const v = {
      proxy: recordingProxy({ t: 1 }, ran),
      nested: {
        proxy: recordingProxy(
          Array.from({ length: 20 }, (_, i) => i),
          ran,
        ),
        custom,
      },
      top: custom,
    };
    const text = result(v).text!;
    assert.deepEqual(ran, []);
    assert.match(text, /Proxy \[/);
    assert.doesNotMatch(text, /custom!/);
    assert.equal(result(recordingProxy({ a: { b: { c: 1 } } }, ran)).type, 'object');
    assert.deepEqual(ran, []);
  });

  it('lays out a million-item list as Node does, without listing its keys', () => {
    const big = Array.from({ length: 1e6 }, (_, i) => i);
    const started = performance.now();
    const d = result(big);
    assert.ok(performance.now() - started < 500);
    assert.equal(d.text, repl(big));
  });

  it('writes every value family as the runtime prints it (golden)', () => {
    const deep = { a: { b: { c: { d: 1 } } } };
    const families: [string, unknown][] = [
      ['nested', deep],
      ['array of objects', [deep, { e: [1, [2, [3, [4]]]] }]],
      [
        'map',
        new Map<unknown, unknown>([
          ['k', deep],
          [{ o: 1 }, [deep]],
        ]),
      ],
      ['set', new Set([deep, 'two'])],
      [
        'class instance',
        new (class Point {
          x = 1;
          y = { z: { w: [1, 2] } };
        })(),
      ],
      ['null prototype', Object.assign(Object.create(null) as object, { k: deep })],
      ['typed array', new Float64Array(40).map((_, i) => i / 2)],
      ['sparse', Object.assign(new Array(30), { 5: 'five', 20: deep })],
      ['strings', Array.from({ length: 14 }, (_, i) => 'word '.repeat(i))],
      ['error in an object', { e: new RangeError('out of range'), deep }],
      ['long url', new URL(`https://example.com/${'segment/'.repeat(20)}?q=1`)],
    ];
    const lines = families.map(([name, v]) => {
      const d: RemoteValue = result(v);
      return `${name}:\n${d.type === 'object' ? (d.text ?? `(no text) ${d.preview}`) : JSON.stringify(d)}`;
    });
    matchGolden('inspect/result-texts.txt', `${lines.join('\n\n')}\n`);
  });
});
