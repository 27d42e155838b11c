import { strict as assert } from 'node:assert';
import { formatDisplay } from '../../../host/format/formatText';

describe("coda run's text of a display (formatDisplay)", () => {
  it('prints text/plain below the names of the richer forms it stands for', () => {
    assert.equal(formatDisplay([{ mime: 'text/plain', data: 'plain' }]), 'plain');
    assert.equal(
      formatDisplay([
        { mime: 'text/html', data: '<b>x</b>' },
        { mime: 'text/plain', data: 'x' },
      ]),
      '[display: text/html]\nx',
    );
  });

  it('prints the markdown of a display that has no text/plain (Deno.jupyter.md), else its JSON laid out', () => {
    assert.equal(formatDisplay([{ mime: 'text/markdown', data: '# Title\n\n**bold**' }]), '[display: text/markdown]\n# Title\n\n**bold**');
    assert.equal(
      formatDisplay([
        { mime: 'text/html', data: '<h1>T</h1>' },
        { mime: 'text/markdown', data: '# T' },
      ]),
      '[display: text/html, text/markdown]\n# T',
    );
    assert.equal(formatDisplay([{ mime: 'application/json', data: '{"a":[1,2]}' }]), '[display: application/json]\n{\n  "a": [\n    1,\n    2\n  ]\n}');
    assert.equal(formatDisplay([{ mime: 'application/vnd.vega.v5+json', data: 'not json' }]), '[display: application/vnd.vega.v5+json]\nnot json');
  });

  it('names HTML, images and encoded data with their size only', () => {
    assert.equal(formatDisplay([{ mime: 'text/html', data: '<b>bold</b>' }]), '[display: text/html (11 characters)]');
    assert.equal(formatDisplay([{ mime: 'image/png', data: 'iVBORw0KGgo=', encoding: 'base64' }]), '[display: image/png (12 characters)]');
    assert.equal(formatDisplay([{ mime: 'text/markdown', data: 'IyBU', encoding: 'base64' }]), '[display: text/markdown (4 characters)]');
  });
});
