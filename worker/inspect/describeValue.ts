/**
 * A bounded, one-line description of any value, plus a handle to expand it later; a cell's result also gets its full
 * text (ObjectValue.text). Runs no getter, Proxy trap or custom inspect function of the value's, with one exception
 * util.inspect makes (as Node's console and REPL do): it reads an object's `Symbol.toStringTag` to name it (`Foo [Tag]
 * {}`), so a getter for it, or a Proxy on the prototype chain, runs. Never throws.
 */
import { types } from 'node:util';
import { maskedCut, NO_SECRETS, type Masker, type ObjectValue, type RemoteValue, type ValueFormat } from '../../protocol';
import { classify } from './classify';
import type { HandleRegistry } from './HandleRegistry';
import { errorResultText, FLAT_RESULT_TEXT_BUDGET, fitText, MAX_STRING_CHARS, PREVIEW_BUDGET, RESULT_TEXT_BUDGET } from './inspectText';
import { objectText } from './objectText';
import { textLayout } from './textLayout';
import { customFormat } from './valueFormatter';
import { webApiView } from './webApiViews';

export interface DescribeOptions {
  registry?: HandleRegistry;
  cellId: string;
  /** The kernel's secrets: masked in every text before it is cut to a budget. */
  mask?: Masker;
  /**
   * A cell's result: an object also gets its full text, as the runtime's console prints it (RESULT_TEXT_BUDGET), where
   * that differs from its preview. Nothing else carries one (scratch line values, variables, pages, console values).
   */
  text?: boolean;
  /**
   * With `text`: the kernel's writer of stack frames (StackMapper.rewriteFrames: cell lines, its own frames dropped). An
   * error's full text is then its stack and properties as the console writes them; without it, its header.
   */
  frames?: (text: string) => string;
}

export function describeValue(value: unknown, opts: DescribeOptions): RemoteValue {
  const mask = opts.mask ?? NO_SECRETS;
  try {
    return mask(describe(value, opts, mask));
  } catch (err) {
    return { type: 'object', subtype: 'object', className: '', preview: mask.text(`<value could not be described: ${String(err)}>`) };
  }
}

function describe(value: unknown, opts: DescribeOptions, mask: Masker): RemoteValue {
  switch (typeof value) {
    case 'undefined':
      return { type: 'undefined' };
    case 'boolean':
      return { type: 'boolean', value };
    case 'number':
      return { type: 'number', text: Object.is(value, -0) ? '-0' : String(value) };
    case 'bigint':
      return { type: 'bigint', text: `${value}n` };
    case 'symbol':
      return { type: 'symbol', text: value.toString() };
    case 'string': {
      // the masked text's length: the original's would tell how long a secret is
      const { text, length } = maskedCut(mask, value, MAX_STRING_CHARS);
      return { type: 'string', value: text, length };
    }
    default:
      if (value === null) return { type: 'null' };
      return describeObject(value as object, opts, mask);
  }
}

function describeObject(value: object, opts: DescribeOptions, mask: Masker): RemoteValue {
  const custom = customFormat(value);
  if (custom) return customValue(value, custom, opts, mask);
  const { subtype, className, size } = classify(value);
  const proto = prototypeOwner(value);
  const view = subtype === 'object' && !proto ? webApiView(value) : undefined;
  const preview = proto ? `${proto}.prototype` : objectText(value, subtype, view, PREVIEW_BUDGET, mask);
  const out: ObjectValue = { type: 'object', subtype, className: proto ?? className, preview };
  if (opts.text && !proto) {
    if (subtype === 'error' && opts.frames) withText(out, errorResultText(value, opts.frames, mask));
    else {
      // grouped into columns only where that runs no code; none for a value too large for its budget (textLayout.ts)
      const layout = textLayout(value, RESULT_TEXT_BUDGET.depth, RESULT_TEXT_BUDGET.maxArrayLength);
      if (layout !== 'too-large') withText(out, objectText(value, subtype, view, layout === 'columns' ? RESULT_TEXT_BUDGET : FLAT_RESULT_TEXT_BUDGET, mask));
    }
  }
  if (size !== undefined) out.size = size;
  if (opts.registry && isExpandable(subtype)) {
    const handle = opts.registry.register(value, opts.cellId);
    if (handle) out.handle = handle;
  }
  return out;
}

/** A plugin's preview; expanding it lists the plugin's rows (a null-prototype copy), or the value's own. */
function customValue(value: object, custom: ValueFormat, opts: DescribeOptions, mask: Masker): RemoteValue {
  const { subtype, className } = classify(value);
  const preview = fitText(custom.preview.replace(/\s*\n\s*/g, ' '), PREVIEW_BUDGET, mask);
  const out: ObjectValue = { type: 'object', subtype, className: custom.className ?? className, preview };
  // the plugin's preview, whole (its line breaks kept), when the preview's budget cut it
  if (opts.text) withText(out, fitText(custom.preview, RESULT_TEXT_BUDGET, mask));
  const rows = custom.properties ? Object.assign(Object.create(null) as object, custom.properties) : value;
  const handle = opts.registry?.register(rows, opts.cellId);
  if (handle) out.handle = handle;
  return out;
}

/** The full text beside the preview, when it says more. */
function withText(out: ObjectValue, text: string): void {
  if (text !== out.preview) out.text = text;
}

/** Leaves with nothing more to show than their preview. */
function isExpandable(subtype: string): boolean {
  return subtype !== 'weakset' && subtype !== 'weakmap' && subtype !== 'regexp' && subtype !== 'date' && subtype !== 'proxy';
}

/** `Foo` when the value is `Foo.prototype` (an own data property `constructor` pointing back at it). */
function prototypeOwner(value: object): string | undefined {
  // (a Proxy's getOwnPropertyDescriptor trap would run)
  if (typeof value === 'function' || types.isProxy(value)) return undefined;
  const d = Object.getOwnPropertyDescriptor(value, 'constructor');
  if (!d || !('value' in d) || typeof d.value !== 'function') return undefined;
  const p = Object.getOwnPropertyDescriptor(d.value, 'prototype');
  if (!p || p.value !== value) return undefined;
  const name = Object.getOwnPropertyDescriptor(d.value, 'name')?.value;
  return typeof name === 'string' && name ? name : undefined;
}
