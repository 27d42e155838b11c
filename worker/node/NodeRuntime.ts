/**
 * The Node runtime: cells run in this process's main context (vm.Script.runInThisContext) after the cell
 * transform, so state persists across cells. User code starts on its own macrotask, never inside the
 * dispatcher's stack: when the watchdog terminates a runaway cell, only the cell's frames unwind and
 * interrupt() settles the execution.
 */
import { cellsExitCode } from './cellsExitCode';
import type inspector from 'node:inspector';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { types } from 'node:util';
import type { Script } from 'node:vm';
import {
  codaErrorMessage,
  createMasker,
  type CheckpointHits,
  type DisplayData,
  type DisplayEvent,
  type ExecuteParams,
  type ExecuteResult,
  type ExpandParams,
  type InitParams,
  type DecoratorMode,
  type Masker,
  type PendingWorkResult,
  type PropertyPage,
  type RemoteValue,
  type RuntimeKind,
  type UncaughtFrom,
  type VariablesResult,
  type WorkerEvents,
} from '../../protocol';
import { ConsoleFormatter } from '../inspect/ConsoleFormatter';
import { describeValue } from '../inspect/describeValue';
import { expandValue } from '../inspect/expandValue';
import { HandleRegistry } from '../inspect/HandleRegistry';
import { promiseSettlement, settledSoon, trackPromise } from '../inspect/promiseState';
import { SettleWatch } from './SettleWatch';
import { uncaughtOwner } from './uncaughtOwner';
import { intrinsicThen } from '../runtime/createDispatcher';
import type { Runtime, RuntimeHost } from '../runtime/Runtime';
import { settleOnce } from '../runtime/settleOnce';
import { cellSyntaxError } from '../runtime/cellSyntaxError';
import {
  AWAIT_HOOK,
  CellSyntaxError,
  IMPORT_HOOK,
  LINE_HOOK,
  META_HOOK,
  NAMESPACE_HOOK,
  DEFAULT_HOOK,
  STATEMENT_HOOK,
  transformCell,
  type TransformedCell,
} from '../transform/transformCell';
import { importMeta } from './importMeta';
import { interopDefault, interopNamespace } from './interopNamespace';
import { installLoopHook, isLoopStop } from '../runtime/loopStop';
import { JsxSettings } from '../../common/JsxSettings';
import { DECORATORS_HOOK } from '../transform/lowerDecorators';
import { cellJavaScript, typedCell, type TypedCell } from '../transform/typedCell';
import type { NamespaceMembers } from '../transform/lowerNamespaces';
import { useDecorators } from './localModuleHooks';
import { makeDecoratorRuntime } from '../runtime/makeDecoratorRuntime';
import { makeBindingGuard } from '../runtime/makeBindingGuard';
import { CONSTANT_HOOK, UNINITIALIZED_HOOK } from '../transform/bindingGuards';
import { ConstantNames } from '../transform/ConstantNames';
import { composeColumns, type Columns } from '../transform/ColumnMap';
import { withAsyncStack } from './asyncStack';
import { AwaitTracker } from './AwaitTracker';
import { cellScriptName, currentCell, enterCell, enterStatement, runInCell, type CellContext } from './cellContext';
import { ConsoleBatcher } from './ConsoleBatcher';
import { createDisplay } from './displayHelper';
import { importOptions, createModuleSupport, type ModuleSupport } from './moduleLoader';
import { IoTracker } from './IoTracker';
import { PendingIo } from './PendingIo';
import { pendingWorkItems } from './pendingWorkItems';
import { installPermissionGuards } from './permissionGuards';
import { installProcessGuards } from './processGuards';
import { StackMapper } from './stackMapper';
import { TimerTracker } from './TimerTracker';
import { TopLevelBindings, VARIABLES_OWNER } from './TopLevelBindings';
import { captureStream, createUserConsole } from './userConsole';
import type { DisplayTarget } from '../jupyter/denoJupyter';
import type { KernelDisplay } from '../jupyter/installJupyterCompat';
import { jupyterPlugin } from '../jupyter/jupyterPlugin';
import { bundleToDisplayData } from '../jupyter/mimeBundle';
import { PluginFailure } from '../plugins/PluginFailure';
import { PluginHost } from '../plugins/PluginHost';
import { installInterruptGate } from '../runtime/interruptGate';
import { enterExecution, leaveExecution } from '../runtime/interruptState';
import { NodeDebug } from '../debug/NodeDebug';
import { DebugInspector } from '../debug/DebugInspector';
import { lazySession, type SessionSource } from '../debug/inspectorSession';
import { randomUUID } from '../runtime/randomUUID';
import { getBuiltin } from '../runtime/getBuiltin';
import { cellTurns, type CellTurns } from './cellTurns';

/** Where JSX could start: `<` before a tag name or `>` (a fragment). */
const MAYBE_JSX = /<[A-Za-z_$>]/;

const realSetImmediate = setImmediate;
// captured before a cell can replace them (claimRejection)
const weakHas = WeakSet.prototype.has;
const weakAdd = WeakSet.prototype.add;

/**
 * Error.stackTraceLimit in the kernel unless a cell sets its own: the runtimes' 10 frames include the kernel's own
 * (dropped from what is shown), so an error thrown a few calls deep into a library lost the cell line that called it.
 */
export const KERNEL_STACK_FRAMES = 50;

/** Taken before any cell runs: whether a debugger's socket is open (Debug Cell). */
const inspectorUrl = (getBuiltin('node:inspector') as typeof inspector).url;
const vm = getBuiltin('node:vm') as typeof import('node:vm');

/** What differs when this runtime is hosted by a Deno or Bun sidecar agent (worker/sidecar/agentMain.ts). */
export interface NodeRuntimeOptions {
  kind: RuntimeKind;
  /** e.g. 'deno 2.9.6'. */
  version: string;
  /** Files and folders whose stack frames are the runtime's own (dropped from mapped stacks). */
  internalFiles: string[];
  /** How cells `require` and `import` (default: Node's loader, see moduleLoader.ts). */
  modules?: (cwd: string, modulePaths: string[] | undefined) => ModuleSupport;
  /** False when the process already started in init.cwd (Deno's chdir needs read permission). */
  chdir?: boolean;
  /**
   * Starts a cell on its own macrotask (Node: a message of cellTurns.ts; others default to setImmediate; Deno dies when
   * a timer callback is terminated).
   */
  schedule?: (start: () => void) => void;
  /**
   * Where a sidecar's checkpoints get their inspector session (Deno: connected by the agent before any cell ran);
   * absent: no debugging (Bun). The socket for Debug Cell is the worker's business there, not this runtime's.
   */
  debugSession?: SessionSource;
  /** Told just before a cell's code runs and just after it returned or threw (Deno: agentSyncPart.ts). */
  syncPart?: SyncPartHooks;
}

export interface SyncPartHooks {
  enter(executionId: number): void;
  leave(executionId: number): void;
}

interface Running {
  ctx: CellContext;
  started: number;
  settle(result: ExecuteResult): void;
}

export class NodeRuntime implements Runtime {
  readonly kind: RuntimeKind;
  readonly version: string;
  private readonly registry: HandleRegistry;
  private readonly io = new PendingIo();
  private readonly plugins: PluginHost;
  private readonly batcher: ConsoleBatcher;
  private readonly mapper: StackMapper;
  private readonly timers: TimerTracker;
  private readonly ioWork = new IoTracker();
  private readonly awaits = new AwaitTracker();
  private readonly bindings = new TopLevelBindings();
  /** The top-level names the cells left constant (a later cell's assignment to one throws, as at Node's REPL). */
  private readonly constants = new ConstantNames();
  private readonly jsx: JsxSettings;
  /** Standard decorators, or the experimentalDecorators of the tsconfig.json nearest the notebook. */
  private readonly decorators: DecoratorMode;
  /** What the namespaces of this kernel's cells export, for a later declaration of one (lowerNamespaces.ts). */
  private readonly namespaces: NamespaceMembers = new Map();
  /** The notebook's secrets, masked here before any output is cut (KernelProcess masks again). */
  private readonly mask: Masker;
  private running: Running | undefined;
  /** Promises whose rejection this kernel reports (followResult, a scratch line's value): each one once. */
  private readonly followed = new WeakSet<Promise<unknown>>();
  /**
   * Watches promises the kernel shows without a handler, where the runtime can, and what the runtime's own
   * unhandled-rejection check finds about them (SettleWatch.ts: resultSeen, follow).
   */
  private readonly settleWatch = new SettleWatch();
  /** The ids given to scratch lines' pending promises (lineValue.promiseId). */
  private linePromises = 0;
  /** The last cell was settled by the stop of its loop; the interrupt's frame is still to come (Deno, loopStop.ts). */
  private awaitingInterruptFrame = false;
  /** Deno: whether an interrupt stopped an execution's loops (loopStop.ts). */
  private loopsStopped: (executionId: number) => boolean = () => false;
  private scriptSeq = 0;
  private readonly schedule: (start: () => void) => void;
  private readonly syncPart: SyncPartHooks | undefined;
  /** Node's own kernel: the channel its cells start from. */
  private readonly turns: CellTurns | undefined;
  /** Source maps and checkpoints on Node and in the Deno agent, and Node's debugger socket (Bun refuses). */
  readonly debug: NodeDebug | undefined;

  constructor(
    private readonly init: InitParams,
    private readonly host: RuntimeHost,
    kernelId: string = init.kernelId ?? randomUUID(),
    options?: NodeRuntimeOptions,
  ) {
    this.kind = options?.kind ?? 'node';
    this.jsx = new JsxSettings(this.kind === 'deno');
    this.decorators = init.decorators ?? { kind: 'standard' };
    useDecorators(this.decorators);
    this.version = options?.version ?? `node ${process.version}`;
    this.turns = !options?.schedule && this.kind === 'node' ? cellTurns() : undefined;
    this.schedule = options?.schedule ?? this.turns?.schedule ?? realSetImmediate;
    this.syncPart = options?.syncPart;
    this.registry = new HandleRegistry(kernelId);
    this.batcher = new ConsoleBatcher(host);
    this.mask = createMasker(init.maskedValues);
    this.mapper = new StackMapper(options?.internalFiles ?? [dirname(__filename)], this.mask);
    const formatter = new ConsoleFormatter({ registry: this.registry, mask: this.mask });
    const deps = { formatter, batcher: this.batcher, mapper: this.mapper };
    const emitHits = (checkpoints: CheckpointHits[]) => host.emit('checkpointHits', { checkpoints });
    // the watchdog's loop-stopping terminations are decided here, where the main thread runs (interruptGate.ts)
    if (this.kind === 'node') installInterruptGate();
    if (this.kind === 'node') this.debug = new NodeDebug({ emit: emitHits, mask: this.mask, session: lazySession(), socket: new DebugInspector() });
    else if (options?.debugSession) this.debug = new NodeDebug({ emit: emitHits, mask: this.mask, session: options.debugSession });
    this.timers = new TimerTracker({
      onWork: (cellId, executionId, pending, kinds) => {
        this.batcher.flush();
        host.emit('cellWork', { cellId, executionId, pending, kinds });
      },
      onError: (err, cell) => this.reportUncaught(err, cell),
    });
    const modules = (options?.modules ?? createModuleSupport)(init.cwd, init.modulePaths);
    const g = globalThis as Record<string, unknown>;
    g.console = createUserConsole(deps);
    captureStream(process.stdout, 'log', deps);
    captureStream(process.stderr, 'error', deps);
    this.timers.install(globalThis);
    g.require = modules.require;
    // the notebook is the cells' module: import.meta, and CommonJS's names beside require
    const meta = importMeta(init.cwd, init.documentPath, (spec) => modules.require.resolve(spec), init.runtime === 'bun');
    g[META_HOOK] = meta;
    g.__dirname = meta.dirname;
    g.__filename = meta.filename ?? init.documentPath;
    g[IMPORT_HOOK] = modules.import;
    g[NAMESPACE_HOOK] = interopNamespace;
    g[DEFAULT_HOOK] = interopDefault;
    g[DECORATORS_HOOK] = makeDecoratorRuntime();
    const guards = makeBindingGuard();
    g[CONSTANT_HOOK] = guards.constant;
    g[UNINITIALIZED_HOOK] = guards.uninitialized;
    g[LINE_HOOK] = (line: number, value: unknown) => this.lineValue(line, value);
    g[STATEMENT_HOOK] = (line: number, column: number) => {
      enterStatement(line, column);
      // a new statement: the last top-level await is over (one not routed through the hook, `for await`, may follow)
      const cell = currentCell();
      if (cell) this.awaits.over(cell.executionId);
    };
    g[AWAIT_HOOK] = (value: unknown, site: number) => this.awaits.hook(value, site);
    if (this.kind === 'deno') this.loopsStopped = installLoopHook(g, () => this.running?.ctx.executionId);
    if (Error.stackTraceLimit === 10) Error.stackTraceLimit = KERNEL_STACK_FRAMES;
    g.display = createDisplay((cellId, executionId, data) => this.emitDisplay(cellId, executionId, data));
    const sendBundle = (data: DisplayData[], target?: DisplayTarget) => {
      const cell = currentCell();
      if (!cell) throw new Error('display() can only be called while a cell runs (or from work a cell started)');
      this.emitDisplay(cell.cellId, cell.executionId, data, target);
    };
    // kernel plugins (worker/plugins/): first the display APIs of other JavaScript kernels (Deno.jupyter, tslab,
    // ijavascript's $$), so notebooks written for them run here as they did there; InitParams.plugins load later,
    // before the first cell, once the permission guards below are in place
    this.plugins = new PluginHost({
      builtins: [jupyterPlugin(g.display as KernelDisplay, { sendBundle, execution: () => currentCell()?.executionId })],
      specs: init.plugins ?? [],
      context: {
        globals: g,
        runtime: this.kind,
        cwd: init.cwd,
        require: (id) => modules.require(id),
        display: (bundle) => sendBundle(bundleToDisplayData(bundle)),
      },
      serialize: (err) => this.mapper.serialize(err),
      log: (message) => host.emit('log', { level: 'info', message }),
    });
    if (init.env) Object.assign(process.env, init.env);
    if (init.permissions && this.kind === 'node')
      installPermissionGuards(init.permissions, init); // enters init.cwd too
    else if (options?.chdir !== false) process.chdir(init.cwd);
    installProcessGuards({
      onUncaught: (err, promise) => {
        // a promise the kernel shows, rejected with no handler the cells attached: reported where it is shown
        if (!promise || !this.settleWatch.unhandled(promise, err)) this.reportUncaught(err, uncaughtOwner(err, this.mapper));
      },
      pendingConsole: () => this.batcher.drain(),
      runningCell: () => this.running?.ctx.cellId ?? currentCell()?.cellId,
    });
    // after the permission guards: a denied listen, connect or fetch never becomes a pending item
    this.ioWork.install(g);
  }

  get kernelId(): string {
    return this.registry.kernelId;
  }

  execute(params: ExecuteParams): Promise<ExecuteResult> {
    this.io.settle();
    this.awaitingInterruptFrame = false;
    return new Promise<ExecuteResult>((resolve) => {
      const ctx: CellContext = {
        cellId: params.cellId,
        cellLabel: params.cellLabel,
        executionId: params.executionId,
        filename: join(this.init.cwd, cellScriptName(++this.scriptSeq)),
        instrument: !!params.instrumentLines,
        ...(params.script && { script: params.script }),
      };
      const started = performance.now();
      const running: Running = {
        ctx,
        started,
        settle: settleOnce(resolve, () => {
          leaveExecution(ctx.executionId);
          if (this.running === running) this.running = undefined;
          this.awaits.settled(ctx.executionId);
          // what the cell wrote without a line end shows under it, before its result
          this.batcher.flush(true);
          this.timers.finished(ctx.cellId, ctx.executionId);
        }),
      };
      this.running = running;
      this.timers.started(ctx.cellId);
      // user code starts on its own macrotask, never in the dispatcher's frames (see the file comment). Not a
      // promise reaction: a termination inside vm.runInThisContext there leaves the microtask queue dead.
      this.schedule(() => this.run(params, running));
    });
  }

  private run(params: ExecuteParams, running: Running, prepared = false): void {
    // interrupted between execute() and this macrotask: the cell never starts
    if (this.running !== running) return;
    const { ctx } = running;
    const elapsed = () => performance.now() - running.started;
    const cell = { cellId: ctx.cellId, cellLabel: ctx.cellLabel, executionId: ctx.executionId, language: params.language };
    if (!prepared && this.plugins.needsPreparation) {
      // plugins load (once) and beforeExecute hooks run first; the cell itself still starts on its own macrotask
      runInCell(ctx, () =>
        Reflect.apply(intrinsicThen, this.plugins.prepare(cell), [
          () => this.schedule(() => this.run(params, running, true)),
          (err: unknown) => running.settle({ status: 'error', error: this.pluginError(err), durationMs: elapsed() }),
        ]),
      );
      return;
    }
    let script: Script;
    let prologueLength: number;
    let typed: TypedCell | undefined;
    /** How the columns of the JavaScript the cell transform reads map back to the cell (types removed, decorators lowered). */
    let jsColumns: Columns | undefined;
    let using: TransformedCell['using'];
    try {
      const source = this.plugins.transform(params.code, cell);
      const typescript = params.language === 'typescript';
      // JSX where the kernel a notebook was written for had it: every Deno cell, and cells after a JSX pragma
      const jsx = this.jsx.forCell(source);
      // a JavaScript cell without a `<` before a name or `>` holds no JSX: it runs as written (and loads no compiler)
      const jsxInJs = !typescript && !!jsx && MAYBE_JSX.test(source);
      if (typescript || jsxInJs) {
        try {
          typed = typedCell(source, `${ctx.cellLabel}.${typescript ? 'ts' : 'js'}${jsx ? 'x' : ''}`, { typescript, jsx }, this.decorators, this.namespaces);
        } catch (err) {
          // a JavaScript cell the JSX compiler cannot read (syntax newer than it knows, `a <b` read as a tag) runs as
          // written, as it did before JSX: the runtime's own parser gives the error if there is one
          if (typescript || !(err instanceof CellSyntaxError)) throw err;
        }
      }
      // decorators and `accessor` compiled (no runtime has them yet); lines stay where they were
      const lowered = cellJavaScript(source, typed, this.decorators, !!jsx);
      jsColumns = lowered.columns;
      const js = lowered.code;
      // under a debugger (Debug Cell) the hooks would be extra steps on every line: that run is transformed without them
      const debugging = params.underDebugger === true || (this.kind === 'node' && inspectorUrl() !== undefined);
      const out = transformCell(js, {
        instrumentLines: ctx.instrument,
        trackAsync: debugging ? undefined : { awaitBase: this.awaits.base },
        loopHook: this.kind === 'deno' && !debugging ? ctx.executionId : undefined,
        importMeta: true,
        constants: this.constants.current,
      });
      using = out.using;
      this.awaits.register(out.awaits, { cellId: ctx.cellId, cellLabel: ctx.cellLabel, filename: ctx.filename });
      prologueLength = out.prologueLength;
      this.bindings.note(out.declared, ctx.cellId);
      this.constants.note(out);
      const columns = composeColumns(out.columns, jsColumns);
      this.mapper.register(ctx.filename, {
        cellId: ctx.cellId,
        cellLabel: ctx.cellLabel,
        executionId: ctx.executionId,
        prologueLength,
        lineCount: js.split('\n').length,
        columns,
        ...(ctx.script && { script: ctx.script }),
      });
      const code = params.source && this.debug ? this.debug.prepare(params.source, ctx.filename, out.code, js, prologueLength) : out.code;
      script = new vm.Script(code, { filename: ctx.filename, ...importOptions });
    } catch (err) {
      const error =
        err instanceof PluginFailure
          ? err.error
          : using && err instanceof SyntaxError && this.kind === 'node' && !hasUsing()
            ? this.usingUnsupported(using, ctx, jsColumns)
            : this.compileError(err, ctx, jsColumns ?? typed?.columns);
      running.settle({ status: 'error', error, durationMs: elapsed() });
      return;
    }
    enterCell(ctx);
    // from here until it settles, a loop that keeps the thread is the cell's: the watchdog stops it at once
    enterExecution(ctx.executionId);
    runInCell(ctx, () => {
      let completion: Promise<unknown[] | undefined>;
      // a loop of awaits stopped by an interrupt (loopStop.ts), whether or not the cell caught the stop: the interrupt
      // frame, read next, finds the cell settled
      const loopInterrupted = () => {
        // (a cell already settled, by the interrupt frame, is left alone: its cell may be running again by now)
        if (this.running !== running || !this.loopsStopped(ctx.executionId)) return false;
        this.timers.clear(ctx.cellId);
        this.awaitingInterruptFrame = true;
        running.settle({ status: 'interrupted', durationMs: elapsed() });
        return true;
      };
      const failed = (err: unknown) => {
        if (isLoopStop(err) && (loopInterrupted() || this.running !== running)) return;
        // afterExecute hooks see the failure too; the cell's own error is what it shows, reaching the top-level await
        // it came through (Bun's stacks stop at the function the cell awaited)
        const site = this.awaits.awaitedFrom(ctx.executionId, err);
        const error = withAsyncStack(this.mapper.serialize(err), site && { statement: site }, this.mapper);
        Reflect.apply(intrinsicThen, this.plugins.afterExecute(cell, { status: 'error', error: err }), [
          () => running.settle({ status: 'error', error, durationMs: elapsed() }),
          () => running.settle({ status: 'error', error, durationMs: elapsed() }),
        ]);
      };
      const syncPart = this.syncPart;
      syncPart?.enter(ctx.executionId);
      try {
        completion = script.runInThisContext() as Promise<unknown[] | undefined>;
      } catch (err) {
        syncPart?.leave(ctx.executionId);
        failed(err);
        return;
      }
      syncPart?.leave(ctx.executionId);
      // the intrinsic then: a cell may have replaced Promise.prototype.then (see createDispatcher)
      Reflect.apply(intrinsicThen, completion, [
        async (wrapped: unknown[] | undefined) => {
          if (loopInterrupted()) return;
          const value = wrapped ? wrapped[0] : undefined;
          try {
            // e.g. a cell that called ijavascript's $$.async() ends when it calls $$.done() (the Jupyter plugin)
            await this.plugins.afterExecute(cell, { status: 'ok', value });
            // a value that renders itself (Symbol.for('Jupyter.display'), ijavascript's _toHtml…, a plugin's
            // displayValue) is shown as its MIME bundle, instead of as a value
            const bundle = wrapped ? await this.plugins.displayValue(value) : undefined;
            if (bundle) {
              this.emitDisplay(ctx.cellId, ctx.executionId, bundleToDisplayData(bundle, 'result'));
              running.settle({ status: 'ok', durationMs: elapsed() });
              return;
            }
          } catch (err) {
            running.settle({ status: 'error', error: this.pluginError(err), durationMs: elapsed() });
            return;
          }
          const durationMs = elapsed();
          // a returned promise: let its settlement be seen before it is previewed (resultSeen, then followResult)
          const promise = wrapped && types.isPromise(value) ? value : undefined;
          if (promise) await this.resultSeen(promise, ctx);
          const result: ExecuteResult = { status: 'ok', durationMs };
          if (wrapped) result.value = this.describeResult(value, ctx);
          // before the result: a rejection already there reaches a host while the cell still runs (a runner does not
          // go on to the next cell first)
          if (promise) this.followResult(promise, ctx);
          running.settle(result);
        },
        failed,
      ]);
    });
  }

  /**
   * Lets the settlement of a promise a cell returned be seen before it is previewed: two microtask turns without a
   * handler of the kernel's, then, for one rejected by then, the runtime's own unhandled-rejection check before the
   * kernel's tracking handler is attached. So a rejection the cell handled (`p.catch(…); p`) is no error, as in Node's
   * REPL, and one it left alone reaches `onUncaught` as this cell's, before the result (a runner has it before it goes
   * on to the next cell).
   */
  private async resultSeen(promise: Promise<unknown>, ctx: CellContext): Promise<void> {
    await null;
    await null;
    const state = promiseSettlement(promise).state;
    // a pending one gets no handler here: followResult watches it
    if (state === 'pending') return;
    if (state === 'rejected' && this.claimRejection(promise)) {
      const unhandled = await this.settleWatch.checked(promise);
      if (unhandled) this.reportUncaught(unhandled.reason, ctx, 'result');
    }
    await settledSoon(promise);
  }

  /**
   * A promise a cell returned, still pending (one rejected already was left to the runtime's check: resultSeen): once
   * it settles its result is shown again, settled (`resultSettled`), where the pending one was, and a rejection the
   * cells did not handle is the cell's uncaught error (follow).
   */
  private followResult(promise: Promise<unknown>, ctx: CellContext): void {
    if (promiseSettlement(promise).state !== 'pending') return;
    this.follow(promise, ctx, 'result', () =>
      this.host.emit('resultSettled', { cellId: ctx.cellId, executionId: ctx.executionId, value: this.describeResult(promise, ctx) }),
    );
  }

  /**
   * Follows a pending promise the kernel shows (a cell's result, a scratch line's value): `settled` runs once it
   * settles, after what the cells printed meanwhile, and its rejection, unless the cells handled it, is reported as
   * `ctx`'s uncaught error, once per promise (the last line of a scratch cell is both). Watched without a handler
   * (SettleWatch.ts); where the runtime cannot, or after the watch's time, through a handler of the kernel's, which
   * then reports any rejection (the runtime would no longer report it).
   */
  private follow(promise: Promise<unknown>, ctx: CellContext, from: UncaughtFrom, settled: () => void): void {
    const reports = this.claimRejection(promise);
    const shown = () => {
      this.batcher.flush();
      settled();
    };
    const byHandler = () => {
      // first: its settlement is known when it is shown (promiseState.ts)
      trackPromise(promise);
      Reflect.apply(intrinsicThen, promise, [
        shown,
        (reason: unknown) => {
          shown();
          if (reports) this.reportUncaught(reason, ctx, from);
        },
      ]);
    };
    // watched without a handler: a rejection the cells handled is no error (SettleWatch.ts); one they did not is
    // reported, once, by the first that took it on
    const watched = this.settleWatch.watch(
      promise,
      (unhandled) => {
        Reflect.apply(intrinsicThen, settledSoon(promise), [
          () => {
            shown();
            if (reports && unhandled) this.reportUncaught(unhandled.reason, ctx, from);
          },
        ]);
      },
      byHandler,
    );
    if (!watched) byHandler();
  }

  /** True the first time the kernel takes on reporting `promise`'s rejection. */
  private claimRejection(promise: Promise<unknown>): boolean {
    if (Reflect.apply(weakHas, this.followed, [promise])) return false;
    Reflect.apply(weakAdd, this.followed, [promise]);
    return true;
  }

  private emitDisplay(cellId: string, executionId: number, data: DisplayData[], target?: DisplayTarget): void {
    this.batcher.flush();
    const event: DisplayEvent = { cellId, executionId, data: this.mask(data) };
    if (target?.displayId !== undefined) event.displayId = this.mask.text(target.displayId);
    if (target?.update) event.update = true;
    this.host.emit('display', event);
  }

  private pluginError(err: unknown) {
    return err instanceof PluginFailure ? err.error : this.mapper.serialize(err);
  }

  /** A top-level `using` where V8 lacks explicit resource management: it says only "Unexpected identifier". */
  private usingUnsupported(at: NonNullable<TransformedCell['using']>, ctx: CellContext, typeColumns?: Columns) {
    const message = codaErrorMessage('UsingUnsupported', { runtime: `Node ${process.version}` });
    return this.compileError(new CellSyntaxError(message, at.line, at.column, 'UsingUnsupported'), ctx, typeColumns);
  }

  private compileError(err: unknown, ctx: CellContext, typeColumns?: Columns) {
    if (err instanceof CellSyntaxError) {
      const column = typeColumns ? typeColumns.original(err.line, err.column) : err.column;
      return cellSyntaxError(err, { ...ctx, line: err.line, column });
    }
    return this.mapper.serialize(err);
  }

  private describe(value: unknown, cellId: string): RemoteValue {
    return describeValue(value, { registry: this.registry, cellId, mask: this.mask });
  }

  /** A cell's result, with its full text (ObjectValue.text); a scratch run shows its lines' values instead, and gets none. */
  private describeResult(value: unknown, ctx: CellContext): RemoteValue {
    return describeValue(value, {
      registry: this.registry,
      cellId: ctx.cellId,
      mask: this.mask,
      text: !ctx.instrument,
      frames: (text) => this.mapper.rewriteFrames(text),
    });
  }

  private lineValue(line: number, value: unknown): unknown {
    const cell = currentCell();
    if (cell) {
      this.batcher.flush();
      const { cellId, executionId } = cell;
      // a pending promise is shown again once it settles (lineSettled), as a cell's result is
      const promise = types.isPromise(value) && promiseSettlement(value).state === 'pending' ? value : undefined;
      const promiseId = promise ? ++this.linePromises : undefined;
      this.host.emit('lineValue', { cellId, executionId, line, value: this.describe(value, cellId), ...(promiseId !== undefined && { promiseId }) });
      if (promise && promiseId !== undefined) {
        this.follow(promise, cell, 'line', () => this.host.emit('lineSettled', { cellId, executionId, promiseId, value: this.describe(promise, cellId) }));
      }
    }
    return value;
  }

  private reportUncaught(err: unknown, cell: CellContext | undefined, from?: UncaughtFrom): void {
    // a stopped loop in work the cell did not await (loopStop.ts): the interrupt is the news
    if (isLoopStop(err)) return;
    this.batcher.flush();
    // the error's async stack: the work (timer, server, top-level statement…) it ran in, back to the cell line
    const error = this.mask(withAsyncStack(this.mapper.serialize(err), cell?.origin, this.mapper));
    const body: WorkerEvents['uncaught'] = { error };
    if (cell) {
      body.cellId = cell.cellId;
      body.executionId = cell.executionId;
    }
    if (from) body.from = from;
    this.host.emit('uncaught', body);
  }

  async expand(params: ExpandParams): Promise<PropertyPage> {
    // a settled promise's [[PromiseResult]] is read through a handler of the kernel's, attached now (never by a
    // preview, nor to a pending promise: its rejection would not be reported)
    const target = this.registry.get(params.handleId);
    if (types.isPromise(target) && promiseSettlement(target).state !== 'pending') await settledSoon(target);
    return expandValue(this.registry, params, this.mask, (stack) => this.mapper.rewriteFrames(stack));
  }

  release(cellId: string): number {
    return this.registry.releaseCell(cellId);
  }

  activeWork(): string[] {
    return this.io.pending();
  }

  exitCode(): number | undefined {
    return cellsExitCode();
  }

  variables(): VariablesResult {
    this.registry.releaseCell(VARIABLES_OWNER);
    return this.bindings.list(globalThis, (value) => this.describe(value, VARIABLES_OWNER));
  }

  pendingWork(): PendingWorkResult {
    const items = pendingWorkItems(this.awaits.list(), this.timers.list(), this.ioWork.list(), this.mapper);
    // descriptions carry addresses, URLs and awaited expressions, which may hold a secret (a token in a query string)
    return this.mask({ items });
  }

  cancelWork(id: string): boolean {
    return this.awaits.cancel(id) || this.timers.cancel(id) || this.ioWork.cancel(id);
  }

  interrupt(): void {
    const running = this.running;
    if (!running && this.awaitingInterruptFrame) {
      // the interrupt that stopped the last cell's loop (it settled it): nothing else is stopped
      this.awaitingInterruptFrame = false;
      return;
    }
    if (running) {
      this.timers.clear(running.ctx.cellId);
      running.settle({ status: 'interrupted', durationMs: performance.now() - running.started });
    } else {
      this.timers.clear();
    }
  }

  async dispose(): Promise<void> {
    this.debug?.dispose();
    this.settleWatch.dispose();
    this.batcher.flush(true);
    this.timers.clear();
    this.registry.clear();
    this.turns?.close();
  }
}

let usingSupported: boolean | undefined;
/** Whether this V8 has explicit resource management (`using`; Node 24 and later). */
function hasUsing(): boolean {
  if (usingSupported === undefined) {
    try {
      new vm.Script('{ using resource = null }');
      usingSupported = true;
    } catch {
      usingSupported = false;
    }
  }
  return usingSupported;
}
