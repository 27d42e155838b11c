/** Request/response over the renderer messaging channel (protocol/outputs.ts), with a timeout. */
import type { ConsoleEntry } from '../protocol/console';
import type { StackFrame } from '../protocol/errors';
import type { HostToRenderer, RendererToHost } from '../protocol/outputs';
import type { ExpandReply, Expander } from './ObjectTree';
import type { RendererContext } from 'vscode-notebook-renderer';

export const EXPAND_TIMEOUT_MS = 10_000;

type Pending = (reply: HostToRenderer | undefined) => void;

export class HostLink implements Expander {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly ctx: RendererContext<void>) {
    ctx.onDidReceiveMessage?.((m) => {
      const msg = m as HostToRenderer;
      const p = this.pending.get(msg.requestId);
      if (!p) return;
      this.pending.delete(msg.requestId);
      p(msg);
    });
  }

  get available(): boolean {
    return !!this.ctx.postMessage;
  }

  post(message: RendererToHost): void {
    this.ctx.postMessage?.(message);
  }

  async expand(kernelId: string, handleId: number, start: number, count: number): Promise<ExpandReply> {
    const reply = await this.request((requestId) => ({ type: 'expand', requestId, kernelId, handleId, start, count }));
    if (!reply || reply.type !== 'expandResult') return { error: 'No answer from CodaJS (is the extension running?)' };
    if (reply.stale) return { stale: true };
    if (reply.page) return { page: reply.page };
    return { error: reply.error ?? 'Could not expand the value' };
  }

  async showAll(outputId: string): Promise<ConsoleEntry[]> {
    const reply = await this.request((requestId) => ({ type: 'showAll', requestId, outputId }));
    if (reply?.type === 'showAllResult' && reply.entries) return reply.entries;
    throw new Error(reply?.type === 'showAllResult' && reply.error ? reply.error : 'no answer from CodaJS');
  }

  private request(make: (requestId: number) => RendererToHost): Promise<HostToRenderer | undefined> {
    const requestId = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        resolve(undefined);
      }, EXPAND_TIMEOUT_MS);
      this.pending.set(requestId, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.post(make(requestId));
    });
  }
}

/** The reveal request for a frame: its place and nothing else (a frame that names no place asks nothing). */
export function revealMessage(f: StackFrame, post: (m: RendererToHost) => void): void {
  if (f.cellId) post({ type: 'revealFrame', cellId: f.cellId, line: f.line, column: f.column });
  else if (f.file) post({ type: 'revealFrame', file: f.file, line: f.line, column: f.column });
}
