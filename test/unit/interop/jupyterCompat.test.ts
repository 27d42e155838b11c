/**
 * The display APIs of other JavaScript Jupyter kernels, installed by installJupyterCompat, in process with the kernel's
 * display() replaced by a recorder (the kernel wiring is NodeRuntime's), and Deno.jupyter once more inside a real
 * Deno, where the global it must replace is read-only.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { DisplayData } from '../../../protocol';
import type { DisplayTarget } from '../../../worker/jupyter/denoJupyter';
import { installJupyterCompat, type JupyterCompat, type KernelDisplay } from '../../../worker/jupyter/installJupyterCompat';
import { MAX_BUNDLE_CHARS, MAX_BUNDLE_MIMES } from '../../../worker/jupyter/mimeBundle';
import { IMPORT_HOOK } from '../../../worker/transform/transformCell';
import { requireRuntimes, runtimeBinary } from '../../runtimeBinaries';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const PNG_BASE64 = Buffer.from(PNG).toString('base64');
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

interface Kernel {
  target: Record<PropertyKey, unknown>;
  compat: JupyterCompat;
  bundles: DisplayData[][];
  /** Where each bundle went: a new output, or the outputs of a display id. */
  targets: (DisplayTarget | undefined)[];
  calls: [string, unknown][];
  notices: string[];
  /** The cell execution the kernel says is running (ijavascript's display ids are per execution). */
  execution: { id: number };
}

/** A kernel's globals with a recording display(), a require and an import hook, and optionally a Deno-like global. */
function kernel(options: { bundles?: boolean; deno?: object } = {}): Kernel {
  const calls: [string, unknown][] = [];
  const record = (name: string) => (v: unknown) => void calls.push([name, v]);
  const display = Object.assign(record('display'), {
    html: record('html'),
    markdown: record('markdown'),
    svg: record('svg'),
    png: record('png'),
    json: record('json'),
    text: record('text'),
  }) as KernelDisplay;
  const target: Record<PropertyKey, unknown> = {
    display,
    require: (id: string) => ({ required: id }),
    [IMPORT_HOOK]: async (id: string) => ({ imported: id }),
  };
  if (options.deno) Object.defineProperty(target, 'Deno', { value: options.deno, writable: false, configurable: true, enumerable: true });
  const bundles: DisplayData[][] = [];
  const targets: (DisplayTarget | undefined)[] = [];
  const notices: string[] = [];
  const execution = { id: 1 };
  const compat = installJupyterCompat(display, {
    target,
    notice: (m) => notices.push(m),
    execution: () => execution.id,
    ...(options.bundles === false ? {} : { sendBundle: (d, t) => void (bundles.push(d), targets.push(t)) }),
  });
  return { target, compat, bundles, targets, calls, notices, execution };
}

/** What Deno defines outside `deno jupyter`: a jupyter getter that throws, non-configurable. */
function denoLike(): object {
  const deno = {
    version: { deno: '2.9.6' },
    args: ['a'],
    who(this: { args: string[] }) {
      return this.args;
    },
  };
  Object.defineProperty(deno, 'jupyter', {
    get() {
      throw new Error('Deno.jupyter is only available in `deno jupyter` subcommand');
    },
    configurable: false,
    enumerable: false,
  });
  return deno;
}

describe('interop: Jupyter display compatibility', () => {
  describe('Deno.jupyter', () => {
    it('replaces the read-only Deno global with one whose jupyter works, everything else untouched', () => {
      const real = denoLike();
      const { target } = kernel({ deno: real });
      const deno = target.Deno as { jupyter: { display: unknown }; version: unknown; who(): unknown };
      assert.equal(typeof deno.jupyter.display, 'function');
      assert.equal(deno.version, (real as { version: unknown }).version);
      assert.deepEqual(deno.who(), ['a']);
      assert.throws(() => (real as { jupyter: unknown }).jupyter, /only available/, 'the real object is not changed');
    });

    it('gives no Deno global to a runtime that has none', () => {
      assert.ok(!('Deno' in kernel().target));
    });

    it('display(bundle, {raw: true}) shows one output with an item per MIME type', async () => {
      const k = kernel({ deno: denoLike() });
      const jupyter = (k.target.Deno as { jupyter: Record<string, (...a: unknown[]) => Promise<void>> }).jupyter;
      await jupyter.display!({ 'text/html': '<b>x</b>', 'text/plain': 'x', 'application/json': { a: 1 }, 'image/png': PNG_BASE64 }, { raw: true });
      assert.deepEqual(k.bundles, [
        [
          { mime: 'text/html', data: '<b>x</b>' },
          { mime: 'text/plain', data: 'x' },
          { mime: 'application/json', data: '{"a":1}' },
          { mime: 'image/png', data: PNG_BASE64, encoding: 'base64' },
        ],
      ]);
    });

    it('html, md and svg tagged templates make values that display themselves', async () => {
      const k = kernel({ deno: denoLike() });
      const jupyter = (k.target.Deno as { jupyter: Record<string, (...a: unknown[]) => unknown> }).jupyter;
      const n = 2;
      const html = (jupyter.html as (s: TemplateStringsArray, ...v: unknown[]) => object)`<b>${n * 2}</b>`;
      const md = (jupyter.md as (s: TemplateStringsArray, ...v: unknown[]) => object)`# ${'Title'}`;
      const svg = (jupyter.svg as (s: TemplateStringsArray) => object)`<svg></svg>`;
      for (const v of [html, md, svg]) await jupyter.display!(v);
      assert.deepEqual(k.bundles, [
        [{ mime: 'text/html', data: '<b>4</b>' }],
        [{ mime: 'text/markdown', data: '# Title' }],
        [{ mime: 'image/svg+xml', data: '<svg></svg>' }],
      ]);
      assert.deepEqual(await k.compat.resultBundle(html), [{ mime: 'text/html', data: '<b>4</b>' }], 'as a cell result too');
    });

    it('format() picks images, HTML-like elements and Vega specs as Deno does, else text', async () => {
      const k = kernel({ deno: denoLike() });
      const format = (k.target.Deno as { jupyter: { format(v: unknown): Promise<unknown> } }).jupyter.format;
      assert.deepEqual(await format(PNG), { 'image/png': PNG_BASE64 });
      assert.deepEqual(await format(JPEG), { 'image/jpeg': Buffer.from(JPEG).toString('base64') });
      assert.deepEqual(await format({ outerHTML: '<svg><rect/></svg>' }), { 'image/svg+xml': '<svg><rect/></svg>' });
      assert.deepEqual(await format({ outerHTML: '<div>x</div>' }), { 'text/html': '<div>x</div>' });
      assert.deepEqual(await format({ toDataURL: () => `data:image/png;base64,${PNG_BASE64}` }), { 'image/png': PNG_BASE64 });
      assert.deepEqual(Object.keys((await format({ toSpec: () => ({ mark: 'bar' }) })) as object), ['application/vnd.vegalite.v5+json', 'text/plain']);
      assert.deepEqual(await format({ a: 1 }), { 'text/plain': '{ a: 1 }' });
      assert.deepEqual(await format(undefined), { 'text/plain': 'undefined' });
    });

    it('broadcast shows display data and says it ignored the rest', async () => {
      const k = kernel({ deno: denoLike() });
      const jupyter = (k.target.Deno as { jupyter: Record<string, (...a: unknown[]) => Promise<void>> }).jupyter;
      await jupyter.broadcast!('comm_open', { comm_id: '1' });
      await jupyter.broadcast!('display_data', { data: { 'text/plain': 'hi' } });
      assert.deepEqual(k.bundles, [[{ mime: 'text/plain', data: 'hi' }]]);
      assert.deepEqual(k.targets, [{ displayId: undefined, update: false }]);
      assert.equal(k.notices.length, 1);
      assert.match(k.notices[0]!, /broadcast\("comm_open"\) was ignored/);
    });

    it('a display_id names an output; update: true (or update_display_data) replaces it; an update without an id shows nothing', async () => {
      const k = kernel({ deno: denoLike() });
      const jupyter = (k.target.Deno as { jupyter: Record<string, (...a: unknown[]) => Promise<void>> }).jupyter;
      await jupyter.display!({ 'text/plain': 'a' }, { raw: true, display_id: 'x' });
      await jupyter.display!({ 'text/plain': 'b' }, { raw: true, update: true, display_id: 'x' });
      await jupyter.broadcast!('update_display_data', { data: { 'text/plain': 'c' }, metadata: {}, transient: { display_id: 'x' } });
      await jupyter.broadcast!('display_data', { data: { 'text/plain': 'd' }, metadata: {}, transient: { display_id: 'x' } });
      await jupyter.display!({ 'text/plain': 'lost' }, { raw: true, update: true });
      await jupyter.broadcast!('update_display_data', { data: { 'text/plain': 'lost' } });
      assert.deepEqual(
        k.bundles.map((b) => b[0]!.data),
        ['a', 'b', 'c', 'd'],
      );
      assert.deepEqual(k.targets, [
        { displayId: 'x', update: false },
        { displayId: 'x', update: true },
        { displayId: 'x', update: true },
        { displayId: 'x', update: false },
      ]);
      assert.equal(k.notices.length, 1, 'said once');
      assert.match(k.notices[0]!, /update without a display_id replaces no output, so nothing was shown/);
    });
  });

  describe('Symbol.for("Jupyter.display")', () => {
    const $display = Symbol.for('Jupyter.display');

    it('display(obj) shows the bundle the object makes (async too); other values go to CodaJS display as before', async () => {
      const k = kernel();
      const display = k.target.display as (v: unknown) => unknown;
      await display({ [$display]: () => ({ 'text/markdown': '**x**' }) });
      await display({ [$display]: async () => ({ 'image/svg+xml': '<svg/>', 'text/plain': 'svg' }) });
      display('plain text');
      display({ a: 1 });
      assert.deepEqual(k.bundles, [
        [{ mime: 'text/markdown', data: '**x**' }],
        [
          { mime: 'image/svg+xml', data: '<svg/>' },
          { mime: 'text/plain', data: 'svg' },
        ],
      ]);
      assert.deepEqual(k.calls, [
        ['display', 'plain text'],
        ['display', { a: 1 }],
      ]);
      assert.equal(typeof (k.target.display as KernelDisplay).html, 'function', 'display.html and friends stay');
    });

    it('a cell value with the symbol has a result bundle; others have none', async () => {
      const { compat } = kernel();
      assert.deepEqual(await compat.resultBundle({ [$display]: () => ({ 'text/html': '<i>r</i>' }) }), [{ mime: 'text/html', data: '<i>r</i>' }]);
      assert.equal(compat.resultBundle({ a: 1 }), undefined);
      assert.equal(compat.resultBundle(null), undefined);
    });
  });

  describe('tslab', () => {
    it('require("tslab") and import * as tslab from "tslab" give its display API; other modules load as before', async () => {
      const k = kernel();
      const required = (k.target.require as (id: string) => { display: Record<string, (v: unknown) => void> })('tslab');
      required.display.png!(PNG);
      required.display.html!('<p>x</p>');
      const ns = (await (k.target[IMPORT_HOOK] as (id: string) => Promise<Record<string, unknown>>)('tslab')) as {
        display: Record<string, (...v: unknown[]) => void>;
        default: unknown;
      };
      assert.equal(ns.default, required);
      ns.display.jpeg!(JPEG);
      ns.display.raw!('text/latex', '$x^2$');
      assert.deepEqual(k.bundles, [
        [{ mime: 'image/png', data: PNG_BASE64, encoding: 'base64' }],
        [{ mime: 'text/html', data: '<p>x</p>' }],
        [{ mime: 'image/jpeg', data: Buffer.from(JPEG).toString('base64'), encoding: 'base64' }],
        [{ mime: 'text/latex', data: '$x^2$' }],
      ]);
      assert.deepEqual((k.target.require as (id: string) => unknown)('lodash'), { required: 'lodash' });
      assert.deepEqual(await (k.target[IMPORT_HOOK] as (id: string) => Promise<unknown>)('zod'), { imported: 'zod' });
      assert.throws(() => required.display.png!('not bytes'), /expects bytes/);
    });

    it('newDisplay() shows one output and then replaces it, by a display id of its own', () => {
      const k = kernel();
      const tslab = k.compat.modules.tslab as { display: { text(s: string): void }; newDisplay(): { text(s: string): void; html(s: string): void } };
      const progress = tslab.newDisplay();
      const other = tslab.newDisplay();
      progress.text('0%');
      progress.text('50%');
      other.html('<b>x</b>');
      progress.text('100%');
      tslab.display.text('plain');
      const [a, b, c, d, e] = k.targets;
      assert.match(a!.displayId!, /^[0-9a-f]{16}$/);
      assert.deepEqual(
        [a, b, d],
        [
          { displayId: a!.displayId, update: false },
          { displayId: a!.displayId, update: true },
          { displayId: a!.displayId, update: true },
        ],
      );
      assert.equal(c!.update, false);
      assert.notEqual(c!.displayId, a!.displayId);
      assert.equal(e, undefined, 'tslab.display has no id: a new output each time');
      assert.deepEqual(k.notices, []);
    });
  });

  describe('ijavascript $$', () => {
    it('$$.html, svg, png, jpeg, text, json and mime show their output', () => {
      const k = kernel();
      const $$ = k.target.$$ as Record<string, (v: unknown) => void>;
      $$.html!('<div/>');
      $$.svg!('<svg/>');
      $$.png!(PNG_BASE64);
      $$.jpeg!('/9j/4A==');
      $$.text!('t');
      $$.json!({ a: [1] });
      $$.mime!({ 'text/html': '<b>b</b>', 'text/plain': 'b' });
      assert.deepEqual(
        k.bundles.map((b) => b.map((d) => d.mime).join('+')),
        ['text/html', 'image/svg+xml', 'image/png', 'image/jpeg', 'text/plain', 'application/json', 'text/html+text/plain'],
      );
    });

    it('$$.display(id): the first output of an execution is new, later ones in it replace it; a later cell adds one again', () => {
      const k = kernel();
      const $$ = k.target.$$ as { display(id?: string): Record<string, (v: unknown) => void> };
      const clock = $$.display('clock');
      clock.text!('10:00');
      clock.html!('<b>10:01</b>');
      $$.display('clock').text!('10:02'); // another display object, same id, same execution: still an update
      $$.display().text!('no id');
      k.execution.id = 2; // a later cell
      clock.text!('10:03');
      clock.text!('10:04');
      assert.deepEqual(
        k.bundles.map((b) => b[0]!.data),
        ['10:00', '<b>10:01</b>', '10:02', 'no id', '10:03', '10:04'],
      );
      assert.deepEqual(k.targets, [
        { displayId: 'clock', update: false },
        { displayId: 'clock', update: true },
        { displayId: 'clock', update: true },
        {},
        { displayId: 'clock', update: false },
        { displayId: 'clock', update: true },
      ]);
      assert.deepEqual(k.notices, []);
    });

    it('$$.async() makes the cell wait for $$.sendResult from a timer; the result shows as ijavascript inspects it', async () => {
      const k = kernel();
      const $$ = k.target.$$ as Record<string, (v?: unknown) => void>;
      $$.async!();
      setTimeout(() => $$.sendResult!('Bye!'), 20);
      const done = k.compat.cellCompletion();
      assert.ok(done, 'the cell has a completion to await');
      await done;
      assert.deepEqual(k.bundles, [[{ mime: 'text/plain', data: "'Bye!'" }]]);
      assert.equal(k.compat.cellCompletion(), undefined, 'the next cell does not wait');
    });

    it('$$.done() ends an async cell; $$.sendError fails it with the error', async () => {
      const k = kernel();
      const $$ = k.target.$$ as Record<string, (v?: unknown) => void>;
      $$.async!();
      setTimeout($$.done!, 5);
      await k.compat.cellCompletion();
      $$.async!();
      const failed = k.compat.cellCompletion()!;
      setTimeout(() => $$.sendError!(new RangeError('late')), 5);
      await assert.rejects(failed, /late/);
      assert.equal(k.bundles.length, 0);
    });

    it('values with _toHtml/_toSvg/_toPng/_toMime render as cell results', async () => {
      const { compat } = kernel();
      assert.deepEqual(await compat.resultBundle({ _toHtml: () => '<b>p</b>' }), [{ mime: 'text/html', data: '<b>p</b>' }]);
      assert.deepEqual(await compat.resultBundle({ _toMime: () => ({ 'text/plain': 'm', 'text/html': '<i>m</i>' }) }), [
        { mime: 'text/plain', data: 'm' },
        { mime: 'text/html', data: '<i>m</i>' },
      ]);
      assert.deepEqual(await compat.resultBundle({ _toPng: () => PNG_BASE64 }), [{ mime: 'image/png', data: PNG_BASE64, encoding: 'base64' }]);
    });

    it('$$.input says it is not supported; $$.clear says it was ignored', () => {
      const k = kernel();
      const $$ = k.target.$$ as Record<string, () => void>;
      assert.throws(() => $$.input!(), /not supported/);
      $$.clear!();
      assert.match(k.notices[0]!, /clear\(\) was ignored/);
    });

    it('leaves a $$ the kernel already has alone', () => {
      const target: Record<PropertyKey, unknown> = { $$: 'mine' };
      installJupyterCompat(
        Object.assign(() => undefined, { html() {}, markdown() {}, svg() {}, png() {}, json() {}, text() {} }),
        { target, notice: () => undefined, sendBundle: () => undefined },
      );
      assert.equal(target.$$, 'mine');
    });
  });

  describe('MIME bundles', () => {
    it('are checked: MIME types, strings for text, sizes', async () => {
      const k = kernel({ deno: denoLike() });
      const show = (b: unknown) => (k.target.Deno as { jupyter: { display(b: unknown, o: object): Promise<void> } }).jupyter.display(b, { raw: true });
      await assert.rejects(show({ 'text/html\n<script>': 'x' }), /not a MIME type/);
      await assert.rejects(show({ '../../x': 'x' }), /not a MIME type/);
      await assert.rejects(show({ 'text/html': { toString: () => '<b>' } }), /expects a string/);
      await assert.rejects(show(Object.fromEntries(Array.from({ length: MAX_BUNDLE_MIMES + 1 }, (_, i) => [`text/x-${i}`, 'x']))), /at most/);
      await assert.rejects(show({ 'text/plain': 'x'.repeat(MAX_BUNDLE_CHARS + 1) }), /over/);
      await assert.rejects(show({}), /empty/);
      await assert.rejects(show('text'), /MIME bundle/);
      await show({ 'text/plain': ['a\n', 'b'] });
      assert.deepEqual(k.bundles, [[{ mime: 'text/plain', data: 'a\nb' }]], 'nbformat lists of lines are joined');
    });

    it("without bundle support, show the richest type through the kernel's display()", () => {
      const k = kernel({ bundles: false });
      const $$ = k.target.$$ as Record<string, (v: unknown) => void>;
      $$.mime!({ 'text/plain': 'p', 'text/html': '<b>h</b>' });
      $$.mime!({ 'application/json': { a: 1 }, 'text/plain': '{a: 1}' });
      assert.deepEqual(k.calls, [
        ['html', '<b>h</b>'],
        ['json', { a: 1 }],
      ]);
      assert.throws(() => $$.mime!({ 'image/jpeg': '/9j/' }), /cannot show image\/jpeg/);
    });
  });

  describe('in a real Deno', function () {
    this.timeout(60_000);
    const deno = runtimeBinary('deno');
    (deno || requireRuntimes ? it : it.skip)('Deno.jupyter.display, html and format work, and the rest of Deno still does', () => {
      const dir = mkdtempSync(join(tmpdir(), 'coda-jupyter-deno-'));
      try {
        const script = join(dir, 'probe.ts');
        writeFileSync(
          script,
          [
            `import { installJupyterCompat } from ${JSON.stringify(join(__dirname, '../../../worker/jupyter/installJupyterCompat'))};`,
            'const sent: unknown[] = [];',
            'const display = Object.assign((v: unknown) => sent.push(["display", v]), { html() {}, markdown() {}, svg() {}, png() {}, json() {}, text() {} });',
            'installJupyterCompat(display, { sendBundle: (d) => sent.push(d), notice: (m) => sent.push(["notice", m]) });',
            'await Deno.jupyter.display({ "text/html": "<b>x</b>" }, { raw: true });',
            'await Deno.jupyter.display(Deno.jupyter.html`<i>${1 + 1}</i>`);',
            'await Deno.jupyter.display(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));',
            'await Deno.jupyter.broadcast("comm_msg", {});',
            'console.log(JSON.stringify({ sent, version: typeof Deno.version.deno, cwd: Deno.cwd() === Deno.cwd(), env: typeof Deno.env.get("HOME") }));',
          ].join('\n'),
        );
        const bundle = join(dir, 'probe.mjs');
        buildSync({ entryPoints: [script], bundle: true, format: 'esm', platform: 'node', outfile: bundle, logLevel: 'silent' });
        const r = spawnSync(deno!, ['run', '--allow-env', '--allow-read', bundle], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), {
          sent: [
            [{ mime: 'text/html', data: '<b>x</b>' }],
            [{ mime: 'text/html', data: '<i>2</i>' }],
            [{ mime: 'image/png', data: 'iVBORw0KGgo=', encoding: 'base64' }],
            ['notice', 'Deno.jupyter.broadcast("comm_msg") was ignored: a CodaJS notebook has no Jupyter frontend to send it to'],
          ],
          version: 'string',
          cwd: true,
          env: 'string',
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
