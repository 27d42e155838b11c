import { strict as assert } from 'node:assert';
import { dumpDom, FakeContext, outputItem, tick, trustedClick, window } from './dom';
import { MIME_CONSOLE, MIME_ERROR, MIME_VALUE, type ConsoleEntry, type ObjectValue, type PropertyPage } from '../../protocol';
import { activate } from '../../webview/renderer';
import { matchGolden } from '../unit/helpers/golden';

const entry = (over: Partial<ConsoleEntry>): ConsoleEntry => ({
  method: 'log',
  level: 'log',
  cellId: 'c1',
  executionId: 1,
  time: 0,
  depth: 0,
  text: '',
  ...over,
});
const handle = (id: number) => ({ kernelId: 'k1', id });

function render(mime: string, data: unknown, ctx = new FakeContext()) {
  const api = activate(ctx);
  const el = document.createElement('div');
  document.body.append(el);
  void api.renderOutputItem(outputItem(mime, data), el);
  return { el, ctx };
}

describe('console renderer', () => {
  it('renders levels, groups, tables, ANSI colours and frames (golden)', () => {
    const { el } = render(MIME_CONSOLE, {
      entries: [
        entry({ text: 'plain \x1b[31mred\x1b[0m and \x1b[1mbold\x1b[22m' }),
        entry({ method: 'warn', level: 'warn', text: 'careful' }),
        entry({ method: 'group', text: 'outer' }),
        entry({ method: 'info', level: 'info', depth: 1, text: 'inside' }),
        entry({ method: 'groupCollapsed', depth: 1, text: 'closed', collapsed: true }),
        entry({ depth: 2, text: 'hidden until opened' }),
        entry({ method: 'table', text: '(table)', table: { columns: ['(index)', 'a'], rows: [['0', '1']] } }),
        entry({ method: 'trace', text: 'Trace: here', frames: [{ functionName: 'f', cellId: 'c1', cellLabel: '[1]', line: 2, column: 3 }] }),
        entry({ method: 'error', level: 'error', text: '<img src=x onerror=alert(1)>' }),
      ],
    });
    assert.equal(el.querySelector('img'), null, 'entry text is never parsed as HTML');
    matchGolden('renderer/console.txt', `${dumpDom(el)}\n`);
  });

  it('shows an object logged after a label once, in place and expandable (not as text and again as a tree)', () => {
    const value = { type: 'object' as const, subtype: 'object' as const, className: 'Object', preview: "{name: 'ada'}", handle: handle(7) };
    const { el } = render(MIME_CONSOLE, { entries: [entry({ text: "user { name: 'ada' }", values: [value], segments: ['user', ' ', { value: 0 }] })] });
    assert.equal(el.querySelectorAll('.coda-tree').length, 1, 'one tree');
    assert.equal(el.querySelectorAll('.coda-args').length, 0, 'no second copy below the line');
    assert.equal(el.querySelector('.coda-entry')!.textContent!.replace(/[▶▼]/g, ''), "user {name: 'ada'}");
    assert.ok(el.querySelector('.coda-inline-value .coda-twisty:not(.coda-leaf)'), 'expandable in place');
  });

  it("shows a logged error's stack once: in its text, or as links when the error is shown expandable in place", () => {
    const frames = [{ functionName: 'load', cellId: 'c1', cellLabel: '[1]', line: 2, column: 9 }];
    const text = 'Error: load failed\n    at load (cell[1]:2:9)';
    // as text (saved outputs, no kernel to expand it): the stack is in the text, no list of the same frames below it
    const plain = render(MIME_CONSOLE, { entries: [entry({ method: 'error', level: 'error', text, frames })] }).el;
    assert.equal(plain.querySelectorAll('.coda-frame-link').length, 0);
    assert.equal((plain.textContent!.match(/cell\[1\]:2:9/g) ?? []).length, 1);
    // in place, expandable: the text is not shown, so the frames are, clickable
    const value = { type: 'object' as const, subtype: 'error' as const, className: 'Error', preview: 'Error: load failed', handle: handle(3) };
    const live = render(MIME_CONSOLE, { entries: [entry({ method: 'error', level: 'error', text, frames, values: [value], segments: [{ value: 0 }] })] }).el;
    assert.equal(live.querySelectorAll('.coda-frame-link').length, 1);
  });

  it('posts revealFrame (the place only) when the user clicks a stack frame', () => {
    const { el, ctx } = render(MIME_CONSOLE, {
      entries: [entry({ method: 'trace', text: 'Trace', frames: [{ functionName: 'f', cellId: 'cell-uri', cellLabel: '[4]', line: 7, column: 2 }] })],
    });
    trustedClick(el.querySelector('.coda-frame-link')!);
    assert.deepEqual(ctx.sent, [{ type: 'revealFrame', cellId: 'cell-uri', line: 7, column: 2 }]);
  });

  it('ignores a scripted click on a frame (another output can call link.click(); issue 19)', () => {
    const frames = [
      { functionName: '', file: '/etc/hostname', line: 1, column: 1 },
      { functionName: '', cellId: 'cell-uri', line: 2, column: 1 },
    ];
    const { el, ctx } = render(MIME_ERROR, { error: { name: 'Error', message: 'forged', frames } });
    const links = [...el.querySelectorAll<HTMLElement>('.coda-frame-link')];
    assert.equal(links.length, 2);
    for (const a of links) {
      a.click();
      a.dispatchEvent(new window.MouseEvent('click', { bubbles: true, cancelable: true }));
    }
    assert.deepEqual(ctx.sent, []);
    trustedClick(links[0]!);
    assert.deepEqual(
      ctx.sent,
      [{ type: 'revealFrame', file: '/etc/hostname', line: 1, column: 1 }],
      'the user may still click it (the extension checks the target)',
    );
  });

  it('caps a 100k-line flood and shows all of it in a virtualised list on request', async () => {
    const entries = Array.from({ length: 100_000 }, (_, i) => entry({ text: `line ${i}` }));
    const { el } = render(MIME_CONSOLE, { entries });
    assert.ok(el.querySelectorAll('.coda-entry').length <= 1000, 'at most 1000 entries rendered');
    const button = el.querySelector('.coda-show-all') as HTMLButtonElement;
    assert.match(button.textContent!, /99000 more lines/);
    button.click();
    await tick();
    const list = el.querySelector('.coda-virtual')!;
    assert.equal(list.getAttribute('data-lines'), '100000');
    assert.ok(el.querySelectorAll('.coda-vline').length < 200, 'only the visible window is in the DOM');
    // it opens where the button was: the first hidden line at the top, not back at line 0
    assert.equal((list as HTMLElement).scrollTop, 500 * 18);
    const shown = Array.from(el.querySelectorAll('.coda-vline')).map((l) => l.textContent);
    assert.ok(shown.includes('line 500') && !shown.includes('line 0'), shown.slice(0, 3).join(', '));
  });

  it('asks the host for omitted entries', async () => {
    const ctx = new FakeContext();
    ctx.answer = (m) =>
      m.type === 'showAll'
        ? { type: 'showAllResult', requestId: m.requestId, entries: [entry({ text: 'a' }), entry({ text: 'b' }), entry({ text: 'c' })] }
        : undefined;
    const { el } = render(MIME_CONSOLE, { entries: [entry({ text: 'a' }), entry({ text: 'c' })], omitted: 1 }, ctx);
    (el.querySelector('.coda-show-all') as HTMLButtonElement).click();
    await tick();
    await tick();
    assert.equal(ctx.sent[0]!.type, 'showAll');
    assert.deepEqual(
      Array.from(el.querySelectorAll('.coda-vline')).map((l) => l.textContent),
      ['a', 'b', 'c'],
    );
  });
});

describe('object inspector', () => {
  it('shows no length for a masked string, even one that carries the original length (issue 19)', () => {
    const { el } = render(MIME_VALUE, { value: { type: 'string', value: '••••••', length: 36 } });
    assert.equal(el.textContent, "'••••••'…");
    assert.ok(!el.querySelector('.coda-v-string')!.getAttribute('title'), 'nor in its tooltip');
    const long = render(MIME_VALUE, { value: { type: 'string', value: 'abc', length: 90 } }).el;
    assert.equal(long.textContent, "'abc'… (90 characters)", 'a string without a mask still tells its length');
  });

  const page = (handleId: number, start: number, total: number, items: PropertyPage['items']): PropertyPage => ({
    handle: handle(handleId),
    start,
    total,
    items,
  });

  it('expands lazily through messages and renders nested rows', async () => {
    const ctx = new FakeContext();
    ctx.answer = (m) =>
      m.type === 'expand'
        ? {
            type: 'expandResult',
            requestId: m.requestId,
            page: page(1, 0, 3, [
              { name: 'answer', value: { type: 'number', text: '42' } },
              { name: 'getter', accessor: 'get' },
              { name: '[[Prototype]]', value: { type: 'object', subtype: 'object', className: 'Object', preview: '{}' }, internal: true },
            ]),
          }
        : undefined;
    const value: ObjectValue = { type: 'object', subtype: 'object', className: 'Object', preview: '{ answer: 42 }', handle: handle(1) };
    const { el } = render(MIME_VALUE, { value }, ctx);
    assert.equal(ctx.sent.length, 0, 'nothing is fetched before the user expands');
    (el.querySelector('.coda-row') as HTMLElement).click();
    await tick();
    await tick();
    assert.deepEqual(ctx.sent[0], { type: 'expand', requestId: 1, kernelId: 'k1', handleId: 1, start: 0, count: 100 });
    matchGolden('renderer/expanded-object.txt', `${dumpDom(el)}\n`);
  });

  it('splits a 1e6-element array into index ranges instead of a million nodes', async () => {
    const ctx = new FakeContext();
    ctx.answer = (m) =>
      m.type === 'expand'
        ? {
            type: 'expandResult',
            requestId: m.requestId,
            page: page(
              2,
              m.start,
              1_000_002,
              m.start >= 1_000_000
                ? [
                    { name: 'length', value: { type: 'number', text: '1000000' } },
                    { name: '[[Prototype]]', value: { type: 'object', subtype: 'array', className: 'Array', preview: '[]' }, internal: true },
                  ]
                : Array.from({ length: m.count }, (_, i) => ({ name: String(m.start + i), value: { type: 'number' as const, text: String(m.start + i) } })),
            ),
          }
        : undefined;
    const { el } = render(
      MIME_VALUE,
      { value: { type: 'object', subtype: 'array', className: 'Array', preview: '[ 0, 1, 2, … ]', size: 1_000_000, handle: handle(2) } },
      ctx,
    );
    (el.querySelector('.coda-row') as HTMLElement).click();
    await tick();
    const buckets = Array.from(el.querySelectorAll(':scope .coda-tree > .coda-node > .coda-children > .coda-node > .coda-bucket')).map((b) =>
      b.getAttribute('data-name'),
    );
    assert.equal(buckets.length, 100);
    assert.equal(buckets[0], '[0 … 9999]');
    assert.equal(buckets[99], '[990000 … 999999]');
    const firstBucket = el.querySelector('.coda-bucket') as HTMLElement;
    firstBucket.click();
    const inner = firstBucket.parentElement!.querySelectorAll(':scope > .coda-children > .coda-node > .coda-bucket');
    assert.equal(inner.length, 100);
    (inner[5] as HTMLElement).click();
    await tick();
    await tick();
    const last = ctx.sent[ctx.sent.length - 1]!;
    assert.deepEqual(last.type === 'expand' && [last.start, last.count], [500, 100]);
    assert.ok(el.querySelectorAll('.coda-row').length < 400);
  });

  it('falls back to the saved preview when the kernel is gone', async () => {
    const ctx = new FakeContext();
    ctx.answer = (m) => (m.type === 'expand' ? { type: 'expandResult', requestId: m.requestId, stale: true } : undefined);
    const { el } = render(
      MIME_VALUE,
      { value: { type: 'object', subtype: 'object', className: 'Object', preview: '{ saved: true }', handle: handle(3) } },
      ctx,
    );
    (el.querySelector('.coda-row') as HTMLElement).click();
    await tick();
    await tick();
    assert.match(el.textContent!, /\{ saved: true \}/);
    assert.match(el.querySelector('.coda-hint')!.textContent!, /run the cell again/);
    assert.equal(el.querySelector('.coda-twisty')!.textContent, '');
  });

  it('shows no twisty without renderer messaging (a saved notebook)', () => {
    const ctx = new FakeContext();
    (ctx as { postMessage?: unknown }).postMessage = undefined;
    const { el } = render(MIME_VALUE, { value: { type: 'object', subtype: 'object', className: 'Object', preview: '{ a: 1 }', handle: handle(4) } }, ctx);
    assert.ok(el.querySelector('.coda-leaf'));
  });
});

describe('error renderer', () => {
  it('renders the error, its frames, cause and interrupted state (golden)', () => {
    const { el } = render(MIME_ERROR, {
      cellLabel: '[2]',
      error: {
        name: 'Error',
        message: 'outer',
        frames: [{ functionName: 'f', cellId: 'c', cellLabel: '[2]', line: 3, column: 1 }],
        cause: { name: 'TypeError', message: 'inner' },
        props: { code: '"E_X"' },
      },
    });
    const interrupted = render(MIME_ERROR, { error: { name: 'Interrupted', message: '' }, interrupted: true }).el;
    matchGolden('renderer/error.txt', `${dumpDom(el)}\n---\n${dumpDom(interrupted)}\n`);
  });

  it("says whose error a late one is: the cell's background work, or the promise the cell returned", () => {
    const header = (output: Record<string, unknown>) =>
      render(MIME_ERROR, { error: { name: 'Error', message: 'late' }, cellLabel: '[4]', ...output }).el.querySelector('.coda-dim')?.textContent;
    assert.equal(header({ background: true }), 'Uncaught in background work of cell [4]');
    assert.equal(header({ background: true, rejected: true }), 'Uncaught in the promise cell [4] returned');
    assert.equal(header({}), undefined);
  });
});
