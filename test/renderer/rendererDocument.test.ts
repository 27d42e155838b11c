/** The renderer's document: one style sheet for all outputs, and a bundle that carries no host-side code. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { FakeContext, outputItem } from './dom';
import { MIME_CONSOLE, MIME_ERROR, MIME_VALUE } from '../../protocol';
import { activate } from '../../webview/renderer';
import { STYLE_ELEMENT_ID } from '../../webview/styles';

const ROOT = join(__dirname, '..', '..');
/** The minified renderer bundle may not grow past this without a reason (it was 25.8 KB with jsonc-parser in it). */
const RENDERER_BUDGET_BYTES = 20_000;

describe('renderer document', () => {
  it('adds one style element for three outputs, and keeps it when an output is re-rendered', () => {
    document.head.replaceChildren();
    const api = activate(new FakeContext());
    const outputs = [
      outputItem(MIME_CONSOLE, { entries: [{ method: 'log', level: 'log', cellId: 'c', executionId: 1, time: 0, depth: 0, text: 'hi' }] }, 'a'),
      outputItem(MIME_VALUE, { value: { type: 'number', text: '42' } }, 'b'),
      outputItem(MIME_ERROR, { error: { name: 'Error', message: 'boom' } }, 'c'),
    ];
    const elements = outputs.map((item) => {
      const el = document.createElement('div');
      document.body.append(el);
      void api.renderOutputItem(item, el);
      return el;
    });
    void api.renderOutputItem(outputs[0]!, elements[0]!);
    activate(new FakeContext());
    assert.equal(document.querySelectorAll('style').length, 1);
    assert.equal(document.getElementById(STYLE_ELEMENT_ID)?.parentElement, document.head);
    for (const el of elements) assert.equal(el.querySelectorAll('style').length, 0, 'no style inside an output');
    assert.match(document.getElementById(STYLE_ELEMENT_ID)!.textContent!, /\.coda-console/);
  });

  it('bundles no host-side code (jsonc-parser, the protocol index, Node built-ins) and stays within its budget', async () => {
    const result = await esbuild.build({
      entryPoints: [join(ROOT, 'webview', 'renderer.ts')],
      bundle: true,
      minify: true,
      write: false,
      metafile: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      mainFields: ['module', 'main'],
      legalComments: 'none',
      absWorkingDir: ROOT,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.deepEqual(
      inputs.filter((i) => /jsonc-parser|^protocol\/index\.ts$|^node:|^worker\/|^extension\//.test(i)),
      [],
      inputs.join('\n'),
    );
    const bytes = result.outputFiles[0]!.contents.byteLength;
    assert.ok(bytes <= RENDERER_BUDGET_BYTES, `renderer.js is ${bytes} bytes minified`);
  });
});
