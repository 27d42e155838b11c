/**
 * A cell result's notebook output (extension/kernel/outputs.ts valueOutput, through resultOutputData): its text/plain
 * sibling is the value's full text, which a saved `.coda`, an exported `.ipynb` and "copy output" show; the value item
 * goes without it, so a saved notebook holds it once.
 */
import { strict as assert } from 'node:assert';
import { MIME_VALUE, savedOutputData, type ObjectValue, type ValueOutput } from '../../../protocol';
import { resultOutputData } from '../../../extension/pure/resultOutputData';
import { outputsFromIpynb, outputsToIpynb } from '../../../host/notebook/ipynbOutputs';
import { joinMultiline } from '../../../host/notebook/ipynbTypes';

const TEXT = "{\n  x: { y: { z: [Object] } },\n  list: [ 'a', 'b' ]\n}";
const nested: ObjectValue = {
  type: 'object',
  subtype: 'object',
  className: 'Object',
  preview: "{ x: { y: [Object] }, list: [ 'a', 'b' ] }",
  text: TEXT,
  handle: { kernelId: 'k', id: 3 },
};

describe("a cell result's output", () => {
  it('holds the full text as its text/plain sibling, and the value without it', () => {
    const out = resultOutputData(nested);
    assert.equal(out.text, TEXT);
    assert.deepEqual(out.value, { value: { type: 'object', subtype: 'object', className: 'Object', preview: nested.preview, handle: nested.handle } });
    assert.ok(!JSON.stringify(out.value).includes('z: [Object]'));
  });

  it("holds the preview as text/plain when the value has no text, and a string's quoted value", () => {
    const { text: _text, ...flat } = nested;
    assert.deepEqual(resultOutputData(flat), { value: { value: flat }, text: flat.preview });
    assert.equal(resultOutputData({ type: 'string', value: 'hi', length: 2 }).text, "'hi'");
  });

  it('is saved once: a saved value never holds a text, the text/plain sibling does', () => {
    const out = resultOutputData(nested);
    assert.deepEqual(savedOutputData(MIME_VALUE, { value: nested }), {
      value: { type: 'object', subtype: 'object', className: 'Object', preview: nested.preview },
    });
    const { text: _text, handle: _handle, ...saved } = nested;
    assert.deepEqual(savedOutputData(MIME_VALUE, out.value) as ValueOutput, { value: saved });
  });

  it('exports to .ipynb with the full text as text/plain, from the sibling or, without one, from the value', () => {
    const out = resultOutputData(nested);
    const withSibling = outputsToIpynb(
      [
        {
          items: [
            { mime: MIME_VALUE, data: out.value },
            { mime: 'text/plain', data: out.text },
          ],
        },
      ],
      1,
    );
    const bundle = (o: (typeof withSibling.outputs)[number]) => (o as { data: Record<string, unknown> }).data;
    assert.equal(joinMultiline(bundle(withSibling.outputs[0]!)['text/plain']), TEXT);
    const valueOnly = outputsToIpynb([{ items: [{ mime: MIME_VALUE, data: { value: nested } }] }], 1);
    assert.equal(joinMultiline(bundle(valueOnly.outputs[0]!)['text/plain']), TEXT);
    // and back: the text/plain is the output's text again
    const back = outputsFromIpynb(withSibling.outputs, {}, () => undefined);
    assert.equal(back[0]!.items.find((i) => i.mime === 'text/plain')?.data, TEXT);
  });
});
