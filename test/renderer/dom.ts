/** A JSDOM window for renderer tests, and a fake RendererContext that records messages. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { JSDOM } from 'jsdom';
import type { OutputItem, RendererContext } from 'vscode-notebook-renderer';
import type { HostToRenderer, RendererToHost } from '../../protocol';

const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
const g = globalThis as Record<string, unknown>;
for (const key of ['document', 'HTMLElement', 'Node', 'Event', 'KeyboardEvent', 'MouseEvent', 'getComputedStyle'])
  g[key] = (dom.window as unknown as Record<string, unknown>)[key];

export const window = dom.window;

export class FakeContext implements RendererContext<void> {
  readonly sent: RendererToHost[] = [];
  private listener: ((m: unknown) => void) | undefined;
  readonly workspace = { isTrusted: true };
  /** Answers each request with this function (undefined: no answer). */
  answer: ((m: RendererToHost) => HostToRenderer | undefined) | undefined;

  postMessage = (m: RendererToHost) => {
    this.sent.push(m);
    const reply = this.answer?.(m);
    if (reply) queueMicrotask(() => this.listener?.(reply));
  };

  onDidReceiveMessage = (l: (m: unknown) => void) => {
    this.listener = l;
    return { dispose: () => (this.listener = undefined) };
  };

  setState(): void {}
  getState(): undefined {
    return undefined;
  }
  getRenderer(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
}

export function outputItem(mime: string, data: unknown, id = 'out-1'): OutputItem {
  const text = () => JSON.stringify(data);
  return { id, mime, json: () => data, text, data: () => new TextEncoder().encode(text()), blob: () => new Blob([text()]), metadata: undefined };
}

/** A readable dump of rendered DOM: tags with classes, and text. */
export function dumpDom(el: Element, depth = 0): string {
  const pad = '  '.repeat(depth);
  const lines: string[] = [];
  for (const node of Array.from(el.childNodes)) {
    if (node.nodeType === 3) {
      const text = node.textContent ?? '';
      if (text.trim()) lines.push(`${pad}"${text}"`);
    } else if (node.nodeType === 1) {
      const e = node as Element;
      if (e.tagName === 'STYLE') continue;
      const cls = e.getAttribute('class');
      const attrs = ['data-name', 'data-method', 'open', 'hidden']
        .filter((a) => e.hasAttribute(a))
        .map((a) => ` ${a}=${e.getAttribute(a) ?? ''}`)
        .join('');
      lines.push(`${pad}<${e.tagName.toLowerCase()}${cls ? `.${cls.split(' ').join('.')}` : ''}${attrs}>`);
      const inner = dumpDom(e, depth + 1);
      if (inner) lines.push(inner);
    }
  }
  return lines.join('\n');
}

export const tick = () => new Promise((r) => setTimeout(r, 0));

/** jsdom's wrapper ↔ implementation bridge: the only way to dispatch an event the page sees as trusted. */
const idl = createRequire(__filename)(join(dirname(createRequire(__filename).resolve('jsdom')), 'generated', 'idl', 'utils.js')) as {
  implForWrapper(w: unknown): { isTrusted: boolean; _dispatch(e: unknown): boolean };
};

/** A click as the user makes it (`isTrusted`); `el.click()` from a script is not one. */
export function trustedClick(el: Element): void {
  const event = new dom.window.MouseEvent('click', { bubbles: true, cancelable: true });
  const impl = idl.implForWrapper(event);
  impl.isTrusted = true;
  idl.implForWrapper(el)._dispatch(impl);
}
