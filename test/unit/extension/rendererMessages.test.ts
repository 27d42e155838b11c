/**
 * Every webview → extension message, as from a hostile webview (issue 19, item 1): output HTML of a saved notebook
 * runs in the same webview as the renderer and can post what the renderer posts. Each class of payload is tried in
 * several forms: wrong types, huge payloads, unknown ids, another notebook's kernel or cell, paths with `..`,
 * symlinks out of the folder, other URI schemes.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIME_CONSOLE, MIME_ERROR, type ConsoleEntry } from '../../../protocol';
import { answerExpand, kernelsOf } from '../../../extension/pure/answerExpand';
import { answerPanelMessage } from '../../../extension/pure/answerPanelMessage';
import { answerShowAll, type ConsoleLogs } from '../../../extension/pure/answerShowAll';
import { fileFrameTarget } from '../../../extension/pure/fileFrameTarget';
import { NotebookRuns } from '../../../extension/pure/NotebookRuns';
import { outputsHoldFrame } from '../../../extension/pure/outputsHoldFrame';
import { MAX_EXPAND_COUNT, parseRendererMessage } from '../../../extension/pure/parseRendererMessage';
import { MIN_REVEAL_INTERVAL_MS, RevealGate } from '../../../extension/pure/RevealGate';
import { FakeKernel } from '../helpers/fakeKernel';

const HUGE = 'x'.repeat(5_000_000);
const expand = { type: 'expand', requestId: 1, kernelId: 'k1', handleId: 2, start: 0, count: 100 };
const reveal = { type: 'revealFrame', cellId: 'vscode-notebook-cell:/a.coda#W0', line: 3, column: 1 };
const showAll = { type: 'showAll', requestId: 4, outputId: 'out-1' };

describe('webview messages are checked before anything acts on them (parseRendererMessage)', () => {
  it('passes the three well-formed messages through, rebuilt field by field', () => {
    assert.deepEqual(parseRendererMessage(expand), expand);
    assert.deepEqual(parseRendererMessage(reveal), reveal);
    assert.deepEqual(parseRendererMessage({ type: 'revealFrame', file: '/w/lib.js', line: 1, column: 0 }), {
      type: 'revealFrame',
      file: '/w/lib.js',
      line: 1,
      column: 0,
    });
    assert.deepEqual(parseRendererMessage(showAll), showAll);
  });

  const refused: [string, unknown][] = [
    ['not an object', 'expand'],
    ['null', null],
    ['an array', [expand]],
    ['an unknown type', { type: 'runCell', cellId: 'x' }],
    ['a type that is not a string', { ...expand, type: ['expand'] }],
    ['an extra field', { ...expand, command: 'workbench.action.terminal.new' }],
    ['a prototype key', JSON.parse('{"type":"showAll","requestId":1,"outputId":"o","__proto__":{"x":1}}')],
    // expand
    ['expand: kernelId a number', { ...expand, kernelId: 1 }],
    ['expand: kernelId empty', { ...expand, kernelId: '' }],
    ['expand: kernelId huge', { ...expand, kernelId: HUGE }],
    ['expand: handleId a string', { ...expand, handleId: '2' }],
    ['expand: handleId negative', { ...expand, handleId: -1 }],
    ['expand: handleId fractional', { ...expand, handleId: 1.5 }],
    ['expand: start NaN', { ...expand, start: NaN }],
    ['expand: start Infinity', { ...expand, start: Infinity }],
    ['expand: count negative', { ...expand, count: -1 }],
    ['expand: count huge', { ...expand, count: MAX_EXPAND_COUNT + 1 }],
    ['expand: requestId missing', { type: 'expand', kernelId: 'k1', handleId: 2, start: 0, count: 1 }],
    ['expand: requestId an object', { ...expand, requestId: { valueOf: () => 1 } }],
    // revealFrame
    ['reveal: neither cell nor file', { type: 'revealFrame', line: 1, column: 1 }],
    ['reveal: both cell and file', { ...reveal, file: '/etc/hostname' }],
    ['reveal: cellId an object', { ...reveal, cellId: { toString: () => 'x' } }],
    ['reveal: file a number', { type: 'revealFrame', file: 7, line: 1, column: 1 }],
    ['reveal: file huge', { type: 'revealFrame', file: `/${HUGE}`, line: 1, column: 1 }],
    ['reveal: file with a NUL', { type: 'revealFrame', file: '/w/a.js\0.png', line: 1, column: 1 }],
    ['reveal: line 0', { ...reveal, line: 0 }],
    ['reveal: line a string', { ...reveal, line: '3' }],
    ['reveal: line past any document', { ...reveal, line: 1e12 }],
    ['reveal: column negative', { ...reveal, column: -5 }],
    ['reveal: the whole frame (functionName too)', { ...reveal, functionName: 'f' }],
    // showAll
    ['showAll: outputId a number', { ...showAll, outputId: 1 }],
    ['showAll: outputId huge', { ...showAll, outputId: HUGE }],
    ['showAll: requestId negative', { ...showAll, requestId: -1 }],
  ];
  for (const [name, raw] of refused) it(`refuses ${name}`, () => assert.equal(parseRendererMessage(raw), undefined));
});

describe('expand acts only on the asking notebook’s own kernel', () => {
  async function twoNotebooks() {
    const [a, b] = ['a.coda', 'b.coda'].map((nb) => new NotebookRuns(nb, { changed: () => undefined, started: () => undefined }));
    const ka = (await a!.slot.ensure('node', async () => new FakeKernel())) as FakeKernel;
    const kb = (await b!.slot.ensure('node', async () => new FakeKernel())) as FakeKernel;
    return { kernels: kernelsOf(() => [a!, b!]), ka, kb };
  }

  it("answers its own notebook's handles", async () => {
    const { kernels, ka } = await twoNotebooks();
    const answer = await answerExpand(kernels, { ...expand, type: 'expand', kernelId: ka.info.kernelId }, 'busy', 'a.coda');
    assert.ok(answer.page);
    assert.equal(ka.expanded.length, 1);
  });

  it('answers stale, without asking it, for a kernel id of another notebook', async () => {
    const { kernels, kb } = await twoNotebooks();
    const answer = await answerExpand(kernels, { ...expand, type: 'expand', kernelId: kb.info.kernelId }, 'busy', 'a.coda');
    assert.deepEqual(answer, { type: 'expandResult', requestId: 1, stale: true });
    assert.deepEqual(kb.expanded, []);
  });

  it('answers stale for a made-up kernel id', async () => {
    const { kernels } = await twoNotebooks();
    assert.equal((await answerExpand(kernels, { ...expand, type: 'expand', kernelId: 'k-made-up' }, 'busy', 'a.coda')).stale, true);
  });
});

describe('show all sends only the asking notebook’s own console logs', () => {
  const entries: ConsoleEntry[] = [{ method: 'log', level: 'log', cellId: 'c', executionId: 1, time: 0, depth: 0, text: 'private' }];
  const logs: ConsoleLogs<{ nb: string }> = {
    cellForOutput: (id) => (id === 'out-b' ? { nb: 'b.coda' } : id === 'out-a' ? { nb: 'a.coda' } : undefined),
    notebookOf: (c) => c.nb,
    consoleEntries: () => entries,
  };
  it("answers its own cell's output", () =>
    assert.deepEqual(answerShowAll(logs, { type: 'showAll', requestId: 1, outputId: 'out-a' }, 'a.coda', 'gone').entries, entries));
  it("refuses another notebook's output id", () =>
    assert.deepEqual(answerShowAll(logs, { type: 'showAll', requestId: 1, outputId: 'out-b' }, 'a.coda', 'gone'), {
      type: 'showAllResult',
      requestId: 1,
      error: 'gone',
    }));
  it('refuses an unknown output id', () =>
    assert.equal(answerShowAll(logs, { type: 'showAll', requestId: 1, outputId: 'nope' }, 'a.coda', 'gone').entries, undefined));
});

describe('the inspector panel answers only its own kernel (answerPanelMessage)', () => {
  it('shows the value on `ready`, and only on exactly that', async () => {
    const k = new FakeKernel();
    assert.deepEqual(await answerPanelMessage(k, { type: 'ready' }), { kind: 'show' });
    assert.deepEqual(await answerPanelMessage(k, { type: 'ready', html: '<img src=x>' }), { kind: 'ignore' });
  });

  it("expands this kernel's handles, and answers stale for another kernel's id", async () => {
    const [k, other] = [new FakeKernel(), new FakeKernel()];
    const mine = await answerPanelMessage(k, { ...expand, kernelId: k.info.kernelId });
    assert.ok(mine.kind === 'reply' && mine.reply.page);
    const theirs = await answerPanelMessage(k, { ...expand, kernelId: other.info.kernelId });
    assert.deepEqual(theirs, { kind: 'reply', reply: { type: 'expandResult', requestId: 1, stale: true } });
    assert.equal(k.expanded.length, 1);
    assert.equal(other.expanded.length, 0);
  });

  it('ignores malformed and foreign messages', async () => {
    const k = new FakeKernel();
    for (const raw of [
      null,
      'ready',
      { ...expand, kernelId: k.info.kernelId, count: 1e9 },
      { ...expand, kernelId: k.info.kernelId, handleId: 'x' },
      reveal,
      showAll,
    ])
      assert.deepEqual(await answerPanelMessage(k, raw), { kind: 'ignore' }, JSON.stringify(raw)?.slice(0, 80));
    assert.equal(k.expanded.length, 0);
  });
});

describe("a reveal names a frame this notebook's outputs show (outputsHoldFrame)", () => {
  const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  const error = {
    mime: MIME_ERROR,
    data: enc({
      error: {
        name: 'E',
        message: 'm',
        frames: [{ functionName: '', cellId: 'cell-a', line: 2, column: 5 }],
        cause: { name: 'C', message: '', frames: [{ functionName: '', file: '/w/lib.js', line: 9, column: 1 }] },
      },
    }),
  };
  const consoleItem = { mime: MIME_CONSOLE, data: enc({ entries: [{ text: 'Trace', frames: [{ functionName: '', cellId: 'cell-a', line: 7, column: 1 }] }] }) };
  const items = [error, consoleItem];

  it('finds cell and file frames in errors, their causes and console traces', () => {
    assert.ok(outputsHoldFrame(items, { cellId: 'cell-a', line: 2, column: 5 }));
    assert.ok(outputsHoldFrame(items, { file: '/w/lib.js', line: 9, column: 1 }));
    assert.ok(outputsHoldFrame(items, { cellId: 'cell-a', line: 7, column: 1 }));
  });

  it('refuses a frame no output shows: another place, another line, another cell', () => {
    assert.ok(!outputsHoldFrame(items, { file: '/etc/hostname', line: 1, column: 1 }));
    assert.ok(!outputsHoldFrame(items, { cellId: 'cell-a', line: 3, column: 5 }));
    assert.ok(!outputsHoldFrame(items, { cellId: 'cell-of-another-notebook', line: 2, column: 5 }));
    assert.ok(!outputsHoldFrame(items, { cellId: '/w/lib.js', line: 9, column: 1 }), 'a file is not a cell');
  });

  it('does not read frames from other output types (HTML, plain text) nor broken JSON', () => {
    const html = { mime: 'text/html', data: enc({ frames: [{ file: '/etc/hostname', line: 1, column: 1 }] }) };
    const broken = { mime: MIME_ERROR, data: new TextEncoder().encode('{"error": {"frames": [') };
    assert.ok(!outputsHoldFrame([html, broken], { file: '/etc/hostname', line: 1, column: 1 }));
  });

  it('stops at a nesting deeper than any error chain', () => {
    let deep: unknown = { file: '/etc/hostname', line: 1, column: 1 };
    for (let i = 0; i < 200; i++) deep = { cause: deep };
    assert.ok(!outputsHoldFrame([{ mime: MIME_ERROR, data: enc(deep) }], { file: '/etc/hostname', line: 1, column: 1 }));
  });
});

describe('where a file frame may lead (fileFrameTarget)', () => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'coda-frames-')));
  const folder = join(base, 'project');
  const outside = join(base, 'elsewhere');
  const home = join(base, 'home');
  before(() => {
    for (const d of [folder, join(folder, 'lib'), outside, home]) mkdirSync(d, { recursive: true });
    writeFileSync(join(folder, 'lib', 'a.js'), '1');
    writeFileSync(join(outside, 'secret.txt'), 's');
    writeFileSync(join(home, 'notes.js'), 'n');
    symlinkSync(join(outside, 'secret.txt'), join(folder, 'link-out.txt'));
    symlinkSync(outside, join(folder, 'dir-out'));
    symlinkSync(join(folder, 'lib', 'a.js'), join(outside, 'link-in.js'));
  });
  const roots = () => [folder];

  it('opens a file inside the folder', async () =>
    assert.deepEqual(await fileFrameTarget(join(folder, 'lib', 'a.js'), roots()), { kind: 'open', path: join(folder, 'lib', 'a.js') }));
  it('opens a file: URL inside the folder', async () =>
    assert.deepEqual(await fileFrameTarget(`file://${join(folder, 'lib', 'a.js')}`, roots()), { kind: 'open', path: join(folder, 'lib', 'a.js') }));
  it('asks, with the real path, for a file outside', async () =>
    assert.deepEqual(await fileFrameTarget(join(outside, 'secret.txt'), roots()), { kind: 'ask', path: join(outside, 'secret.txt') }));
  it('asks for `..` out of the folder', async () =>
    assert.deepEqual(await fileFrameTarget(join(folder, 'lib', '..', '..', 'elsewhere', 'secret.txt'), roots()), {
      kind: 'ask',
      path: join(outside, 'secret.txt'),
    }));
  it('asks for a symlink in the folder that points out of it', async () =>
    assert.deepEqual(await fileFrameTarget(join(folder, 'link-out.txt'), roots()), { kind: 'ask', path: join(outside, 'secret.txt') }));
  it('asks for a file under a symlinked folder that points out', async () =>
    assert.deepEqual(await fileFrameTarget(join(folder, 'dir-out', 'secret.txt'), roots()), { kind: 'ask', path: join(outside, 'secret.txt') }));
  it('opens a symlink outside that points into the folder (the real path decides)', async () =>
    assert.deepEqual(await fileFrameTarget(join(outside, 'link-in.js'), roots()), { kind: 'open', path: join(folder, 'lib', 'a.js') }));
  it('asks for a sibling folder whose name starts like the folder’s', async () => {
    mkdirSync(`${folder}-evil`, { recursive: true });
    writeFileSync(join(`${folder}-evil`, 'x.js'), 'x');
    assert.equal((await fileFrameTarget(join(`${folder}-evil`, 'x.js'), roots())).kind, 'ask');
  });
  it('asks for /etc/hostname (the issue’s forged frame) when it exists', async function () {
    const t = await fileFrameTarget('/etc/hostname', roots());
    if (t.kind === 'refused' && t.reason === 'missing') return this.skip();
    assert.equal(t.kind, 'ask');
  });
  it('reads `~` as the home folder (how saved outputs write it), then checks it the same way', async () => {
    assert.deepEqual(await fileFrameTarget('~/notes.js', roots(), home), { kind: 'ask', path: join(home, 'notes.js') });
    assert.deepEqual(await fileFrameTarget('~/notes.js', [home], home), { kind: 'open', path: join(home, 'notes.js') });
  });
  for (const [name, file] of [
    ['command:', 'command:workbench.action.terminal.new'],
    ['command: with arguments', 'command:vscode.open?%5B%22file%3A%2F%2F%2Fetc%2Fpasswd%22%5D'],
    ['vscode:', 'vscode://settings/security.workspace.trust.enabled'],
    ['https:', 'https://attacker.example/x.js'],
    ['node:', 'node:internal/modules/cjs/loader'],
    ['data:', 'data:text/plain,hi'],
    ['javascript:', 'javascript:alert(1)'],
    ['vscode-notebook-cell:', 'vscode-notebook-cell:/other.coda#W0'],
    ['a file URL with a host', 'file://attacker.example/share/x.js'],
  ] as const)
    it(`refuses a ${name} URI`, async () => assert.deepEqual(await fileFrameTarget(file, roots()), { kind: 'refused', reason: 'scheme' }));
  it('refuses network paths without touching them', async () => {
    assert.deepEqual(await fileFrameTarget('//attacker.example/share/x.js', roots()), { kind: 'refused', reason: 'network' });
    assert.deepEqual(await fileFrameTarget('\\\\attacker.example\\share\\x.js', roots()), { kind: 'refused', reason: 'network' });
  });
  it('refuses relative paths, missing files, folders and devices', async () => {
    assert.deepEqual(await fileFrameTarget('lib/a.js', roots()), { kind: 'refused', reason: 'relative' });
    assert.deepEqual(await fileFrameTarget('../../etc/hostname', roots()), { kind: 'refused', reason: 'relative' });
    assert.deepEqual(await fileFrameTarget(join(folder, 'nope.js'), roots()), { kind: 'refused', reason: 'missing' });
    assert.deepEqual(await fileFrameTarget(join(folder, 'lib'), roots()), { kind: 'refused', reason: 'not a file' });
    if (process.platform !== 'win32') assert.deepEqual(await fileFrameTarget('/dev/zero', ['/dev']), { kind: 'refused', reason: 'not a file' });
  });
  it('ignores roots that do not exist', async () => assert.equal((await fileFrameTarget(join(folder, 'lib', 'a.js'), [join(base, 'gone')])).kind, 'ask'));
});

describe('reveals come one at a time, at a person’s pace (RevealGate)', () => {
  it('drops reveals while one is in progress (its question open) and those that come too soon', async () => {
    let now = 0;
    const gate = new RevealGate(() => now);
    let release!: () => void;
    const first = gate.run(() => new Promise<void>((r) => (release = r)));
    now += MIN_REVEAL_INTERVAL_MS * 10;
    assert.equal(await gate.run(async () => undefined), false, 'one in progress');
    release();
    assert.equal(await first, true);
    assert.equal(await gate.run(async () => undefined), true);
    now += 1;
    assert.equal(await gate.run(async () => undefined), false, 'too soon');
    let ran = 0;
    for (let i = 0; i < 1000; i++) await gate.run(async () => void ran++);
    assert.equal(ran, 0, 'a burst of 1000 reveals does nothing');
    now += MIN_REVEAL_INTERVAL_MS;
    assert.equal(await gate.run(async () => undefined), true);
  });

  it('is free again after a reveal that failed', async () => {
    let now = 0;
    const gate = new RevealGate(() => now);
    await assert.rejects(gate.run(async () => Promise.reject(new Error('no such document'))));
    now += MIN_REVEAL_INTERVAL_MS;
    assert.equal(await gate.run(async () => undefined), true);
  });
});
