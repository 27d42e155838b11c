/**
 * One kernel = one worker process, forked with a real Node and spoken to over protocol/channel.ts.
 * Owns the child, its pipes and listeners; every pending request fails with the exit reason if it dies.
 */
import { decoratorModeFor } from '../../common/node/tsconfigDecorators';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import {
  codaErrorObject,
  CONTROL_END,
  CONTROL_INTERRUPT,
  CONTROL_STOP_ALL,
  EXIT_NOTICE,
  PROTOCOL_VERSION,
  createHostChannel,
  createMasker,
  unpackConsole,
  type KernelEvents,
  maskedLines,
  type DebugOpenResult,
  type SetCheckpointsParams,
  type ExecuteParams,
  type ExecuteResult,
  type ExitNotice,
  type ExpandParams,
  type HostChannel,
  type HostFrame,
  type InitParams,
  type InitResult,
  type PendingWorkResult,
  type PropertyPage,
  type VariablesResult,
  type WorkerEventName,
  type Masker,
  type WorkerEvents,
  type WorkerFrame,
} from '../../protocol';
import { afterLastFrame } from './afterLastFrame';
import { exitReason } from './exitReason';
import { findNode } from './findNode';
import { forkWorker, WORKER_FLAGS, workerEnv, type WorkerFork } from './forkWorker';
import { buildCodeCache, needsBuild } from './workerCodeCache';
import type { Kernel, KernelExit, KernelStartOptions } from './Kernel';
import { userEnvironment } from '../../common/userEnvironment';

export const INIT_TIMEOUT_MS = 20_000;
export const SHUTDOWN_GRACE_MS = 1500;
export const STDERR_TAIL_CHARS = 16_384;

export { WORKER_FLAGS };

export class KernelProcess implements Kernel {
  private exitInfo: KernelExit | undefined;
  private readonly exitListeners = new Set<(exit: KernelExit) => void>();
  private readonly consoleListeners = new Set<(batch: KernelEvents['console']) => void>();
  private readonly labels = new Map<string, string>();
  /** The execution whose reply is still awaited (an interrupt names it). */
  private inFlight: number | undefined;
  private stderrTail = '';
  private notice: ExitNotice | undefined;
  private expectedExit = false;
  /** The process has exited and every frame it sent first has been read (afterLastFrame.ts). */
  private readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** That, or the process could not be spawned. */
  private readonly exited: Promise<void>;
  private disposing: Promise<void> | undefined;
  /** The worker sent its last frame (`final`): it is ending its process, and nothing of it runs any more. */
  private lastFrame = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly channel: HostChannel,
    private readonly options: KernelStartOptions,
    public info: InitResult,
    private readonly mask: Masker,
  ) {
    this.ended = new Promise((resolve) => child.once('exit', (code, signal) => afterLastFrame(child, () => resolve({ code, signal }))));
    this.exited = new Promise((resolve) => {
      void this.ended.then(() => resolve());
      // a process that could not be spawned never emits 'exit'
      child.once('error', () => {
        if (child.pid === undefined) resolve();
      });
    });
    channel.onEvent('console', (body) => {
      const batch = { entries: unpackConsole(body) };
      this.consoleListeners.forEach((l) => l(batch));
    });
  }

  static async start(options: KernelStartOptions): Promise<KernelProcess> {
    const node = options.nodePath ?? (await findNode()).path;
    const execArgv = [...WORKER_FLAGS, ...(options.execArgv ?? [])];
    // secrets never leave this class unmasked: frames, exit notices, stderr and log lines all pass through it
    const mask = createMasker(options.init.maskedValues);
    const rawLog = options.log ?? (() => undefined);
    const log: NonNullable<KernelStartOptions['log']> = (level, message) => rawLog(level, mask(message));
    const launch: WorkerFork = {
      workerPath: options.workerPath,
      node,
      execArgv,
      cwd: options.init.cwd,
      env: workerEnv(kernelEnvironment(options.init)),
      codeCache: options.codeCache,
      stdin: options.stdin,
    };
    let child: ChildProcess;
    // a worker forked earlier with exactly this launch (`coda run`), else a new one
    const adopted = options.adopt?.(launch);
    try {
      child = adopted ?? forkWorker(launch);
    } catch (err) {
      throw codaErrorObject('KernelStartFailed', { node, detail: (err as Error).message });
    }
    const channel = createHostChannel(transportOf(child, mask));
    const kernel = new KernelProcess(child, channel, { ...options, execArgv }, undefined as unknown as InitResult, mask);
    kernel.watch(log);
    log('info', `kernel starting: ${node} ${execArgv.join(' ')} ${options.workerPath} (pid ${child.pid}${adopted ? ', forked earlier' : ''})`);
    const spawnFailed = new Promise<never>((_, reject) => child.once('error', (err) => reject(err)));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${INIT_TIMEOUT_MS} ms`)), INIT_TIMEOUT_MS);
    });
    try {
      kernel.info = await Promise.race([
        channel.request('init', {
          ...options.init,
          kernelId: options.init.kernelId ?? randomUUID(),
          searchPath: options.init.searchPath ?? process.env.PATH,
          decorators: options.init.decorators ?? decoratorModeFor(options.init.documentPath),
        }),
        spawnFailed,
        timedOut,
      ]);
    } catch (err) {
      await kernel.dispose();
      const tail = kernel.stderrTail.trim().split('\n').slice(-5).join('\n');
      throw codaErrorObject('KernelStartFailed', { node, detail: `${(err as Error).message}${tail ? `\n${tail}` : ''}` });
    } finally {
      clearTimeout(timer);
    }
    if (kernel.info.protocolVersion !== PROTOCOL_VERSION) {
      await kernel.dispose();
      throw codaErrorObject('ProtocolMismatch', { kernel: kernel.info.protocolVersion, host: PROTOCOL_VERSION });
    }
    log(
      'info',
      `kernel ${kernel.info.kernelId} ready: ${kernel.info.runtimeVersion}, pid ${kernel.info.pid}, code cache ${kernel.info.codeCache ?? 'unknown'}`,
    );
    // the next kernels start faster: their first cell's code compiled already (workerCodeCache.ts)
    const found = kernel.info.codeCache;
    if (options.codeCache !== false && needsBuild(found)) buildCodeCache(launch, found, (message) => log('info', message));
    return kernel;
  }

  /** Not once it has exited, nor once its worker sent its last frame on a shutdown (dispose). */
  get alive(): boolean {
    return this.exitInfo === undefined && !this.lastFrame;
  }

  execute(params: ExecuteParams): Promise<ExecuteResult> {
    this.labels.set(params.cellId, params.cellLabel);
    this.inFlight = params.executionId;
    const done = () => {
      if (this.inFlight === params.executionId) this.inFlight = undefined;
    };
    const reply = this.channel.request('execute', params);
    reply.then(done, done);
    return reply;
  }

  expand(params: ExpandParams): Promise<PropertyPage> {
    return this.channel.request('expand', params);
  }

  async release(cellId: string): Promise<void> {
    if (this.alive) await this.channel.request('release', { cellId });
  }

  async activeWork(): Promise<string[]> {
    if (!this.alive) return [];
    return (await this.channel.request('activeWork', {})).resources;
  }

  async exitCode(): Promise<number | undefined> {
    if (!this.alive) return undefined;
    return (await this.channel.request('exitCode', {})).exitCode;
  }

  variables(): Promise<VariablesResult> {
    return this.channel.request('variables', {});
  }

  async pendingWork(): Promise<PendingWorkResult> {
    if (!this.alive) return { items: [] };
    return this.channel.request('pendingWork', {});
  }

  async cancelWork(id: string): Promise<boolean> {
    if (!this.alive) return false;
    return (await this.channel.request('cancelWork', { id })).cancelled;
  }

  /** Opens the kernel's inspector for a debug session (protocol/debugging.ts); DebugUnsupported on Bun and the Sandbox. */
  debugOpen(): Promise<DebugOpenResult> {
    return this.channel.request('debugOpen', {});
  }

  async debugClose(): Promise<void> {
    if (this.alive) await this.channel.request('debugClose', {});
  }

  /** Replaces a document's checkpoints; resolves to how many are set. */
  async setCheckpoints(params: SetCheckpointsParams): Promise<number> {
    if (!this.alive) return 0;
    return (await this.channel.request('setCheckpoints', params)).set;
  }

  interrupt(): void {
    const control = this.child.stdio[4] as Writable | null | undefined;
    if (!this.alive) return;
    if (this.inFlight === undefined) {
      // nothing running: stop every cell's background work
      if (control && !control.destroyed) control.write(CONTROL_STOP_ALL);
      return;
    }
    // the control pipe reaches a cell that blocks the worker, and names it: an interrupt that overtakes its execute
    // request stops the cell before it starts, and one that arrives after the cell ended is ignored
    if (control && !control.destroyed) control.write(`${CONTROL_INTERRUPT}${this.inFlight}${CONTROL_END}`);
  }

  onEvent<E extends WorkerEventName>(event: E, listener: (body: KernelEvents[E]) => void): () => void {
    if (event === 'console') {
      const l = listener as (batch: KernelEvents['console']) => void;
      this.consoleListeners.add(l);
      return () => this.consoleListeners.delete(l);
    }
    // every other event is as the worker sent it
    return this.channel.onEvent(event, listener as unknown as (body: WorkerEvents[E]) => void);
  }

  onExit(listener: (exit: KernelExit) => void): () => void {
    if (this.exitInfo) {
      listener(this.exitInfo);
      return () => undefined;
    }
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Ends the kernel (once: a second call waits for the first). */
  dispose(): Promise<void> {
    return (this.disposing ??= this.end());
  }

  private async end(): Promise<void> {
    if (!this.alive) return;
    if (this.child.pid === undefined) {
      this.exitInfo = { code: null, signal: null, reason: 'could not be started', expected: true };
      this.channel.close('The kernel could not be started.');
      return;
    }
    this.expectedExit = true;
    // the worker's last frame: it is killing its own process (worker/main.ts endAtOnce), and nothing of it runs any
    // more; the system's teardown of the process (5–6 ms) is not waited for, its exit is still seen and logged
    let offFinal = () => undefined as void;
    const final = new Promise<void>(
      (resolve) =>
        (offFinal = this.channel.onEvent('final', () => {
          this.lastFrame = true;
          resolve();
        })),
    );
    if (this.child.connected) {
      this.channel.request('shutdown', {}).catch(() => undefined);
    }
    // a worker that said its last word and still lives (a cell broke its exit) is killed all the same
    const kill = setTimeout(() => this.child.kill('SIGKILL'), SHUTDOWN_GRACE_MS);
    kill.unref();
    void this.exited.then(() => clearTimeout(kill));
    try {
      await Promise.race([this.exited, final]);
    } finally {
      offFinal();
    }
  }

  private watch(log: NonNullable<KernelStartOptions['log']>): void {
    const stdout = this.child.stdout as Readable;
    const stderr = this.child.stderr as Readable;
    stdout.setEncoding('utf8');
    stderr.setEncoding('utf8');
    // whole lines only: a secret split across two chunks would not be recognised in either
    let outPartial = '';
    stdout.on('data', (d: string) => {
      const { lines, rest } = maskedLines(this.mask, outPartial + d);
      outPartial = rest;
      for (const line of lines) log('debug', `[worker stdout] ${line.trimEnd()}`);
    });
    // masked before the split into lines (a secret may contain line breaks); the exit notice is JSON, masked once parsed
    let partial = '';
    stderr.on('data', (d: string) => {
      const { lines, rest } = maskedLines(this.mask, partial + d, (line) => line.includes(EXIT_NOTICE));
      partial = rest;
      for (const line of lines) this.stderrLine(line, log);
    });
    const control = this.child.stdio[4] as Writable | null;
    control?.on('error', () => undefined);
    // a no-op the watchdog reads as it starts: its first read of the pipe is done before the first interrupt
    control?.write(CONTROL_END);
    // a send to a process that just died fails asynchronously; the exit handler reports it
    this.child.on('error', (err) => log('warn', `kernel process error: ${err.message}`));
    this.channel.onEvent('log', (b) => log(b.level, `[worker] ${b.message}`));
    void this.ended.then(({ code, signal }) => this.exitedWith(code, signal, log, partial, outPartial));
  }

  /** The worker's process is gone and its frames are all read: the exit is told, with the reason it works out. */
  private exitedWith(
    code: number | null,
    signal: NodeJS.Signals | null,
    log: NonNullable<KernelStartOptions['log']>,
    partial: string,
    outPartial: string,
  ): void {
    if (partial) this.stderrLine(partial, log);
    // masked before it is trimmed: a secret ending in a space, cut by the trim, would not be recognised
    if (outPartial) log('debug', `[worker stdout] ${this.mask(outPartial).trimEnd()}`);
    const heap = /--max-old-space-size=(\d+)/.exec((this.options.execArgv ?? []).join(' '));
    const reason = exitReason({
      code,
      signal,
      expected: this.expectedExit,
      notice: this.notice,
      stderrTail: this.stderrTail,
      heapLimitMb: heap ? Number(heap[1]) : undefined,
      cellLabel: (id) => this.labels.get(id),
    });
    this.exitInfo = { code, signal, reason, expected: this.expectedExit, cellId: this.notice?.cellId };
    log(this.expectedExit ? 'info' : 'warn', `kernel ${this.info?.kernelId ?? '(starting)'} ${reason} (code ${code}, signal ${signal})`);
    this.channel.close(`The kernel ${reason}.`);
    for (const l of this.exitListeners) l(this.exitInfo);
    this.exitListeners.clear();
  }

  private stderrLine(line: string, log: NonNullable<KernelStartOptions['log']>): void {
    const notice = line.indexOf(EXIT_NOTICE);
    // a masked secret that ended with a line break may have joined the notice to the text before it
    if (notice > 0) this.stderrLine(line.slice(0, notice), log);
    if (notice >= 0) {
      try {
        this.notice = this.mask(JSON.parse(line.slice(notice + EXIT_NOTICE.length)));
        const entries = this.notice?.console ?? [];
        if (entries.length) this.consoleListeners.forEach((l) => l({ entries }));
      } catch {
        log('warn', 'unreadable exit notice from the worker');
      }
      return;
    }
    this.stderrTail = (this.stderrTail + this.mask(line) + '\n').slice(-STDERR_TAIL_CHARS);
    log('debug', `[worker stderr] ${line}`);
  }
}

function transportOf(child: ChildProcess, mask: Masker) {
  return {
    send: (frame: HostFrame) => {
      if (!child.connected) throw new Error('the kernel process is not connected');
      child.send(frame);
    },
    onMessage: (listener: (frame: WorkerFrame) => void) => {
      const onFrame = (frame: WorkerFrame) => listener(mask(frame));
      child.on('message', onFrame);
      return () => void child.off('message', onFrame);
    },
    // KernelProcess closes the channel itself on exit, with the reason it works out
    onClose: () => () => undefined,
  };
}

/**
 * The environment a worker starts with. A Node kernel whose notebook declares permissions runs user code in the worker
 * itself, so it starts with only what user code may see (the granted variables and the secrets): nothing else is in
 * its memory or /proc/self/environ. Other kernels filter what they pass on (the Deno/Bun sidecar, the isolate's env).
 */
export function kernelEnvironment(init: InitParams): NodeJS.ProcessEnv {
  if (init.runtime === 'node' && init.permissions) return userEnvironment(process.env, init.permissions, init.env);
  return { ...process.env };
}
