/**
 * What a cell result's output holds: CodaJS's value item (MIME_VALUE: the preview and handle its renderer expands) and
 * the text/plain sibling, which is the value's full text where it has one (ObjectValue.text): what a saved `.coda`
 * shows outside VS Code, what an exported `.ipynb` shows on GitHub, and what "copy output" copies. The value item
 * goes without that text, so a saved notebook holds it once.
 */
import type { RemoteValue, ValueOutput } from '../../protocol';
import { valueText } from '../../host/format/formatText';

export function resultOutputData(value: RemoteValue): { value: ValueOutput; text: string } {
  const text = valueText(value);
  if (value.type !== 'object' || value.text === undefined) return { value: { value }, text };
  const { text: _text, ...withoutText } = value;
  return { value: { value: withoutText }, text };
}
