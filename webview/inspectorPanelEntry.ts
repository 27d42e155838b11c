/**
 * The object inspector in its own webview panel (for values shown inline in scratch files). It reuses the
 * notebook renderer's ObjectTree; expansions go to the extension, which asks the file's kernel.
 */
import type { HostToRenderer, RendererToHost } from '../protocol/outputs';
import type { RemoteValue } from '../protocol/values';
import { h } from './dom';
import { renderValue, type ExpandReply, type Expander } from './ObjectTree';
import { ensureStyles } from './styles';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

export const PANEL_EXPAND_TIMEOUT_MS = 10_000;

const vscode = acquireVsCodeApi();
const pending = new Map<number, (reply: ExpandReply) => void>();
let nextId = 1;

const expander: Expander = {
  expand(kernelId, handleId, start, count) {
    const requestId = nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(requestId);
        resolve({ error: 'No answer from CodaJS' });
      }, PANEL_EXPAND_TIMEOUT_MS);
      pending.set(requestId, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      const message: RendererToHost = { type: 'expand', requestId, kernelId, handleId, start, count };
      vscode.postMessage(message);
    });
  },
};

window.addEventListener('message', (event: MessageEvent) => {
  const m = event.data as HostToRenderer | { type: 'show'; value: RemoteValue; title: string };
  if (m.type === 'show') {
    document.body.replaceChildren(h('h3', { text: m.title }), renderValue(m.value, expander));
    return;
  }
  if (m.type !== 'expandResult') return;
  const resolve = pending.get(m.requestId);
  pending.delete(m.requestId);
  resolve?.(m.stale ? { stale: true } : m.page ? { page: m.page } : { error: m.error ?? 'Could not expand the value' });
});
ensureStyles(document);
vscode.postMessage({ type: 'ready' });
