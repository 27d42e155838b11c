/**
 * An object's text within a budget (inspectText.ts): a Web API object by its public state, a promise by what the
 * kernel knows of it, an error as `Name: message` with its cause, anything else as util.inspect writes it. The same
 * writers make an object's one-line preview and a cell result's full text; none throws, or runs user code but what
 * describeValue.ts says.
 */
import { maskedCut, type Masker } from '../../protocol';
import { classify } from './classify';
import { budgetText, fitText, PREVIEW_BUDGET, type TextBudget } from './inspectText';
import { isTracked, promiseSettlement } from './promiseState';
import { webApiView, type WebApiView } from './webApiViews';

/** How many of an AggregateError's errors its text names. */
const AGGREGATED_SHOWN = 3;
/** Characters of a value an error holds (its cause, an AggregateError's errors), written as a short preview. */
const HELD_BY_ERROR_CHARS = 80;
/** Characters of a promise's text its `Promise { … }` takes, in a one-line preview. */
const PROMISE_FRAME_CHARS = 24;

/** `value`'s text within `budget`: its subtype from classify(), its Web API view when it has one. */
export function objectText(value: object, subtype: string, view: WebApiView | undefined, budget: TextBudget, mask: Masker): string {
  if (view) return viewText(view, budget, mask);
  if (subtype === 'promise') return promiseText(value as Promise<unknown>, budget, mask);
  if (subtype === 'error') return errorText(value, budget, mask);
  return budgetText(value, budget, mask);
}

/** `URL {href: 'https://…', origin: …}`: a Web API object by its public state (worker/inspect/webApiViews.ts), on one line. */
function viewText(view: WebApiView, budget: TextBudget, mask: Masker): string {
  const shown = view.fields.slice(0, budget.maxArrayLength);
  const parts = shown.map(([name, v]) => `${/^[\w$]+$/.test(name) ? name : JSON.stringify(name)}: ${fieldText(v, budget.maxStringLength, mask)}`);
  const more = view.fields.length > shown.length ? ', …' : '';
  return fitText(`${view.className} {${parts.join(', ')}${more}}`, budget, mask);
}

function fieldText(v: unknown, maxString: number, mask: Masker): string {
  if (typeof v === 'string') {
    const { text, length } = maskedCut(mask, v, maxString);
    return `'${text}${length > maxString ? '…' : ''}'`;
  }
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return String(v);
  const view = webApiView(v as object);
  return view ? `${view.className} {…}` : `${classify(v as object).className || 'Object'} {…}`;
}

/**
 * A promise's text never attaches a handler to it: one would hide its rejection from Node, which reports a rejected
 * promise nothing handles (a cell that logged one would lose the error). util.inspect reads its state and value; one the
 * kernel tracks (a cell's result, an expanded promise: promiseState.ts) shows its value with the plugins' formats.
 */
function promiseText(p: Promise<unknown>, budget: TextBudget, mask: Masker): string {
  const s = promiseSettlement(p);
  if (s.state === 'pending') return 'Promise { <pending> }';
  if (!('value' in s) || !isTracked(p)) return budgetText(p, budget, mask);
  // (a full text is cut once, whole)
  const inner = budgetText(s.value, { ...budget, maxChars: budget.oneLine ? budget.maxChars - PROMISE_FRAME_CHARS : Infinity }, mask);
  const state = s.state === 'rejected' ? '<rejected> ' : '';
  // a value over several lines goes on lines of its own, indented, as Node's REPL writes `Promise { … }`
  const text = inner.includes('\n') ? `Promise {\n  ${state}${inner.replace(/\n/g, '\n  ')}\n}` : `Promise { ${state}${inner} }`;
  return budget.oneLine ? text : fitText(text, budget, mask);
}

/** `Name: message` (and the cause, an AggregateError's errors), without the stack util.inspect would print. No getters are invoked. */
function errorText(err: object, budget: TextBudget, mask: Masker, depth = 0): string {
  const own = (obj: object | null, key: string): unknown => {
    for (let o = obj, depth = 0; o && depth < 20; o = Object.getPrototypeOf(o) as object | null, depth++) {
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (d) return 'value' in d ? d.value : undefined;
    }
    return undefined;
  };
  const name = String(own(err, 'name') ?? 'Error');
  const message = own(err, 'message');
  let text = message === undefined || message === '' ? name : `${name}: ${String(message)}`;
  // a value the error holds: an error as this text, anything else as a short preview
  const inner = (v: unknown) =>
    v instanceof Error && depth < 3 ? errorText(v, budget, mask, depth + 1) : budgetText(v, { ...PREVIEW_BUDGET, maxChars: HELD_BY_ERROR_CHARS }, mask);
  const cause = Object.getOwnPropertyDescriptor(err, 'cause');
  // (an own cause of undefined says nothing: Bun gives Promise.any's AggregateError one)
  if (cause && 'value' in cause && cause.value !== undefined) text += ` (cause: ${inner(cause.value)})`;
  // an AggregateError's (Promise.any's rejection): the errors it holds, the first few
  const errors = Object.getOwnPropertyDescriptor(err, 'errors');
  if (errors && 'value' in errors && Array.isArray(errors.value) && errors.value.length) {
    const list = errors.value as unknown[];
    const shown = list.slice(0, AGGREGATED_SHOWN).map(inner);
    text += ` (errors: ${shown.join(', ')}${list.length > AGGREGATED_SHOWN ? `, … ${list.length - AGGREGATED_SHOWN} more` : ''})`;
  }
  return depth ? text : fitText(text, budget, mask);
}
