/**
 * One isolated-vm Isolate and its context, with the prelude installed. Every call into the isolate (a cell's
 * script, a timer firing, a fetch result, an expansion) goes through one queue, so at most one runs at a time and
 * the queue knows when the isolate is busy. Only strings cross: `host` receives the prelude's JSON messages and
 * answers with JSON; `dispatch` (a Reference the host keeps, never exposed) takes JSON and returns JSON.
 *
 * Stopping running JavaScript: an inspector session on the isolate sends Runtime.terminateExecution (measured:
 * it stops a synchronous loop and keeps the context's state). A termination that arrives after the call it aimed
 * at already finished would kill the next call, so the next call is preceded by a throw-away evaluation. The
 * session lives only while it is needed: measured, a process whose isolate died at its memory limit while an
 * inspector session was open never finishes exiting (see `exitBlocked`).
 */
import type { IvmContext, IvmInspectorSession, IvmIsolate, IvmModule, IvmReference } from './ivmTypes';
import { PRELUDE_FILENAME, sandboxPrelude } from './prelude/sandboxPrelude';

/** Characters one message from the isolate may have; longer ones are refused unread. */
export const MAX_BRIDGE_MESSAGE_CHARS = 16 * 1024 * 1024;

export type CallOutcome =
  | { kind: 'ok'; value: unknown }
  /** Stopped by terminate() (an interrupt). */
  | { kind: 'terminated' }
  /** The run took longer than its `timeout`. */
  | { kind: 'timeout' }
  /** The isolate is gone (memory limit, or disposed). */
  | { kind: 'disposed'; outOfMemory: boolean }
  /** A cell's script that V8 would not compile (an early error the cell transform's parser allows). */
  | { kind: 'uncompiled'; thrown: unknown }
  /**
   * The call threw: isolated-vm ends a call by throwing the reason of the first promise rejected in it that was still
   * unhandled once its microtasks ran (the prelude catches what a cell or callback throws itself). `thrown` is
   * isolated-vm's copy: an Error's name, message and stack; a primitive as it is; any other object a generic Error.
   */
  | { kind: 'failed'; thrown: unknown };

export interface SandboxIsolateOptions {
  memoryMb: number;
  configJson: string;
  /** A JSON message from the prelude; returns the JSON answer. Runs synchronously while the isolate waits. */
  onMessage(json: string): string;
  onCatastrophicError(message: string): void;
}

export class SandboxIsolate {
  private tail: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private absorbTermination = false;
  private inspectorSeq = 0;
  private outOfMemory = false;
  private session: IvmInspectorSession | undefined;

  private constructor(
    private readonly isolate: IvmIsolate,
    private readonly context: IvmContext,
    private readonly dispatchRef: IvmReference,
  ) {}

  static async create(ivm: IvmModule, opts: SandboxIsolateOptions): Promise<SandboxIsolate> {
    const isolate = new ivm.Isolate({ memoryLimit: opts.memoryMb, inspector: true, onCatastrophicError: opts.onCatastrophicError });
    try {
      const context = await isolate.createContext({ inspector: true });
      const host = new ivm.Callback((json: unknown) => {
        try {
          if (typeof json !== 'string' || json.length > MAX_BRIDGE_MESSAGE_CHARS)
            return '{"error":{"name":"RangeError","message":"message refused by the host"}}';
          return opts.onMessage(json);
        } catch (err) {
          return JSON.stringify({ error: { name: 'Error', message: `host bridge failed: ${(err as Error).message}` } });
        }
      });
      const dispatchRef = (await context.evalClosure(`return ${sandboxPrelude()}($0, $1);`, [host, opts.configJson], {
        filename: PRELUDE_FILENAME,
        result: { reference: true },
      })) as IvmReference;
      return new SandboxIsolate(isolate, context, dispatchRef);
    } catch (err) {
      isolate.dispose();
      throw err;
    }
  }

  /** True while a call runs inside the isolate (a synchronous part of a cell, a timer callback...). */
  get busy(): boolean {
    return this.inFlight > 0;
  }

  get disposed(): boolean {
    return this.isolate.isDisposed;
  }

  /** True when the isolate died with an inspector session open: process.exit() would then never return. */
  get exitBlocked(): boolean {
    return this.isolate.isDisposed && this.session !== undefined;
  }

  /** Compiles and runs a cell's script (its synchronous part; completion is reported through the bridge). */
  runScript(code: string, filename: string, timeoutMs: number): Promise<CallOutcome> {
    let compiled = false;
    return this.enqueue(async () => {
      const script = await this.isolate.compileScript(code, { filename });
      compiled = true;
      return script.run(this.context, { timeout: timeoutMs || undefined, release: true });
    }).then((outcome) => (outcome.kind === 'failed' && !compiled ? { kind: 'uncompiled', thrown: outcome.thrown } : outcome));
  }

  /** Calls the prelude's dispatch with a message; `value` is its JSON answer. */
  call(message: unknown, timeoutMs = 0): Promise<CallOutcome> {
    return this.enqueue(() => this.dispatchRef.apply(undefined, [JSON.stringify(message)], { timeout: timeoutMs || undefined, result: { copy: true } }));
  }

  /** Stops the JavaScript running now, if any. */
  terminate(): void {
    if (!this.busy || this.disposed) return;
    this.absorbTermination = true;
    if (!this.session) {
      this.session = this.isolate.createInspectorSession();
      this.session.onResponse = () => undefined;
      this.session.onNotification = () => undefined;
    }
    this.session.dispatchProtocolMessage(JSON.stringify({ id: ++this.inspectorSeq, method: 'Runtime.terminateExecution' }));
  }

  dispose(): void {
    // measured: disposing the inspector session of an isolate that is already gone (memory limit) blocks forever
    if (this.isolate.isDisposed) return;
    this.closeSession();
    this.isolate.dispose();
  }

  private closeSession(): void {
    if (!this.session || this.isolate.isDisposed) return;
    try {
      this.session.dispose();
    } catch {
      // the session went with the isolate
    }
    this.session = undefined;
  }

  private enqueue(work: () => Promise<unknown>): Promise<CallOutcome> {
    const run = async (): Promise<CallOutcome> => {
      if (this.isolate.isDisposed) return { kind: 'disposed', outOfMemory: this.outOfMemory };
      this.inFlight++;
      try {
        if (this.absorbTermination) {
          this.absorbTermination = false;
          await this.context.eval('0').catch(() => undefined);
        }
        return { kind: 'ok', value: await work() };
      } catch (err) {
        return this.outcome(err);
      } finally {
        this.inFlight--;
        if (!this.inFlight) this.closeSession();
      }
    };
    const result = this.tail.then(run, run);
    this.tail = result;
    return result;
  }

  private outcome(err: unknown): CallOutcome {
    if (err === null || err === undefined) return { kind: 'terminated' };
    const message = err instanceof Error ? err.message : String(err);
    if (/memory limit/i.test(message)) this.outOfMemory = true;
    if (this.isolate.isDisposed || /disposed/i.test(message)) return { kind: 'disposed', outOfMemory: this.outOfMemory };
    if (/timed out/i.test(message)) return { kind: 'timeout' };
    return { kind: 'failed', thrown: err };
  }
}
