/**
 * Console output of a cell: levels with colours, nested collapsible groups, tables, stack traces with
 * links, ANSI colours, and expandable object arguments. A flood is capped: the first and last
 * MAX_RENDERED_ENTRIES / 2 entries render, with a "show all" action that switches to a virtualised list
 * (only the visible lines are in the DOM).
 */
import { framesBelowText, type ConsoleEntry } from '../protocol/console';
import { formatFrame, type StackFrame } from '../protocol/errors';
import type { ConsoleOutput } from '../protocol/outputs';
import type { RemoteValue } from '../protocol/values';
import { stripAnsi } from './ansi';
import { ansiNodes } from './ansiNodes';
import { h } from './dom';
import { frameList, type RevealFrame } from './frames';
import { renderValue, valueSpan, type Expander } from './ObjectTree';
import { VirtualLines, type Line } from './VirtualLines';

export const MAX_RENDERED_ENTRIES = 1000;

export interface ConsoleViewDeps {
  expander?: Expander;
  reveal?: RevealFrame;
  /** Fetches every entry of an output whose middle was omitted; undefined when not possible. */
  showAll?: () => Promise<ConsoleEntry[]>;
  label: (cellId: string) => string;
}

export function renderConsole(output: ConsoleOutput, deps: ConsoleViewDeps): HTMLElement {
  const root = h('div', { class: 'coda-console', attrs: { role: 'log' } });
  const entries = output.entries;
  const tooMany = entries.length > MAX_RENDERED_ENTRIES;
  const head = tooMany ? entries.slice(0, MAX_RENDERED_ENTRIES / 2) : entries;
  const tail = tooMany ? entries.slice(entries.length - MAX_RENDERED_ENTRIES / 2) : [];
  const hidden = (tooMany ? entries.length - head.length - tail.length : 0) + (output.omitted ?? 0);
  appendEntries(root, head, deps);
  if (hidden > 0) {
    const action = h('button', { class: 'coda-show-all', text: `… ${hidden} more lines — show all ${entries.length + (output.omitted ?? 0)}` });
    action.addEventListener('click', async () => {
      action.disabled = true;
      action.textContent = 'Loading all lines…';
      try {
        const all = output.omitted ? await (deps.showAll?.() ?? Promise.reject(new Error('the full output is not available'))) : entries;
        // the list opens where the button was: the first line that was hidden at the top, the lines above it
        // (already read) just out of view
        const list = new VirtualLines(toLines(all, deps.label));
        root.replaceChildren(list.element);
        list.scrollToLine(toLines(head, deps.label).length);
        list.element.scrollIntoView?.({ block: 'nearest' });
      } catch (err) {
        action.textContent = `Could not load all lines: ${(err as Error).message}`;
      }
    });
    root.append(action);
  }
  appendEntries(root, tail, deps, head.length ? depthOf(head) : 0);
  return root;
}

function depthOf(entries: ConsoleEntry[]): number {
  const last = entries[entries.length - 1];
  return last ? last.depth + (last.method === 'group' || last.method === 'groupCollapsed' ? 1 : 0) : 0;
}

function appendEntries(root: HTMLElement, entries: ConsoleEntry[], deps: ConsoleViewDeps, baseDepth = 0): void {
  // a stack of containers: groups nest their entries
  const stack: HTMLElement[] = [root];
  for (const e of entries) {
    if (e.method === 'clear') {
      root.replaceChildren(h('div', { class: 'coda-entry coda-dim', text: 'Console was cleared' }));
      stack.length = 1;
      continue;
    }
    const depth = Math.max(0, e.depth - baseDepth);
    while (stack.length > depth + 1) stack.pop();
    const parent = stack[stack.length - 1]!;
    if (e.method === 'group' || e.method === 'groupCollapsed') {
      const details = h('details', { class: 'coda-group' }, h('summary', { class: 'coda-group-label' }, ...ansiNodes(e.text || 'console.group')));
      details.open = e.method === 'group';
      parent.append(details);
      stack.push(details);
      continue;
    }
    parent.append(entryElement(e, deps));
  }
}

function entryElement(e: ConsoleEntry, deps: ConsoleViewDeps): HTMLElement {
  const el = h('div', { class: `coda-entry coda-level-${e.level}`, attrs: { 'data-method': e.method } });
  if (e.line !== undefined) el.append(h('span', { class: 'coda-line-no', text: `${e.line}: ` }));
  const expandable = !!deps.expander && !!e.values?.some((v) => v.type === 'object' && v.handle);
  if (e.table) el.append(tableElement(e.table.columns, e.table.rows));
  else if (expandable && e.segments) {
    // each object once, where it stands in the line, expandable in place
    el.append(
      h(
        'span',
        { class: 'coda-text' },
        ...e.segments.map((s) => (typeof s === 'string' ? h('span', {}, ...ansiNodes(s)) : inlineValue(e.values?.[s.value], deps))),
      ),
    );
    // the text is not shown: a logged error's stack is in its frames alone
    return withFrames(el, e.frames ?? [], deps);
  } else el.append(h('span', { class: 'coda-text' }, ...ansiNodes(e.text)));
  if (expandable) {
    el.append(h('div', { class: 'coda-args' }, ...e.values!.filter((v) => v.type === 'object' && v.handle).map((v) => renderValue(v, deps.expander))));
  }
  return withFrames(el, framesBelowText(e), deps);
}

function withFrames(el: HTMLElement, frames: StackFrame[], deps: ConsoleViewDeps): HTMLElement {
  if (frames.length) el.append(frameList(frames, deps.label, deps.reveal));
  return el;
}

function inlineValue(value: RemoteValue | undefined, deps: ConsoleViewDeps): HTMLElement {
  if (!value) return h('span', {});
  if (value.type !== 'object' || !value.handle) return valueSpan(value);
  return h('span', { class: 'coda-inline-value' }, renderValue(value, deps.expander));
}

function tableElement(columns: string[], rows: string[][]): HTMLElement {
  return h(
    'table',
    { class: 'coda-table' },
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { text: c })))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', { text: c }))))),
  );
}

/** Every entry as plain lines (for the virtualised "show all" list). */
function toLines(entries: ConsoleEntry[], label: (cellId: string) => string): Line[] {
  const lines: Line[] = [];
  for (const e of entries) {
    // the virtual list shows plain lines: escape sequences are removed, not shown raw
    for (const text of stripAnsi(e.text).split('\n')) lines.push({ text: '  '.repeat(e.depth) + text, level: e.level });
    for (const f of framesBelowText(e)) lines.push({ text: `${'  '.repeat(e.depth)}    at ${formatFrame(f, label)}`, level: e.level });
  }
  return lines;
}
