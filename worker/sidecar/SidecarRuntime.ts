/**
 * The Deno and Bun runtimes: cells run in a sidecar process (Deno or Bun running dist/sidecar-agent.mjs, a
 * NodeRuntime inside that runtime) that this worker starts and owns. Requests are forwarded as frames on the
 * sidecar's stdin, its events go to the host unchanged (Deno's permission errors read as PermissionDenied), and any
 * other output becomes console entries of the running cell. Interrupts: the agent takes them when its event loop is
 * free; a synchronous loop is terminated through Deno's inspector, and Bun, which cannot stop JavaScript, is killed.
 * When the sidecar ends on its own, the worker says why (EXIT_NOTICE) and exits, so the host starts a fresh kernel.
 * Debugging: Deno's through DenoDebug (a relay onto its inspector here, source maps and checkpoints in the agent).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  codaErrorObject,
  EXIT_NOTICE,
  type ExitNotice,
  RequestError,
  createChannel,
  createMasker,
  maskedLines,
  type Channel,
  type EventFrame,
  type ExecuteParams,
  type ExecuteResult,
  type ExpandParams,
  type HostRequests,
  type InitParams,
  type InitResult,
  type PendingWorkResult,
  type PropertyPage,
  type VariablesResult,
  type ResponseFrame,
  type WorkerEvents,
} from '../../protocol';
import type { Runtime, RuntimeHost } from '../runtime/Runtime';
import { encodeFrame, type AgentInitParams, type InterruptFrame, type StdinFrame } from '../../protocol/sidecar';
import { AgentOutput } from './AgentOutput';
import { RawOutputConsole } from './RawOutputConsole';
import { DenoDebug } from './DenoDebug';
import { cellHoldsDeno, denoEscalation } from './denoEscalation';
import { DenoInspector } from './DenoInspector';
import { mapDenoDenial } from './denoPermissionError';
import { SIDECAR_AGENT, displayName, heapLimitMb, sidecarCommand } from './sidecarCommand';
import { sidecarExitReason } from './sidecarExitReason';
import type { SidecarKind } from './sidecarModules';
import { stopLoops } from '../runtime/loopStop';
import { SyncClaims } from './SyncClaims';

/** How long the agent gets to take an interrupt itself before its JavaScript is terminated (Deno) or waited on (Bun). */
export const INTERRUPT_ACK_GRACE_MS = 40;
/** How many times an interrupt reads Deno's stack before the grace when the cell's frames are there but unclaimed. */
const STACK_READS = 3;
/** Bun cannot terminate JavaScript: how long a blocked Bun sidecar gets after an interrupt before it is killed. */
export const BUN_STOP_GRACE_MS = 1000;
/**
 * How long an interrupt Deno has not taken waits, unless user code holds the thread, before Deno's JavaScript is terminated
 * wherever it is (inside a timer callback, which ends Deno): denoEscalation.ts.
 */
export const DENO_ESCALATION_GRACE_MS = 1000;
/** How long the sidecar may take to print its inspector address and answer init. */
export const SIDECAR_START_TIMEOUT_MS = 20_000;
/** After the sidecar exits, how long its remaining output may take to arrive. */
export const OUTPUT_DRAIN_MS = 500;
/** After the exit notice, how long the worker waits for queued events to reach the host before it exits. */
export const EXIT_FLUSH_MS = 200;
/** Characters of the sidecar's stderr kept for exit reasons. */
export const STDERR_TAIL_CHARS = 8192;

/** Messages Deno prints about its inspector: logged, never shown as cell output. */
const INSPECTOR_LINES = /^(Debugger listening on |Visit chrome:\/\/inspect|Debugger session (started|ended)|Waiting for the debugger)/;
const INSPECTOR_URL = /Debugger listening on (ws:\/\/\S+)/;
/**
 * Deno's own progress while it fetches modules and packages (`Download https://registry…`, `Initialize …`), often
 * coloured: the log's business, not the cell's output (it used to show as red error lines in the cell).
 */
export const DENO_PROGRESS =
  /^(?:\x1b\[[0-9;]*m)*(?:Download(?:\x1b\[[0-9;]*m)* (?:\x1b\[[0-9;]*m)*(?:https?:\/\/|npm:|jsr:)|Initialize(?:\x1b\[[0-9;]*m)* (?:\x1b\[[0-9;]*m)*\S+@\S)/;
/** The secret part of the inspector's address (its path): only the worker may know it, so logs never show it. */
const INSPECTOR_PATH = /(ws:\/\/[^/\s]+\/)\S+/g;
/** Deno is ending but waits while a debugger is attached: the worker lets go so it can exit. */
const INSPECTOR_HOLDS_EXIT = /^Waiting for the debugger to disconnect/;

export class SidecarRuntime implements Runtime {
  readonly kind: SidecarKind;
  version = '';
  kernelId = '';
  private readonly channel: Channel<HostRequests, WorkerEvents>;
  private readonly responses = new Set<(frame: ResponseFrame) => void>();
  private readonly closers = new Set<(reason: string) => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly output: AgentOutput;
  private readonly raw: RawOutputConsole;
  private inspector: DenoInspector | undefined;
  /** Deno without declared permissions: claims on cells' synchronous parts, so an interrupt terminates at once. */
  private readonly claims: SyncClaims | undefined;
  /** Deno's inspector address: only this worker knows it (sidecarCommand.ts), and only DenoDebug's relay uses it. */
  private inspectorAddress: string | undefined;
  /** Debug Cell and checkpoints: Deno (DenoDebug); Bun has none (its inspector is WebKit's). */
  readonly debug: DenoDebug | undefined;
  private running: { cellId: string; executionId: number; cellLabel: string } | undefined;
  private lastCell: { cellId: string; executionId: number } | undefined;
  private interruptsSent = 0;
  private interruptsTaken = 0;
  private stoppedCell: string | undefined;
  private notice: ExitNotice | undefined;
  private stderrTail = '';
  /** The worker's stdin is being relayed to the agent's cells (stdinFlow). */
  private relaying = false;
  private started = false;
  private disposed = false;
  /** The worker is exiting (a shutdown ends it without dispose): the sidecar and the claims folder go with it. */
  private readonly killOnExit = () => {
    this.child.kill('SIGKILL');
    this.claims?.dispose();
  };

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly init: InitParams,
    private readonly host: RuntimeHost,
  ) {
    this.kind = init.runtime as SidecarKind;
    this.claims = this.kind === 'deno' && !init.permissions ? SyncClaims.create() : undefined;
    if (this.kind === 'deno')
      this.debug = new DenoDebug({
        inspector: () => (this.inspector?.open ? this.inspectorAddress : undefined),
        setCheckpoints: async (uri, checkpoints) => (await this.channel.request('setCheckpoints', { uri, checkpoints })).set,
      });
    this.raw = new RawOutputConsole(host);
    this.channel = createChannel<HostRequests, WorkerEvents>({
      send: (frame) => this.write(encodeFrame(frame, false)),
      onMessage: (l) => (this.responses.add(l), () => this.responses.delete(l)),
      onClose: (l) => (this.closers.add(l), () => this.closers.delete(l)),
    });
    // raw output (Deno.stdout.write, Bun.write, native code) is masked before it is split into lines or cut
    const mask = createMasker(init.maskedValues);
    this.output = new AgentOutput(
      {
        frame: (frame) => {
          // raw output printed before a frame is sent before it, so the cell's output keeps its order
          this.raw.flush();
          if (frame.kind === 'interrupted') this.interruptsTaken = Math.max(this.interruptsTaken, frame.n);
          else if (frame.kind === 'sync') this.claims?.started(frame.executionId);
          else if (frame.kind === 'stdinFlow') this.stdinFlow(frame.flowing);
          else if (frame.kind === 'response') this.responses.forEach((l) => l(frame));
          else this.forward(frame);
        },
        text: (line) => this.raw.line('log', line, this.running ?? this.lastCell),
        malformed: (line, error) =>
          host.emit('log', { level: 'error', message: `unreadable frame from the ${displayName(this.kind)} agent (${error}): ${line}` }),
      },
      mask,
    );
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => this.output.push(d));
    let partial = '';
    child.stderr.on('data', (d: string) => {
      const { lines, rest } = maskedLines(mask, partial + d, (line) => line.includes(EXIT_NOTICE));
      partial = rest;
      for (const line of lines) this.stderrLine(line);
    });
    child.stderr.on('end', () => partial && this.stderrLine(partial));
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => host.emit('log', { level: 'warn', message: `${displayName(this.kind)} process error: ${err.message}` }));
    child.once('exit', (code, signal) => void this.exited(code, signal));
    // the sidecar never outlives the worker (and exits by itself when its stdin closes)
    process.once('exit', this.killOnExit);
  }

  static async start(init: InitParams, host: RuntimeHost): Promise<SidecarRuntime> {
    const kind = init.runtime as SidecarKind;
    const name = displayName(kind);
    const setting = `coda.${kind}Path`;
    if (!init.runtimePath) throw codaErrorObject('SidecarBinaryNotSet', { runtime: name, setting });
    if (!existsSync(init.runtimePath)) throw codaErrorObject('SidecarBinaryMissing', { runtime: name, path: init.runtimePath, setting });
    if (kind === 'bun' && init.permissions) throw codaErrorObject('PermissionsUnsupported');
    const agent = join(__dirname, SIDECAR_AGENT);
    if (!existsSync(agent)) throw codaErrorObject('SidecarAgentMissing', { runtime: name, path: agent });
    const { command, args, env } = sidecarCommand(kind, init, agent);
    host.emit('log', { level: 'info', message: `starting ${name}: ${command} ${args.join(' ')}` });
    const child = spawn(command, args, { cwd: init.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const runtime = new SidecarRuntime(child, init, host);
    try {
      await runtime.connect();
      return runtime;
    } catch (err) {
      await runtime.dispose();
      const tail = runtime.stderrTail.trim().split('\n').slice(-5).join('\n');
      throw codaErrorObject('SidecarStartFailed', { runtime: name, path: init.runtimePath, detail: `${(err as Error).message}${tail ? `\n${tail}` : ''}` });
    }
  }

  private async connect(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let onClose: ((reason: string) => void) | undefined;
    let onError: ((err: Error) => void) | undefined;
    const failed = new Promise<never>((_, reject) => {
      onError = reject;
      this.child.once('error', onError);
      onClose = (reason) => reject(new Error(reason));
      this.closers.add(onClose);
      timer = setTimeout(() => reject(new Error(`no answer within ${SIDECAR_START_TIMEOUT_MS} ms`)), SIDECAR_START_TIMEOUT_MS);
    });
    try {
      if (this.kind === 'deno') {
        this.inspectorAddress = await Promise.race([this.inspectorUrl(), failed]);
        this.inspector = await Promise.race([DenoInspector.connect(this.inspectorAddress), failed]);
      }
      const { runtimePath: _binary, env: _env, ...hostInit } = this.init;
      const agentInit: AgentInitParams = { ...hostInit, syncClaims: this.claims?.dir };
      const info: InitResult = await Promise.race([this.channel.request('init', agentInit), failed]);
      this.version = info.runtimeVersion;
      this.kernelId = info.kernelId;
      this.started = true;
    } finally {
      clearTimeout(timer);
      this.closers.delete(onClose!);
      this.child.off('error', onError!);
      failed.catch(() => undefined);
    }
  }

  private inspectorUrl(): Promise<string> {
    return new Promise((resolve) => {
      let seen = '';
      const onData = (d: string) => {
        seen += d;
        const m = INSPECTOR_URL.exec(seen);
        if (!m) return;
        this.child.stderr.off('data', onData);
        resolve(m[1]!);
      };
      this.child.stderr.on('data', onData);
    });
  }

  async execute(params: ExecuteParams): Promise<ExecuteResult> {
    this.running = { cellId: params.cellId, executionId: params.executionId, cellLabel: params.cellLabel };
    this.lastCell = this.running;
    try {
      const result = await this.channel.request('execute', this.debug?.attached ? { ...params, underDebugger: true } : params);
      return result.status === 'error' && this.kind === 'deno' ? { ...result, error: mapDenoDenial(result.error, this.init.cwd) } : result;
    } catch (err) {
      // the sidecar is gone: the reason reads as it is, not wrapped in the worker's request name
      throw err instanceof RequestError ? err.unwrap() : err;
    } finally {
      this.output.flush();
      if (this.running?.executionId === params.executionId) this.running = undefined;
      this.claims?.settled(params.executionId);
    }
  }

  expand(params: ExpandParams): Promise<PropertyPage> {
    return this.channel.request('expand', params);
  }

  async activeWork(): Promise<string[]> {
    return (await this.channel.request('activeWork', {})).resources;
  }

  async exitCode(): Promise<number | undefined> {
    return (await this.channel.request('exitCode', {})).exitCode;
  }

  variables(): Promise<VariablesResult> {
    return this.channel.request('variables', {});
  }

  pendingWork(): Promise<PendingWorkResult> {
    return this.channel.request('pendingWork', {});
  }

  async cancelWork(id: string): Promise<boolean> {
    return (await this.channel.request('cancelWork', { id })).cancelled;
  }

  release(cellId: string): number {
    // the reply only counts handles; the host never waits on it
    this.channel.request('release', { cellId }).catch(() => undefined);
    return 0;
  }

  interrupt(): void {
    if (this.disposed || this.child.exitCode !== null) return;
    const n = ++this.interruptsSent;
    const frame: InterruptFrame = { kind: 'interrupt', n };
    try {
      this.write(encodeFrame(frame, false));
    } catch {
      return; // the sidecar is ending; exited() reports it
    }
    this.own(setTimeout(() => this.escalate(n), INTERRUPT_ACK_GRACE_MS));
    if (this.kind !== 'deno' || !this.running) return;
    // the cell's synchronous part holds Deno, and this worker holds the claim on it: it ends now (SyncClaims.ts)
    if (this.inspector?.open && this.claims?.claim(this.running.executionId) === 'claimed') this.inspector.terminateExecution();
    else void this.stopHeldThread(n, this.running.executionId);
  }

  /**
   * An interrupt `n` of a running cell on Deno, sent, that could not claim the cell's synchronous part: the inspector
   * reports the stack Deno is running. When it holds the cell's own frames outside a timer callback (a loop in the
   * cell), its JavaScript is terminated now instead of after the grace, on a claim where there are claims
   * (SyncClaims.ts): the synchronous part, announced meanwhile, is claimed; a part that ended may have ended after the
   * stack was read, so the stack is read again, and frames of the cell then are a loop after an await. Anything else
   * waits for the grace: Deno idle or in the agent's code (terminating then can end the agent's input loop), a timer
   * callback (Deno ends when one is terminated), or a loop of microtasks without a loop statement, which leaves no
   * frame to recognise. A loop that awaits is stopped by its own check.
   */
  private async stopHeldThread(n: number, executionId: number, reads = 0, endedBefore = false): Promise<void> {
    if (this.interruptsTaken >= n || this.disposed || !this.inspector) return;
    // first, in the same evaluation: the cell's loops of awaits stop at their next turn (worker/runtime/loopStop.ts);
    // when one is turning, that ends the cell and nothing is terminated
    const stack = await this.inspector.stackNow(reads === 0 ? stopLoops(executionId) : undefined);
    if (this.interruptsTaken >= n || this.disposed || stack === undefined || !cellHoldsDeno(stack)) return;
    const claim = this.claims?.claim(executionId);
    // no claims; the synchronous part claimed; or read after the part had ended: a loop after an await
    if (claim === undefined || claim === 'claimed' || (claim === 'ended' && endedBefore)) this.inspector.terminateExecution();
    // the part's announcement is on its way, or the part ended, maybe after this stack was read: read it again
    else if (reads + 1 < STACK_READS) void this.stopHeldThread(n, executionId, reads + 1, claim === 'ended');
  }

  /** The agent did not take interrupt `n`: its JavaScript is blocked in synchronous code. */
  private escalate(n: number, waited = INTERRUPT_ACK_GRACE_MS): void {
    if (this.interruptsTaken >= n || this.disposed) return;
    if (this.kind === 'deno') return void this.escalateDeno(n, waited);
    this.own(
      setTimeout(() => {
        if (this.interruptsTaken >= n || this.disposed) return;
        this.stoppedCell = this.running?.cellLabel ?? '';
        this.child.kill('SIGKILL');
      }, BUN_STOP_GRACE_MS),
    );
  }

  /** Deno has not taken interrupt `n` within `waited` ms: terminate its JavaScript now, or look again (denoEscalation.ts). */
  private async escalateDeno(n: number, waited: number): Promise<void> {
    if (!this.inspector?.open) {
      this.host.emit('log', { level: 'warn', message: "Deno's inspector is not connected: a blocking cell cannot be interrupted" });
      return;
    }
    const stack = await this.inspector.stackNow();
    if (this.interruptsTaken >= n || this.disposed) return;
    if (denoEscalation(stack, waited, DENO_ESCALATION_GRACE_MS, SIDECAR_AGENT) === 'terminate') this.inspector.terminateExecution();
    else this.own(setTimeout(() => this.escalate(n, waited + INTERRUPT_ACK_GRACE_MS), INTERRUPT_ACK_GRACE_MS));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.inspector?.close();
    this.claims?.dispose();
    await this.debug?.close();
    this.channel.close(`The ${displayName(this.kind)} kernel was stopped.`);
    process.off('exit', this.killOnExit);
    this.raw.flush();
    // a binary that could not be spawned has no process (and never emits 'exit')
    if (this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGKILL');
      await exited;
    }
  }

  private forward(frame: EventFrame): void {
    if (frame.event === 'uncaught' && this.kind === 'deno') {
      this.host.emit('uncaught', { ...frame.body, error: mapDenoDenial(frame.body.error, this.init.cwd) });
      return;
    }
    this.host.emit(frame.event, frame.body as never);
  }

  private stderrLine(line: string): void {
    if (line.startsWith(EXIT_NOTICE)) {
      try {
        this.notice = JSON.parse(line.slice(EXIT_NOTICE.length)) as ExitNotice;
      } catch {
        this.host.emit('log', { level: 'warn', message: `unreadable exit notice from ${displayName(this.kind)}` });
      }
      return;
    }
    if (INSPECTOR_HOLDS_EXIT.test(line)) {
      this.inspector?.close();
      void this.debug?.close();
    }
    this.stderrTail = (this.stderrTail + line.replace(INSPECTOR_PATH, '$1…') + '\n').slice(-STDERR_TAIL_CHARS);
    if (INSPECTOR_LINES.test(line)) this.host.emit('log', { level: 'debug', message: `[${this.kind}] ${line.replace(INSPECTOR_PATH, '$1…')}` });
    else if (this.kind === 'deno' && DENO_PROGRESS.test(line))
      this.host.emit('log', { level: 'info', message: `[deno] ${line.replace(/\x1b\[[0-9;]*m/g, '')}` });
    else if (this.started) this.raw.line('error', line, this.running ?? this.lastCell);
  }

  /**
   * The agent's cells read stdin (`flowing`) or have enough of it buffered: this worker's own stdin is relayed to them in
   * frames from the first read on, paused while they wait (`coda run`'s stdin, or one that has ended at once).
   */
  private stdinFlow(flowing: boolean): void {
    const stdin = process.stdin;
    if (!flowing) {
      stdin.pause();
      return;
    }
    if (!this.relaying) {
      this.relaying = true;
      const send = (frame: StdinFrame) => {
        if (this.child.stdin.writable) this.write(encodeFrame(frame, false));
      };
      stdin.on('data', (chunk: Buffer) => send({ kind: 'stdin', data: chunk.toString('base64') }));
      stdin.once('end', () => send({ kind: 'stdin', end: true }));
      // an unreadable stdin (a closed descriptor) is one that has ended
      stdin.once('error', () => send({ kind: 'stdin', end: true }));
    }
    stdin.resume();
  }

  private write(text: string): void {
    if (!this.child.stdin.writable) throw new Error(`the ${displayName(this.kind)} process is not running`);
    this.child.stdin.write(text);
  }

  private own(timer: NodeJS.Timeout): void {
    this.timers.add(timer);
    timer.unref();
  }

  /** The sidecar ended. Unless the worker stopped it, the kernel is gone: say why and end the worker too. */
  private async exited(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const drained = (s: NodeJS.ReadableStream) =>
      new Promise((resolve) => ((s as NodeJS.ReadableStream & { readableEnded: boolean }).readableEnded ? resolve(undefined) : s.once('end', resolve)));
    await Promise.race([Promise.all([drained(this.child.stdout), drained(this.child.stderr)]), new Promise((r) => setTimeout(r, OUTPUT_DRAIN_MS))]);
    this.output.flush();
    this.raw.flush();
    const interrupting = this.interruptsTaken < this.interruptsSent;
    const reason =
      this.notice?.reason ??
      sidecarExitReason({
        kind: this.kind,
        code,
        signal,
        stderrTail: this.stderrTail,
        stoppedCell: this.stoppedCell,
        interrupting,
        heapLimitMb: heapLimitMb(),
      });
    this.closers.forEach((l) => l(`The kernel ${reason}.`));
    if (this.disposed || !this.started) return;
    const exitCode = this.notice?.code ?? (code === null || code === 0 ? 1 : code);
    const notice: ExitNotice = { ...this.notice, code: exitCode, reason };
    // the cell that ran out of memory or crashed is named; an ending the interrupt caused is not the cell's doing
    if (!this.notice && this.running && this.stoppedCell === undefined && !interrupting) notice.cellId = this.running.cellId;
    this.host.emit('exiting', { code: exitCode, reason, cellId: notice.cellId });
    try {
      writeSync(2, `${EXIT_NOTICE}${JSON.stringify(notice)}\n`);
    } catch {
      // stderr closed: the host still sees the exit code
    }
    setTimeout(() => process.exit(exitCode), EXIT_FLUSH_MS);
  }
}
