/**
 * The sandbox runtime ('sandbox'): cells run in an isolated-vm Isolate hosted by this worker process (Node 24,
 * --no-node-snapshot). Inside there is no Node API at all (no process, require, fs, Buffer, module imports); the
 * host bridges in only console, timers, display(), a frozen `env`, and fetch for the granted hosts. Only JSON
 * strings cross the boundary (SandboxIsolate); the prelude inside keeps the values and their handles.
 *
 * The `read`, `write` and `run` capabilities have no meaning here: there is no file system or process API to grant.
 * Memory: memoryMb is the isolate's heap limit; past it the isolate is gone, so the worker reports it and exits and
 * the next run starts a fresh kernel. Time: cellTimeoutMs bounds every synchronous run inside the isolate.
 */
import { ConstantNames } from '../transform/ConstantNames';
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  codaError,
  createMasker,
  EXIT_NOTICE,
  type ExitNotice,
  type ExecuteParams,
  type ExecuteResult,
  type ExpandParams,
  type InitParams,
  type Masker,
  type PendingWorkResult,
  type Permissions,
  type PropertyPage,
  type SerializedError,
  type VariablesResult,
} from '../../protocol';
import { ConsoleBatcher } from '../node/ConsoleBatcher';
import { StackMapper } from '../node/stackMapper';
import { TopLevelBindings, VARIABLES_OWNER, type BindingRead } from '../node/TopLevelBindings';
import type { Runtime, RuntimeHost } from '../runtime/Runtime';
import { settleOnce } from '../runtime/settleOnce';
import { userEnvironment } from '../../common/userEnvironment';
import { CellSyntaxError } from '../transform/transformCell';
import { cellSyntaxError } from '../runtime/cellSyntaxError';
import type { NamespaceMembers } from '../transform/lowerNamespaces';
import { BackgroundWork } from './BackgroundWork';
import { sandboxWorkItems, sandboxVariableReads } from './sandboxInspection';
import { checkDisplay, checkEntry, checkPage, checkResult, checkValue, isRecord, text } from './bridgeChecks';
import { cellScript } from './cellScript';
import { loadIsolatedVm } from './loadIsolatedVm';
import { sandboxLimits } from './sandboxLimits';
import { cellTimedOut, errorFromCopy, errorFromIsolate, outOfMemory, sandboxLost } from './sandboxErrors';
import { checkFetchRequest, MAX_PENDING_FETCHES, sandboxFetch } from './sandboxFetch';
import { SandboxIsolate, type CallOutcome } from './SandboxIsolate';
import { randomUUID } from '../runtime/randomUUID';
import { digestAnswer, nowAnswer, randomAnswer, urlAnswer } from './webAnswers';

/** How long an interrupt waits for running JavaScript to stop before the sandbox is thrown away. */
export const INTERRUPT_DISPOSE_MS = 3000;
/** Wall-clock limit of an expansion (a Proxy's traps may run while it is described). */
export const EXPAND_TIMEOUT_MS = 2000;
/** Time given to the last IPC messages before the worker exits after losing the sandbox. */
export const EXIT_DELAY_MS = 200;
/** Live timers (timeouts and intervals) across all cells. */
export const MAX_TIMERS = 10_000;

interface Running {
  params: ExecuteParams;
  started: number;
  settle(result: ExecuteResult): void;
}

export class IsolateRuntime implements Runtime {
  readonly kind = 'sandbox' as const;
  readonly version: string;
  readonly kernelId: string;
  private sandbox!: SandboxIsolate;
  private readonly batcher: ConsoleBatcher;
  // the isolate has no files: a frame outside the cells is the prelude's, or the host's in an error it copied in
  private readonly mapper = new StackMapper('all');
  /** What the namespaces of this kernel's cells export, for a later declaration of one (lowerNamespaces.ts). */
  private readonly namespaces: NamespaceMembers = new Map();
  private readonly work: BackgroundWork;
  private readonly permissions: Permissions;
  private readonly handles = new Map<string, Set<number>>();
  private readonly fetches = new Map<number, AbortController>();
  /**
   * Bytes this process holds for the sandbox's fetches: the bodies still downloading, then (base64) the responses until
   * the isolate has taken them in. Bounded by the sandbox's memory limit (fetch below), whatever the timing.
   */
  private heldBytes = 0;
  private readonly bindings = new TopLevelBindings();
  /** The top-level names the cells left constant (a later cell's assignment to one throws). */
  private readonly constants = new ConstantNames();
  private readonly mask: Masker;
  private running: Running | undefined;
  private scriptSeq = 0;
  private exiting = false;

  private constructor(
    private readonly init: InitParams,
    private readonly host: RuntimeHost,
  ) {
    this.version = `isolated-vm on node ${process.version}`;
    this.kernelId = init.kernelId ?? randomUUID();
    this.permissions = init.permissions ?? {};
    this.mask = createMasker(init.maskedValues);
    this.batcher = new ConsoleBatcher(host);
    this.work = new BackgroundWork((cellId, executionId, pending, kinds) => {
      this.batcher.flush();
      host.emit('cellWork', { cellId, executionId, pending, kinds });
    });
  }

  static async create(init: InitParams, host: RuntimeHost): Promise<IsolateRuntime> {
    const ivm = loadIsolatedVm(init.sandbox?.modulesDir);
    const rt = new IsolateRuntime(init, host);
    const env = userEnvironment(process.env, rt.permissions, init.env);
    // the secrets go in too: the prelude masks them before it cuts any text (makeInspector.ts)
    const configJson = JSON.stringify({ kernelId: rt.kernelId, env, limits: sandboxLimits(MAX_TIMERS), masked: init.maskedValues ?? [] });
    rt.sandbox = await SandboxIsolate.create(ivm, {
      memoryMb: rt.memoryMb,
      configJson,
      onMessage: (json) => rt.onMessage(json),
      onCatastrophicError: (message) => rt.lose(`failed inside isolated-vm (${message})`),
    });
    return rt;
  }

  private get memoryMb(): number {
    return this.init.sandbox?.memoryMb ?? 128;
  }

  private get timeoutMs(): number {
    return this.init.sandbox?.cellTimeoutMs ?? 0;
  }

  execute(params: ExecuteParams): Promise<ExecuteResult> {
    // plugins are kernel code with the kernel's reach: none may enter the isolate (docs/plugins.md)
    const plugins = this.init.plugins ?? [];
    if (plugins.length) {
      const error = codaError('PluginsUnsupported', { runtime: 'Sandbox', plugins: plugins.map((p) => JSON.stringify(p)).join(', ') });
      return Promise.resolve({ status: 'error', error, durationMs: 0 });
    }
    return new Promise<ExecuteResult>((resolve) => {
      const started = performance.now();
      const running: Running = {
        params,
        started,
        settle: settleOnce(resolve, () => {
          if (this.running === running) this.running = undefined;
          this.batcher.flush();
          this.work.finished(params.cellId, params.executionId);
        }),
      };
      this.running = running;
      this.work.started(params.cellId);
      void this.run(running);
    });
  }

  private elapsed(running: Running): number {
    return performance.now() - running.started;
  }

  private async run(running: Running): Promise<void> {
    const { params } = running;
    const filename = `coda-cell-${++this.scriptSeq}.js`;
    let script;
    try {
      script = cellScript(
        params.code,
        params.language,
        params.cellLabel,
        { cellId: params.cellId, executionId: params.executionId, instrument: !!params.instrumentLines },
        this.init.decorators,
        this.namespaces,
        this.constants.current,
      );
    } catch (err) {
      return running.settle({ status: 'error', error: this.compileError(err, params), durationMs: this.elapsed(running) });
    }
    if ('name' in script) return running.settle({ status: 'error', error: script, durationMs: this.elapsed(running) });
    this.bindings.note(script.declared, params.cellId);
    this.constants.note(script);
    this.mapper.register(filename, {
      cellId: params.cellId,
      cellLabel: params.cellLabel,
      executionId: params.executionId,
      prologueLength: script.prologueLength,
      lineCount: script.lineCount,
      columns: script.columns,
      ...(params.script && { script: params.script }),
    });
    const outcome = await this.sandbox.runScript(script.code, filename, this.timeoutMs);
    // success: the prelude reports the completion ('done') through the bridge. A promise the cell's synchronous part
    // rejected and left unhandled is an error of its background work, as in Node: the cell goes on (it may await)
    if (outcome.kind === 'failed') this.host.emit('uncaught', { cellId: params.cellId, executionId: params.executionId, error: this.copied(outcome.thrown) });
    else if (outcome.kind !== 'ok') this.failed(outcome, running);
  }

  /** What a call threw (SandboxIsolate's copy), mapped to the cells and masked. */
  private copied(thrown: unknown): SerializedError {
    return this.mask(errorFromCopy(thrown, this.mapper));
  }

  /** A call into the isolate did not complete: say why, for the running cell or as a background error. */
  private failed(outcome: CallOutcome, running: Running | undefined, cell?: { cellId: string; executionId: number }): void {
    let error: SerializedError;
    switch (outcome.kind) {
      case 'ok':
        return;
      case 'terminated':
        // an interrupt: interrupt() settled the cell already
        if (running) running.settle({ status: 'interrupted', durationMs: this.elapsed(running) });
        return;
      case 'timeout':
        error = cellTimedOut(this.timeoutMs);
        break;
      case 'disposed':
        return this.lose(outcome.outOfMemory ? 'ran out of memory' : 'was stopped');
      case 'uncompiled':
      case 'failed':
        error = this.copied(outcome.thrown);
        break;
    }
    if (running) running.settle({ status: 'error', error, durationMs: this.elapsed(running) });
    else this.host.emit('uncaught', { ...cell, error });
  }

  private compileError(err: unknown, params: ExecuteParams): SerializedError {
    if (err instanceof CellSyntaxError) {
      return cellSyntaxError(err, { ...params, line: err.line, column: err.column });
    }
    return { name: (err as Error)?.name ?? 'Error', message: (err as Error)?.message ?? String(err) };
  }

  // ---- messages from the prelude (synchronous: the isolate waits for the answer) ----

  private onMessage(json: string): string {
    const msg: unknown = JSON.parse(json);
    if (!isRecord(msg)) return '{}';
    const cellId = text(msg.cellId, 500);
    const executionId = typeof msg.executionId === 'number' ? msg.executionId : 0;
    switch (msg.t) {
      case 'console':
        for (const raw of Array.isArray(msg.entries) ? msg.entries.slice(0, 10_000) : []) this.console(raw);
        return '{}';
      case 'done':
        this.done(executionId, msg);
        return '{}';
      case 'uncaught':
        this.batcher.flush();
        this.host.emit('uncaught', {
          cellId,
          executionId,
          error: errorFromIsolate(msg.error, this.mapper),
          ...((msg.from === 'result' || msg.from === 'line') && { from: msg.from }),
        });
        return '{}';
      case 'display':
        this.batcher.flush();
        this.host.emit('display', { cellId, executionId, data: checkDisplay(msg.data) });
        return '{}';
      case 'settled':
        this.batcher.flush();
        this.host.emit('resultSettled', { cellId, executionId, value: this.result(msg.value, cellId) });
        return '{}';
      case 'line': {
        this.batcher.flush();
        const promiseId = positiveInteger(msg.promiseId);
        this.host.emit('lineValue', {
          cellId,
          executionId,
          line: Number(msg.line) || 0,
          value: this.value(msg.value, cellId),
          ...(promiseId > 0 && { promiseId }),
        });
        return '{}';
      }
      case 'lineSettled': {
        const promiseId = positiveInteger(msg.promiseId);
        this.batcher.flush();
        if (promiseId > 0) this.host.emit('lineSettled', { cellId, executionId, promiseId, value: this.value(msg.value, cellId) });
        return '{}';
      }
      case 'timer':
        return JSON.stringify(this.timer(msg, cellId, executionId) ?? {});
      case 'fetch':
        return JSON.stringify(this.fetch(msg, cellId, executionId) ?? {});
      case 'fetchAbort': {
        // the cell's AbortSignal: the request stops, and the prelude has rejected its promise already
        const id = Number(msg.id);
        this.fetches.get(id)?.abort();
        this.fetches.delete(id);
        this.work.remove(`f${id}`);
        return '{}';
      }
      case 'now':
        return JSON.stringify(nowAnswer());
      case 'random':
        return JSON.stringify(randomAnswer(msg.n));
      case 'url':
        return JSON.stringify(urlAnswer(msg));
      case 'digest':
        return JSON.stringify(digestAnswer(msg));
      default:
        return '{}';
    }
  }

  private value(raw: unknown, cellId: string) {
    return checkValue(raw, this.kernelId, (id) => this.noteHandle(cellId, id));
  }

  /** A cell's result (`done`, `settled`): a value that may carry its full text. */
  private result(raw: unknown, cellId: string) {
    const value = checkResult(raw, this.kernelId, (id) => this.noteHandle(cellId, id));
    // an error's text holds its stack (makeInspector.ts resultText): the isolate's frames, mapped here
    if (value.type === 'object' && value.text !== undefined) value.text = this.mapper.rewriteFrames(value.text);
    return value;
  }

  private noteHandle(cellId: string, id: number): void {
    let ids = this.handles.get(cellId);
    if (!ids) this.handles.set(cellId, (ids = new Set()));
    ids.add(id);
  }

  private console(raw: unknown): void {
    const checked = checkEntry(raw, this.kernelId, (cellId, id) => this.noteHandle(cellId, id));
    if (!checked) return;
    const { entry, stack, errorStack } = checked;
    const method = entry.method;
    if (stack) {
      const frames = this.mapper.frames(stack);
      if (method === 'trace' || method === 'assert') entry.frames = frames;
      const line = frames.find((f) => f.cellId === entry.cellId)?.line;
      if (line !== undefined && this.running?.params.instrumentLines) entry.line = line;
    }
    if (errorStack) entry.frames = this.mapper.frames(errorStack);
    // every stack in the text (an error logged by any method, its cause, an error inside an object), as the Node kernel's console
    entry.text = this.mapper.rewriteFrames(entry.text);
    this.batcher.push(entry);
  }

  private done(executionId: number, msg: Record<string, unknown>): void {
    const running = this.running;
    if (!running || running.params.executionId !== executionId) return;
    if (msg.error !== undefined) running.settle({ status: 'error', error: errorFromIsolate(msg.error, this.mapper), durationMs: this.elapsed(running) });
    else {
      const result: ExecuteResult = { status: 'ok', durationMs: this.elapsed(running) };
      if (msg.value !== undefined) result.value = this.result(msg.value, running.params.cellId);
      running.settle(result);
    }
  }

  private timer(msg: Record<string, unknown>, cellId: string, executionId: number): { error: SerializedError } | undefined {
    const id = Number(msg.id);
    const key = `t${id}`;
    if (msg.op === 'clear') {
      this.work.get(key)?.cancel();
      this.work.remove(key);
      return undefined;
    }
    if (!Number.isSafeInteger(id) || this.work.get(key)) return { error: { name: 'TypeError', message: 'invalid timer' } };
    if (this.work.size >= MAX_TIMERS) return { error: codaError('SandboxTooManyTimers', { max: MAX_TIMERS }) };
    const repeat = msg.repeat === true;
    const ms = Math.max(repeat ? 1 : 0, Math.min(Number(msg.ms) || 0, 2_147_483_647));
    let queued = false;
    const fire = () => {
      if (queued) return; // an interval whose last run is still waiting for the isolate
      queued = true;
      void this.sandbox.call({ op: 'timer', id }, this.timeoutMs).then((outcome) => {
        queued = false;
        if (!repeat) this.work.remove(key);
        this.failed(outcome, undefined, { cellId, executionId });
      });
    };
    const handle = repeat ? setInterval(fire, ms) : setTimeout(fire, ms);
    this.work.add({
      key,
      kind: repeat ? 'interval' : 'timeout',
      cellId,
      executionId,
      description: `${repeat ? 'setInterval' : 'setTimeout'} ${ms} ms`,
      stack: text(msg.stack, 4000),
      cancel: () => (repeat ? clearInterval(handle) : clearTimeout(handle)),
    });
    return undefined;
  }

  private fetch(msg: Record<string, unknown>, cellId: string, executionId: number): { error: SerializedError } | undefined {
    const id = Number(msg.id);
    const req = checkFetchRequest(msg.request, this.permissions);
    if ('name' in req) return { error: req };
    if (this.fetches.size >= MAX_PENDING_FETCHES) return { error: codaError('SandboxTooManyFetches', { max: MAX_PENDING_FETCHES }) };
    // responses the host holds until the isolate is free to take them in: a cell that keeps the isolate busy while it
    // starts fetch after fetch must not grow this process without bound (each counts until it is delivered)
    const limit = this.memoryMb * 1024 * 1024;
    const backlog = () => codaError('SandboxFetchBacklog', { mb: Math.round(this.heldBytes / 1024 / 1024), limit: this.memoryMb });
    if (this.heldBytes > limit) return { error: backlog() };
    // this fetch's own share of heldBytes: its body as it downloads, then its response until the isolate took it in
    let mine = 0;
    // a body's bytes count as they arrive, so fetches started before the others' responses came in cannot pass the limit
    // together (on a slow machine 26 did, for a 32 MB sandbox); one response alone may, up to its own bound
    const hold = (bytes: number) => {
      if (this.heldBytes - mine > 0 && this.heldBytes + bytes > limit) return backlog();
      this.heldBytes += bytes;
      mine += bytes;
      return undefined;
    };
    const release = () => {
      this.heldBytes -= mine;
      mine = 0;
    };
    const key = `f${id}`;
    const abort = new AbortController();
    this.fetches.set(id, abort);
    const description = `fetch ${req.method} ${req.url}`;
    this.work.add({ key, kind: 'fetch', cellId, executionId, description, stack: text(msg.stack, 4000), cancel: () => abort.abort() });
    void sandboxFetch(req, this.permissions, abort.signal, hold).then(async (result) => {
      // counted until the isolate has taken it in, not only while the request runs (the 64 at once bound both): as its
      // base64 now, the downloaded bytes it was made from released
      const bytes = 'response' in result ? result.response.bodyBase64.length : 0;
      release();
      this.heldBytes += bytes;
      mine = bytes;
      try {
        if (abort.signal.aborted) return;
        const outcome = await this.sandbox.call({ op: 'fetch', id, ...result }, this.timeoutMs);
        this.work.remove(key);
        this.failed(outcome, undefined, { cellId, executionId });
      } finally {
        release();
        if (this.fetches.get(id) === abort) this.fetches.delete(id);
      }
    });
    return undefined;
  }

  // ---- requests from the host ----

  async expand(params: ExpandParams): Promise<PropertyPage> {
    const outcome = await this.sandbox.call({ op: 'expand', handleId: params.handleId, start: params.start, count: params.count }, EXPAND_TIMEOUT_MS);
    if (outcome.kind !== 'ok')
      throw new Error(
        outcome.kind === 'timeout'
          ? `expanding the value took longer than ${EXPAND_TIMEOUT_MS} ms`
          : 'the value could not be expanded (the sandbox is busy or gone)',
      );
    const reply: unknown = JSON.parse(String(outcome.value));
    if (!isRecord(reply) || reply.error !== undefined)
      throw new Error(isRecord(reply) && isRecord(reply.error) ? text(reply.error.message, 2000) : 'the value could not be expanded');
    const owner = [...this.handles].find(([, ids]) => ids.has(params.handleId))?.[0] ?? '';
    return checkPage(reply.page, this.kernelId, params.handleId, (id) => this.noteHandle(owner, id));
  }

  /** The sandbox has no I/O of its own: its timers and fetches are reported through cellWork. */
  activeWork(): string[] {
    return [];
  }

  /** A sandbox has no process to set an exit code for. */
  exitCode(): undefined {
    return undefined;
  }

  async variables(): Promise<VariablesResult> {
    this.handles.delete(VARIABLES_OWNER);
    const names = this.bindings.listed();
    const outcome = await this.sandbox.call({ op: 'variables', names }, EXPAND_TIMEOUT_MS);
    if (outcome.kind !== 'ok') throw new Error('the variables could not be read (the sandbox is busy or gone)');
    const reads: BindingRead[] = sandboxVariableReads(outcome.value, (raw) => this.value(raw, VARIABLES_OWNER));
    return this.bindings.result(reads);
  }

  pendingWork(): PendingWorkResult {
    // a fetch's URL may hold a secret (a token in a query string)
    return this.mask({ items: sandboxWorkItems(this.work.list(), this.mapper) });
  }

  cancelWork(id: string): boolean {
    const item = this.work.get(id);
    if (!item) return false;
    item.cancel();
    this.work.remove(id);
    const n = Number(id.slice(1));
    // the isolate forgets the timer, or its fetch fails as aborted (never left pending)
    if (item.kind === 'fetch') {
      this.fetches.delete(n);
      // a fetch nobody handles fails its cell's background work, as in Node
      void this.sandbox
        .call({ op: 'fetch', id: n, error: { name: 'AbortError', message: 'The fetch was cancelled from the Pending Work view' } })
        .then((outcome) => this.failed(outcome, undefined, { cellId: item.cellId, executionId: item.executionId }));
    } else void this.sandbox.call({ op: 'clear-timer', id: n });
    return true;
  }

  release(cellId: string): number {
    const released = this.handles.get(cellId)?.size ?? 0;
    this.handles.delete(cellId);
    void this.sandbox.call({ op: 'release', cellId });
    return released;
  }

  interrupt(): void {
    const running = this.running;
    const cells = this.work.cancel(running?.params.cellId);
    for (const cellId of new Set([...cells, ...(running ? [running.params.cellId] : [])])) void this.sandbox.call({ op: 'forget', cellId });
    if (running) running.settle({ status: 'interrupted', durationMs: this.elapsed(running) });
    if (!this.sandbox.busy) return;
    this.sandbox.terminate();
    const check = setTimeout(() => {
      if (this.sandbox.busy) this.lose(`could not be interrupted within ${INTERRUPT_DISPOSE_MS} ms and was stopped`);
    }, INTERRUPT_DISPOSE_MS);
    check.unref();
  }

  async dispose(): Promise<void> {
    this.batcher.flush();
    this.work.cancel();
    for (const abort of this.fetches.values()) abort.abort();
    this.sandbox?.dispose();
  }

  /**
   * The isolate is gone (memory limit, a stop that did not work, a fatal isolated-vm error): the running cell
   * fails saying so, the exit notice goes to stderr, and the worker exits so the next run starts fresh.
   */
  private lose(reason: string): void {
    if (this.exiting) return;
    this.exiting = true;
    const running = this.running;
    const oom = reason === 'ran out of memory';
    const error = oom ? outOfMemory(this.memoryMb) : sandboxLost(reason);
    const cellId = running?.params.cellId;
    if (running) running.settle({ status: 'error', error, durationMs: this.elapsed(running) });
    else this.host.emit('uncaught', { error });
    this.batcher.flush();
    const exitReason = oom ? `stopped: the sandbox ran out of memory (limit ${this.memoryMb} MB)` : `stopped: the sandbox ${reason}`;
    const notice: ExitNotice = { code: 1, reason: exitReason, cellId };
    this.host.emit('exiting', notice);
    try {
      writeSync(2, `${EXIT_NOTICE}${JSON.stringify({ ...notice, console: this.batcher.drain() })}\n`);
    } catch {
      // stderr closed: the host still sees the exit code
    }
    const blocked = this.sandbox?.exitBlocked ?? false;
    void this.dispose();
    // process.exit() never returns once the isolate died with an inspector session open (see SandboxIsolate); the
    // exit notice above already tells the host why
    setTimeout(() => (blocked ? process.kill(process.pid, 'SIGKILL') : process.exit(1)), EXIT_DELAY_MS);
  }
}

/** A number the prelude sent as an id: a positive safe integer, else 0. */
function positiveInteger(v: unknown): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : 0;
}
