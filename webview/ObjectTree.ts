/**
 * A lazy object inspector tree. Collapsed values show their one-line preview; expanding a value asks the
 * kernel for one page of rows through an Expander. Arrays longer than BUCKET_SIZE are split into index
 * ranges ([0 … 99], …), ranges of ranges for huge arrays, so a 1e6-element array never becomes 1e6 nodes.
 * When the kernel is gone (no messaging, or a stale handle) the saved preview stays, without a twisty.
 *
 * API: renderValue(value, expander?, name?) -> HTMLElement (a `.coda-tree` root). Used by the notebook
 * renderer and by any webview that can answer expand requests.
 */
import { shownLength } from '../protocol/maskedCut';
import type { PropertyItem, PropertyPage, RemoteValue } from '../protocol/values';
import { h } from './dom';

/** Rows fetched per request. */
export const PAGE_SIZE = 100;
/** Index range size of one bucket level. */
export const BUCKET_SIZE = 100;

export type ExpandReply = { page: PropertyPage } | { stale: true } | { error: string };

export interface Expander {
  expand(kernelId: string, handleId: number, start: number, count: number): Promise<ExpandReply>;
}

export function renderValue(value: RemoteValue, expander?: Expander, name?: string): HTMLElement {
  return h('div', { class: 'coda-tree', attrs: { role: 'tree' } }, node(name, value, expander, {}));
}

/** The coloured one-line text of a value. */
export function valueSpan(value: RemoteValue): HTMLElement {
  switch (value.type) {
    case 'undefined':
    case 'null':
      return h('span', { class: `coda-v-${value.type}`, text: value.type });
    case 'boolean':
      return h('span', { class: 'coda-v-boolean', text: String(value.value) });
    case 'number':
    case 'bigint':
    case 'symbol':
      return h('span', { class: `coda-v-${value.type}`, text: value.text });
    case 'string': {
      // a masked value shows no length: it would tell how long the secret is
      const length = shownLength(value);
      const cut = value.length > value.value.length ? (length === undefined ? '…' : `… (${length} characters)`) : '';
      return h('span', { class: 'coda-v-string', text: `'${value.value}'${cut}`, title: cut && length !== undefined ? `${length} characters` : '' });
    }
    default:
      return h('span', { class: value.subtype === 'object' ? 'coda-v-object' : `coda-v-object coda-v-${value.subtype}`, text: value.preview });
  }
}

interface RowOptions {
  dim?: boolean;
  keyValue?: RemoteValue;
}

function node(name: string | undefined, value: RemoteValue, expander: Expander | undefined, opts: RowOptions): HTMLElement {
  const expandable = value.type === 'object' && !!value.handle && !!expander;
  const row = h('div', { class: 'coda-row', attrs: { role: 'treeitem', tabindex: '0', 'data-name': name ?? '' } });
  const twisty = h('span', { class: expandable ? 'coda-twisty' : 'coda-twisty coda-leaf', text: expandable ? '▶' : '' });
  row.append(twisty);
  if (name !== undefined)
    row.append(h('span', { class: opts.dim ? 'coda-name coda-dim' : 'coda-name', text: name }), h('span', { class: 'coda-sep', text: ': ' }));
  if (opts.keyValue) row.append(valueSpan(opts.keyValue), h('span', { class: 'coda-sep', text: ' => ' }));
  row.append(valueSpan(value));
  const wrap = h('div', { class: 'coda-node' }, row);
  if (!expandable || value.type !== 'object' || !value.handle) return wrap;
  const children = h('div', { class: 'coda-children', attrs: { role: 'group' } });
  children.hidden = true;
  wrap.append(children);
  let loaded = false;
  const toggle = (open?: boolean) => {
    const show = open ?? children.hidden;
    children.hidden = !show;
    twisty.textContent = show ? '▼' : '▶';
    row.setAttribute('aria-expanded', String(show));
    if (show && !loaded) {
      loaded = true;
      children.replaceChildren();
      const { kernelId, id } = value.handle!;
      const size = value.subtype === 'array' || value.subtype === 'typedarray' || value.subtype === 'buffer' ? (value.size ?? 0) : 0;
      // after an error (e.g. the kernel was busy) the next toggle tries again
      const retry = () => (loaded = false);
      if (size > BUCKET_SIZE) {
        children.append(...buckets(kernelId, id, 0, size, expander!));
        void loadPage(children, kernelId, id, size, PAGE_SIZE, expander!, () => markStale(wrap, twisty, children), undefined, retry);
      } else {
        void loadPage(children, kernelId, id, 0, PAGE_SIZE, expander!, () => markStale(wrap, twisty, children), undefined, retry);
      }
    }
  };
  row.addEventListener('click', (e) => {
    e.stopPropagation();
    toggle();
  });
  row.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') toggle();
    else if (e.key === 'ArrowRight') toggle(true);
    else if (e.key === 'ArrowLeft') toggle(false);
    else return;
    e.preventDefault();
  });
  return wrap;
}

function markStale(wrap: HTMLElement, twisty: HTMLElement, children: HTMLElement): void {
  children.replaceChildren();
  children.hidden = true;
  twisty.textContent = '';
  twisty.className = 'coda-twisty coda-leaf';
  wrap.append(h('div', { class: 'coda-hint', text: 'The kernel that produced this value is gone: run the cell again to inspect it.' }));
}

/** Index ranges for `count` elements from `start`, nested when one level would still be too many rows. */
function buckets(kernelId: string, handleId: number, start: number, count: number, expander: Expander): HTMLElement[] {
  let size = BUCKET_SIZE;
  while (count / size > BUCKET_SIZE) size *= BUCKET_SIZE;
  const out: HTMLElement[] = [];
  for (let from = start; from < start + count; from += size) {
    const to = Math.min(from + size, start + count);
    const twisty = h('span', { class: 'coda-twisty', text: '▶' });
    const row = h(
      'div',
      { class: 'coda-row coda-bucket', attrs: { role: 'treeitem', tabindex: '0', 'data-name': `[${from} … ${to - 1}]` } },
      twisty,
      h('span', { class: 'coda-name', text: `[${from} … ${to - 1}]` }),
    );
    const children = h('div', { class: 'coda-children' });
    children.hidden = true;
    let loaded = false;
    row.addEventListener('click', (e) => {
      e.stopPropagation();
      children.hidden = !children.hidden;
      twisty.textContent = children.hidden ? '▶' : '▼';
      if (!loaded) {
        loaded = true;
        if (to - from > BUCKET_SIZE) children.append(...buckets(kernelId, handleId, from, to - from, expander));
        else
          void loadPage(
            children,
            kernelId,
            handleId,
            from,
            to - from,
            expander,
            () => children.replaceChildren(h('div', { class: 'coda-hint', text: 'The kernel is gone: run the cell again to inspect it.' })),
            to,
          );
      }
    });
    out.push(h('div', { class: 'coda-node' }, row, children));
  }
  return out;
}

async function loadPage(
  into: HTMLElement,
  kernelId: string,
  handleId: number,
  start: number,
  count: number,
  expander: Expander,
  onStale: () => void,
  stopAt?: number,
  onError?: () => void,
): Promise<void> {
  const loading = h('div', { class: 'coda-hint', text: 'Loading…' });
  into.append(loading);
  const reply = await expander.expand(kernelId, handleId, start, count);
  loading.remove();
  if ('stale' in reply) return onStale();
  if ('error' in reply) {
    into.append(h('div', { class: 'coda-hint coda-error', text: reply.error }));
    onError?.();
    return;
  }
  const { page } = reply;
  for (const item of page.items) into.append(itemNode(item, expander));
  const end = page.start + page.items.length;
  const limit = stopAt ?? page.total;
  if (end < limit && page.items.length) {
    const more = h('button', { class: 'coda-more', text: `… ${limit - end} more` });
    more.addEventListener('click', (e) => {
      e.stopPropagation();
      more.remove();
      void loadPage(into, kernelId, handleId, end, Math.min(PAGE_SIZE, limit - end), expander, onStale, stopAt);
    });
    into.append(more);
  }
}

function itemNode(item: PropertyItem, expander: Expander): HTMLElement {
  const dim = item.internal || item.enumerable === false;
  if (item.accessor) {
    return h(
      'div',
      { class: 'coda-node' },
      h(
        'div',
        { class: 'coda-row', attrs: { 'data-name': item.name } },
        h('span', { class: 'coda-twisty coda-leaf' }),
        h('span', { class: dim ? 'coda-name coda-dim' : 'coda-name', text: item.name }),
        h('span', { class: 'coda-sep', text: ': ' }),
        h('span', {
          class: 'coda-accessor',
          text: '(...)',
          title: `${item.accessor === 'get' ? 'getter' : item.accessor === 'set' ? 'setter' : 'getter/setter'} (not invoked)`,
        }),
      ),
    );
  }
  return node(item.name, item.value ?? { type: 'undefined' }, expander, { dim, keyValue: item.key });
}
