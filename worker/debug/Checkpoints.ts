/**
 * Checkpoints (HostRequests `setCheckpoints`, WorkerEvents `checkpointHits`): a line whose expression is recorded
 * each time execution passes it — from the cell, a timer or a callback, also long after the cell ended — without
 * pausing. Each is a V8 breakpoint, set through the kernel's own in-process inspector session (no socket,
 * inspectorSession.ts), whose condition calls the recorder and returns false, so V8 evaluates it in the frame and never
 * stops. The session's debugger is enabled only while some checkpoint is set (it costs nothing otherwise). Hits go to
 * the host in batches, at most one event per CHECKPOINT_EVENT_MS.
 *
 * Node's in-process session answers within `post`; Deno's on a later turn of the event loop (its messages are still
 * handled in order, at once). So a replacement of a document's checkpoints waits until every earlier message is
 * answered: then the ids of the breakpoints it removes are known.
 */
import type inspector from 'node:inspector';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { CHECKPOINT_EVENT_MS, type CellSource, type CheckpointHits, type CheckpointSpec, type Masker } from '../../protocol';
import { CheckpointLog } from './CheckpointLog';
import type { SessionSource } from './inspectorSession';
import { randomUUID } from '../runtime/randomUUID';

const realSetTimeout = setTimeout;

/** Scripts remembered per document (older runs' functions may still run from timers). */
export const SCRIPTS_PER_DOCUMENT = 50;

interface CellScript {
  url: string;
  lineOffset: number;
  lineCount: number;
  prologueLength: number;
}

/** What util.inspect may do with a recorded value: no getter, Proxy trap or custom inspect function runs. */
const INSPECT = { depth: 2, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 200, customInspect: false, getters: false, showProxy: true } as const;

export class Checkpoints {
  private readonly log = new CheckpointLog();
  private readonly scripts = new Map<string, CellScript[]>();
  /** document URI → V8 breakpoint ids. */
  private readonly breakpoints = new Map<string, string[]>();
  private session: inspector.Session | undefined;
  /** The debugger is enabled in the session (some checkpoint is set). */
  private active = false;
  /** Messages posted and not answered yet, and the replacements waiting for them. */
  private unanswered = 0;
  private readonly waiting: (() => void)[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private recorderName: string | undefined;
  /**
   * The recorder's global name: random, so a cell cannot guess it before a checkpoint exists; drawn when first needed,
   * not when the kernel starts (randomUUID.ts).
   */
  private get recorder(): string {
    return (this.recorderName ??= `__coda_checkpoint_${randomUUID().replace(/-/g, '')}`);
  }

  constructor(
    private readonly emit: (checkpoints: CheckpointHits[]) => void,
    private readonly mask: Masker,
    private readonly connect: SessionSource,
  ) {}

  /** A cell script about to run (`url`: its filename): the document's checkpoints are set in it too. */
  scriptAdded(source: CellSource, url: string, lineCount: number, prologueLength: number): void {
    const list = this.scripts.get(source.uri) ?? [];
    // V8 names a script compiled from an absolute filename by its file URL
    const script: CellScript = { url: pathToFileURL(url).href, lineOffset: source.lineOffset ?? 0, lineCount, prologueLength };
    list.push(script);
    if (list.length > SCRIPTS_PER_DOCUMENT) list.shift();
    this.scripts.set(source.uri, list);
    if (this.active) this.place(source.uri, [script]);
  }

  /** Replaces a document's checkpoints; returns how many are set (throws when the kernel has no session). */
  set(uri: string, specs: CheckpointSpec[]): number {
    if (specs.length) this.session ??= this.connect();
    if (this.unanswered > 0) this.waiting.push(() => this.replace(uri, specs));
    else this.replace(uri, specs);
    return specs.length;
  }

  dispose(): void {
    this.stop();
    this.session?.disconnect();
    this.session = undefined;
  }

  private replace(uri: string, specs: CheckpointSpec[]): void {
    for (const bp of this.breakpoints.get(uri) ?? []) this.post('Debugger.removeBreakpoint', { breakpointId: bp });
    this.breakpoints.delete(uri);
    this.log.set(uri, specs);
    if (this.log.size === 0) return this.stop();
    this.start();
    this.place(uri, this.scripts.get(uri) ?? []);
  }

  private start(): void {
    if (this.active) return;
    this.active = true;
    Object.defineProperty(globalThis, this.recorder, {
      value: (id: string, read: () => unknown) => {
        try {
          this.record(id, read());
        } catch (err) {
          this.record(id, err, true);
        }
        return false;
      },
      configurable: true,
      enumerable: false,
      writable: false,
    });
    this.post('Debugger.enable');
  }

  /** Disabling the debugger removes every breakpoint the session set. */
  private stop(): void {
    if (!this.active) return;
    this.active = false;
    this.breakpoints.clear();
    this.post('Debugger.disable');
    Reflect.deleteProperty(globalThis, this.recorder);
  }

  /** One V8 breakpoint per script line: V8 refuses a second one at the same place, so its condition records them all. */
  private place(uri: string, scripts: CellScript[]): void {
    const ids = this.breakpoints.get(uri) ?? [];
    this.breakpoints.set(uri, ids);
    for (const s of scripts) {
      const atLine = new Map<number, CheckpointSpec[]>();
      for (const spec of this.log.specs(uri)) {
        const line = spec.line - s.lineOffset + (spec.after ? 1 : 0);
        if (line < 0 || line >= s.lineCount + (spec.after ? 1 : 0)) continue;
        atLine.set(line, [...(atLine.get(line) ?? []), spec]);
      }
      for (const [line, specs] of atLine) {
        const params: Record<string, unknown> = { url: s.url, lineNumber: line, condition: this.condition(specs) };
        if (line === 0) params.columnNumber = s.prologueLength;
        this.post('Debugger.setBreakpointByUrl', params, (r) => ids.push((r as { breakpointId: string }).breakpointId));
      }
    }
  }

  /**
   * Evaluated by V8 in the frame: hands the recorder each expression as a closure over the frame, and is false, so
   * V8 never stops. (A condition is evaluated through V8's debug-evaluate: about 0.1 ms a hit, see `npm run bench`.)
   */
  private condition(specs: CheckpointSpec[]): string {
    const r = `globalThis[${JSON.stringify(this.recorder)}]`;
    return specs.map((spec) => `${r}?.(${JSON.stringify(spec.id)}, () => (${spec.expression}\n))`).join(', ');
  }

  private record(id: string, value: unknown, error?: boolean): void {
    let text: string;
    try {
      text = error && value instanceof Error ? `${value.name}: ${value.message}` : inspect(value, INSPECT);
    } catch {
      text = '<value could not be shown>';
    }
    if (!this.log.record(id, this.mask(text), error)) return;
    if (!this.flushTimer) {
      this.flushTimer = realSetTimeout(() => this.flush(), CHECKPOINT_EVENT_MS);
      this.flushTimer.unref();
    }
  }

  private flush(): void {
    this.flushTimer = undefined;
    const changed = this.log.takeChanged();
    if (changed.length) this.emit(changed);
  }

  /** Posts with a callback always: Deno's session sends nothing for a message posted without one. */
  private post(method: string, params: object = {}, answered?: (result: object) => void): void {
    if (!this.session) return;
    this.unanswered++;
    this.session.post(method, params, (err, result) => {
      this.unanswered--;
      if (!err && result) answered?.(result);
      if (this.unanswered === 0) for (const replace of this.waiting.splice(0)) replace();
    });
  }
}
