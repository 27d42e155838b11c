/**
 * The inspector panel's messages (webview/inspectorPanelEntry.ts), answered without vscode. The panel shows one value
 * of one scratch file's kernel; its page is CodaJS's, but the values are user code's, so every message is checked as
 * if from a hostile page: `ready` (exactly that), or an `expand` of that kernel's handles. Anything else is ignored.
 */
import type { HostToRenderer } from '../../protocol';
import type { Kernel } from '../../host/kernel/Kernel';
import { parseRendererMessage } from './parseRendererMessage';

export type PanelAnswer = { kind: 'show' } | { kind: 'reply'; reply: Extract<HostToRenderer, { type: 'expandResult' }> } | { kind: 'ignore' };

export async function answerPanelMessage(kernel: Kernel, raw: unknown): Promise<PanelAnswer> {
  if (typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'ready' && Object.keys(raw).length === 1) return { kind: 'show' };
  const m = parseRendererMessage(raw);
  if (m?.type !== 'expand') return { kind: 'ignore' };
  // this panel's kernel only: another kernel's id (another file's, or a restarted one) is stale
  if (!kernel.alive || m.kernelId !== kernel.info.kernelId) return { kind: 'reply', reply: { type: 'expandResult', requestId: m.requestId, stale: true } };
  try {
    const page = await kernel.expand({ handleId: m.handleId, start: m.start, count: m.count });
    return { kind: 'reply', reply: { type: 'expandResult', requestId: m.requestId, page } };
  } catch (err) {
    return { kind: 'reply', reply: { type: 'expandResult', requestId: m.requestId, stale: /stale handle/.test(String(err)), error: String(err) } };
  }
}
