import { strict as assert } from 'node:assert';
import type { RemoteValue } from '../../../protocol';
import { ansi, formatSettledResult, formatValue, valueText } from '../../../host/format/formatText';
import { matchGolden } from '../helpers/golden';

const nested: RemoteValue = {
  type: 'object',
  subtype: 'object',
  className: 'Object',
  preview: '{ id: 7, customer: { name: ..., address: [Object] }, items: [ ... ] }',
  text: "{\n  id: 7,\n  customer: { name: 'Ada', address: { city: 'London', zip: 'N1' } },\n  items: [ 'tea', 'scones' ]\n}",
};

describe("coda run's text of a result (golden)", () => {
  it("prints an object's full text, its lines after the first lined up after the arrow; its preview when it has none", () => {
    const values: [string, RemoteValue][] = [
      ['multi-line text', nested],
      ['one-line text', { type: 'object', subtype: 'object', className: 'Object', preview: '{ x: { y: [Object] } }', text: '{ x: { y: { z: [Object] } } }' }],
      ['no text', { type: 'object', subtype: 'array', className: 'Array', preview: '[ 1, 2, 3 ]', size: 3 }],
      ['a string', { type: 'string', value: 'two\nlines', length: 9 }],
      ['a number', { type: 'number', text: '42' }],
    ];
    const lines = values.map(([name, v]) => `# ${name}\n${formatValue(v)}`);
    lines.push(
      `# settled\n${formatSettledResult('[4]', { ...nested, subtype: 'promise', className: 'Promise', text: `Promise {\n  ${nested.type === 'object' ? nested.text!.replace(/\n/g, '\n  ') : ''}\n}` })}`,
    );
    matchGolden('format/result-values.txt', `${lines.join('\n')}\n`);
  });

  it('colours only the arrow, in a terminal; the text is the value as is', () => {
    assert.equal(formatValue(nested, ansi), `\x1b[36m→ \x1b[39m${valueText(nested).replace(/\n/g, '\n  ')}`);
    assert.equal(valueText(nested), nested.type === 'object' ? nested.text : '');
  });
});
