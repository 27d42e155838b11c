/**
 * A kernel without a process, for the unit tests of the run cores (host/run/, extension/pure/): cells answer what the
 * test scripts, or wait until the test (or an interrupt) ends them; events and exits are emitted by hand.
 */
import {
  RequestError,
  type DebugOpenResult,
  type ExecuteParams,
  type ExecuteResult,
  type ExpandParams,
  type InitParams,
  type InitResult,
  type PendingWorkResult,
  type PropertyPage,
  type VariablesResult,
  type WorkerEventName,
  type KernelEvents,
} from '../../../protocol';
import type { Kernel, KernelExit } from '../../../host/kernel/Kernel';

let nextId = 1;

export class FakeKernel implements Kernel {
  readonly info: InitResult;
  alive = true;
  readonly executed: ExecuteParams[] = [];
  readonly released: string[] = [];
  readonly expanded: ExpandParams[] = [];
  interrupts = 0;
  /** Answers an execute; `hold` keeps it running until finish() or an interrupt. */
  answer: (p: ExecuteParams) => ExecuteResult | 'hold' = () => ({ status: 'ok', value: { type: 'number', text: '1' }, durationMs: 1 });
  /** Answers an expand. */
  page: (p: ExpandParams) => PropertyPage = (p) => ({ handle: { kernelId: this.info.kernelId, id: p.handleId }, start: p.start, total: 0, items: [] });
  private readonly running = new Map<string, { resolve: (r: ExecuteResult) => void; reject: (e: unknown) => void }>();
  private readonly listeners = new Map<string, Set<(body: never) => void>>();
  private readonly exitListeners = new Set<(exit: KernelExit) => void>();
  private exitInfo: KernelExit | undefined;

  constructor(readonly init: Partial<InitParams> = {}) {
    this.info = { protocolVersion: 1, kernelId: `k${nextId++}`, runtime: init.runtime ?? 'node', runtimeVersion: 'node v24.0.0', pid: 0 };
  }

  execute(params: ExecuteParams): Promise<ExecuteResult> {
    this.executed.push(params);
    if (!this.alive) return Promise.reject(new RequestError('execute', { name: 'KernelGone', message: 'The kernel was stopped.' }));
    const answer = this.answer(params);
    if (answer !== 'hold') return Promise.resolve(answer);
    return new Promise((resolve, reject) => this.running.set(params.cellId, { resolve, reject }));
  }

  /** Ends a held cell. */
  finish(cellId: string, result: ExecuteResult = { status: 'ok', durationMs: 1 }): void {
    this.running.get(cellId)?.resolve(result);
    this.running.delete(cellId);
  }

  /** True while a held cell runs. */
  holds(cellId: string): boolean {
    return this.running.has(cellId);
  }

  async expand(params: ExpandParams): Promise<PropertyPage> {
    this.expanded.push(params);
    return this.page(params);
  }

  async release(cellId: string): Promise<void> {
    this.released.push(cellId);
  }

  async activeWork(): Promise<string[]> {
    return [];
  }

  async exitCode(): Promise<number | undefined> {
    return undefined;
  }

  async variables(): Promise<VariablesResult> {
    return { variables: [], omitted: 0 };
  }

  async pendingWork(): Promise<PendingWorkResult> {
    return { items: [] };
  }

  async cancelWork(): Promise<boolean> {
    return false;
  }

  async debugOpen(): Promise<DebugOpenResult> {
    return { webSocketUrl: 'ws://127.0.0.1:9/fake' };
  }

  async debugClose(): Promise<void> {}

  async setCheckpoints(): Promise<number> {
    return 0;
  }

  /** Interrupts end every held cell as interrupted, as the watchdog does. */
  interrupt(): void {
    this.interrupts++;
    for (const [cellId, r] of this.running) {
      r.resolve({ status: 'interrupted', durationMs: 1 });
      this.running.delete(cellId);
    }
  }

  onEvent<E extends WorkerEventName>(event: E, listener: (body: KernelEvents[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (body: never) => void);
    this.listeners.set(event, set);
    return () => void set.delete(listener as (body: never) => void);
  }

  emit<E extends WorkerEventName>(event: E, body: KernelEvents[E]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (b: KernelEvents[E]) => void)(body);
  }

  onExit(listener: (exit: KernelExit) => void): () => void {
    if (this.exitInfo) {
      listener(this.exitInfo);
      return () => undefined;
    }
    this.exitListeners.add(listener);
    return () => void this.exitListeners.delete(listener);
  }

  /** The process ends: held cells fail as the channel fails them, naming the reason. */
  exit(reason: string, expected = false): void {
    if (!this.alive) return;
    this.alive = false;
    this.exitInfo = { code: expected ? 0 : 1, signal: null, reason, expected };
    for (const r of this.running.values()) r.reject(new RequestError('execute', { name: 'KernelGone', message: `The kernel ${reason}.` }));
    this.running.clear();
    for (const l of this.exitListeners) l(this.exitInfo);
    this.exitListeners.clear();
  }

  async dispose(): Promise<void> {
    this.exit('was stopped', true);
  }
}

/** A start function that records every kernel it makes. */
export function fakeStarts(): { start: (init?: Partial<InitParams>) => Promise<FakeKernel>; kernels: FakeKernel[] } {
  const kernels: FakeKernel[] = [];
  return {
    kernels,
    start: async (init = {}) => {
      const k = new FakeKernel(init);
      kernels.push(k);
      return k;
    },
  };
}
