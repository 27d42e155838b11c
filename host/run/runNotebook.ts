/**
 * Runs a notebook's code cells in order and reports every cell, as they happen, with what became of it: ran,
 * failed, or not run and why (markdown, an earlier failure without --keep-going, no kernel). A kernel that dies —
 * under a cell, or between cells from a timer — is reported on the cell it died under or after; with --keep-going
 * the next cell starts a fresh kernel. Nothing is dropped. Shared by the text and JSON modes of `coda run`.
 */
import {
  codaError,
  pushConsoleEntry,
  RequestError,
  type CodaCell,
  type ConsoleEntry,
  type DisplayData,
  type ExecuteResult,
  type RemoteValue,
  type ScriptPlace,
  type SerializedError,
  type UncaughtFrom,
} from '../../protocol';
import { cellText } from '../../protocol/codaFormat';
import type { Kernel } from '../kernel/Kernel';
import { DisplayIds } from './DisplayIds';
import { ended as kernelEnded } from './KernelSlot';

export type CellStatus = 'ok' | 'error' | 'interrupted' | 'timeout' | 'skipped';
export type NotRunReason = 'markdown' | 'after-failure' | 'no-kernel';

export interface CellReport {
  index: number;
  label: string;
  kind: CodaCell['kind'];
  status: CellStatus;
  /** Why a cell was not run (status 'skipped'). */
  notRun?: { reason: NotRunReason; message: string };
  /** Which kernel ran it: 1 for the first, 2 after the first restart, … */
  kernel?: number;
  /** The kernel died while this cell ran (`during`) or after it finished, from work the cell left behind. */
  kernelExit?: { reason: string; during: boolean };
  durationMs: number;
  console: ConsoleEntry[];
  /** The cell's display outputs, each as it is last shown (a display id's later updates replace its data here). */
  display: DisplayData[][];
  value?: RemoteValue;
  error?: SerializedError;
  /**
   * Errors its background work threw after its code had run (a promise rejected with no handler, an exception in a
   * timer): the cell counts as failed, as Node ends a script with exit code 1 for one.
   */
  uncaught?: SerializedError[];
  /** One of `uncaught` is the rejection of the promise the cell returned (`main()` as its last line). */
  resultRejected?: boolean;
}

export interface RunEvents {
  kernelStarted?(kernel: Kernel, ordinal: number): void;
  /** An unexpected kernel exit, reported once per kernel; `restart` when a later cell will get a fresh kernel. */
  kernelExited?(reason: string, cell: CellReport | undefined, restart: boolean): void;
  cellStarted?(report: CellReport, source: string): void;
  console?(entry: ConsoleEntry, owner: CellReport | undefined): void;
  /**
   * A display output, or (`update`) new data for the outputs already shown with its display id, listed in `updated`
   * (none: nothing shows, as in Jupyter). A display with an id that was shown before updates those outputs too.
   */
  display?(data: DisplayData[], owner: CellReport | undefined, change: DisplayChange): void;
  /** `from`: the error is the rejection of the promise the owner returned (`result`), not of its background work. */
  uncaught?(error: SerializedError, owner: CellReport | undefined, from?: UncaughtFrom): void;
  /** A promise the cell returned has settled: `owner.value` is now its settled result (a rejection is also `uncaught`). */
  resultSettled?(owner: CellReport): void;
  cellFinished?(report: CellReport): void;
  /** After the last cell, the run stopped waiting for background work that was still going. */
  workLeft?(left: WorkLeft): void;
  /** After the last cell and its background work: the exit code the cells set for the kernel's process (`process.exitCode`). */
  exitCode?(code: number): void;
}

/** Background work still going when `coda run` stopped waiting for it (--drain): it ends with the kernel. */
export interface WorkLeft {
  /** How long the run waited for it, in ms. */
  waitedMs: number;
  /** Cells whose timers were still pending: how many, and of which kinds (`timeout`, `interval`, `immediate`). */
  cells: { label: string; pending: number; kinds: string[] }[];
  /** I/O still open, by libuv resource type (servers, never waited for, left out). */
  io: string[];
}

export interface DisplayChange {
  displayId?: string;
  update: boolean;
  /** The cells whose outputs the display replaced. */
  updated: CellReport[];
}

export interface RunSettings {
  cellTimeoutMs?: number;
  keepGoing: boolean;
  drainMs: number;
  /** Cells that fail without running (an import that could not be installed), by cell id `cell-<position>`. */
  cellErrors?: Map<string, SerializedError>;
  /** The notebook is a script split at its `// %%` lines: where each cell is in it, by position (host/notebook/scriptNotebook.ts). */
  scriptPlaces?: readonly ScriptPlace[];
}

/**
 * A cell counts as failed when it ran and did not end 'ok', when its background work threw, when the kernel died under
 * or after it, or when no kernel could run it.
 */
export function cellFailed(r: CellReport): boolean {
  return (r.status !== 'ok' && r.status !== 'skipped') || !!r.uncaught?.length || !!r.kernelExit || r.notRun?.reason === 'no-kernel';
}

export async function runNotebook(startKernel: () => Promise<Kernel>, cells: CodaCell[], settings: RunSettings, events: RunEvents = {}): Promise<CellReport[]> {
  const reports: CellReport[] = [];
  const byId = new Map<string, CellReport>();
  /** Each cell's background work as the kernel last reported it: how many timers are pending, and their kinds. */
  const pendingWork = new Map<string, { pending: number; kinds: string[] }>();
  const kernels: Kernel[] = [];
  let kernel: Kernel | undefined;
  let startError: string | undefined;
  let running: CellReport | undefined;
  let lastRan: CellReport | undefined;
  let failedAt: CellReport | undefined;
  // a kernel that said it is ending ('exiting', e.g. its Deno or Bun sidecar died) or whose execute failed: the
  // next cell waits for it to end and gets a fresh one
  let dying: Kernel | undefined;
  const reported = new Set<Kernel>();
  const died = (k: Kernel, reason: string, cellId: string | undefined) => {
    dying = k;
    if (reported.has(k)) return;
    reported.add(k);
    // the dead kernel's background work is gone with it
    pendingWork.clear();
    // the cell that called process.exit (from the exit notice), else the one running, else the last that ran
    const owner = (cellId ? byId.get(cellId) : undefined) ?? running ?? lastRan;
    for (const r of new Set([owner, running])) if (r && !r.kernelExit) r.kernelExit = { reason, during: r === running };
    failedAt ??= owner;
    events.kernelExited?.(reason, owner, settings.keepGoing);
  };
  const subscribe = (k: Kernel) => {
    // where each display id of this kernel is shown: its updates replace the data in the reports
    const displays = new DisplayIds<{ report: CellReport; index: number }>();
    return [
      k.onEvent('console', ({ entries }) => {
        for (const e of entries) {
          const owner = byId.get(e.cellId);
          // a write without a line end and the text that continues it are one line in the report
          if (owner) pushConsoleEntry(owner.console, e);
          events.console?.(e, owner);
        }
      }),
      k.onEvent('display', (d) => {
        const owner = byId.get(d.cellId);
        const route = displays.route(d);
        for (const t of route.replace) t.report.display[t.index] = d.data;
        if (route.add && owner) {
          owner.display.push(d.data);
          if (d.displayId !== undefined) displays.add(d.displayId, { report: owner, index: owner.display.length - 1 });
        }
        const updated = [...new Set(route.replace.map((t) => t.report))];
        if (route.add || updated.length) events.display?.(d.data, owner, { displayId: d.displayId, update: !route.add, updated });
      }),
      k.onEvent('uncaught', (u) => {
        const owner = u.cellId ? byId.get(u.cellId) : undefined;
        // kept in the report of the cell whose work it was, else of the cell running, else the last that ran
        const holder = owner ?? running ?? lastRan;
        if (holder) {
          (holder.uncaught ??= []).push(u.error);
          if (u.from === 'result' && holder === owner) holder.resultRejected = true;
          failedAt ??= holder;
        }
        events.uncaught?.(u.error, owner, u.from);
      }),
      k.onEvent('resultSettled', (r) => {
        const owner = byId.get(r.cellId);
        if (!owner) return;
        owner.value = r.value;
        events.resultSettled?.(owner);
      }),
      k.onEvent('cellWork', (w) => pendingWork.set(w.cellId, { pending: w.pending, kinds: w.kinds })),
      k.onEvent('exiting', (e) => died(k, e.reason, e.cellId)),
      k.onExit((exit) => {
        if (!exit.expected) died(k, exit.reason, exit.cellId);
      }),
    ];
  };
  const offs: (() => void)[] = [];
  const useKernel = async (): Promise<Kernel | undefined> => {
    if (kernel && (kernel === dying || !kernel.alive)) {
      await ended(kernel);
      kernel = undefined;
    }
    if (kernel) return kernel;
    if (startError !== undefined) return undefined;
    try {
      kernel = await startKernel();
    } catch (err) {
      startError = (err as Error).message;
      return undefined;
    }
    kernels.push(kernel);
    offs.push(...subscribe(kernel));
    events.kernelStarted?.(kernel, kernels.length);
    return kernel;
  };
  try {
    for (const [index, cell] of cells.entries()) {
      const label = `[${index + 1}]`;
      const report: CellReport = { index, label, kind: cell.kind, status: 'skipped', durationMs: 0, console: [], display: [] };
      reports.push(report);
      if (cell.kind !== 'code') {
        // a Jupyter raw cell is kept as a markup cell that remembers its type (host/notebook/ipynb.ts)
        const raw = (cell.metadata?.ipynb as { cellType?: unknown } | undefined)?.cellType === 'raw';
        report.notRun = { reason: 'markdown', message: raw ? 'a raw cell' : 'a markdown cell' };
        continue;
      }
      if (startError !== undefined) {
        report.notRun = { reason: 'no-kernel', message: `the kernel could not be started: ${startError}` };
        continue;
      }
      if (failedAt && !settings.keepGoing) {
        report.notRun = { reason: 'after-failure', message: `${whyStopped(failedAt)} (--keep-going runs the cells after a failure)` };
        continue;
      }
      const cellId = `cell-${index + 1}`;
      const before = settings.cellErrors?.get(cellId);
      if (before) {
        report.status = 'error';
        report.error = before;
        failedAt ??= report;
        events.cellStarted?.(report, cellText(cell));
        events.cellFinished?.(report);
        continue;
      }
      const k = await useKernel();
      if (!k) {
        report.notRun = { reason: 'no-kernel', message: `the kernel could not be started: ${startError}` };
        failedAt ??= report;
        continue;
      }
      byId.set(cellId, report);
      report.kernel = kernels.length;
      const source = cellText(cell);
      running = report;
      events.cellStarted?.(report, source);
      try {
        const result = await executeWithTimeout(
          k,
          {
            cellId,
            cellLabel: label,
            executionId: index + 1,
            code: source,
            language: cell.language === 'typescript' ? 'typescript' : 'javascript',
            ...(settings.scriptPlaces?.[index] && { script: settings.scriptPlaces[index] }),
          },
          settings.cellTimeoutMs,
        );
        if (result === 'timeout') report.status = 'timeout';
        else {
          report.status = result.status;
          report.durationMs = result.durationMs;
          if (result.status === 'ok' && result.value) report.value = result.value;
          if (result.status === 'error') report.error = result.error;
        }
      } catch (err) {
        // only a kernel that died (or is ending) fails an execute: this cell ran into it
        report.status = 'error';
        const said = err instanceof RequestError ? err.data.message : String(err);
        report.error = codaError('KernelExited', { reason: said });
        // the exit's own reason (known before the channel fails its requests), else the channel's sentence
        let reason = said;
        k.onExit((exit) => (reason = exit.reason))();
        report.kernelExit ??= { reason, during: true };
        died(k, reason, undefined);
      } finally {
        running = undefined;
        lastRan = report;
      }
      if (cellFailed(report)) failedAt ??= report;
      events.cellFinished?.(report);
    }
    if (kernel?.alive && kernel !== dying) {
      const k = kernel;
      const started = Date.now();
      const io = await drain(
        pendingWork,
        () => k.activeWork().catch(() => []),
        settings.drainMs,
        () => !kernel?.alive || kernel === dying,
      );
      const cells = [...pendingWork].filter(([, w]) => w.pending > 0).map(([cellId, w]) => ({ label: byId.get(cellId)?.label ?? cellId, ...w }));
      if (kernel?.alive && kernel !== dying && (cells.length || io.length)) events.workLeft?.({ waitedMs: Date.now() - started, cells, io });
      const code = kernel?.alive && kernel !== dying ? await k.exitCode().catch(() => undefined) : undefined;
      if (code !== undefined) events.exitCode?.(code);
    }
  } finally {
    offs.forEach((off) => off());
    await Promise.all(kernels.map((k) => k.dispose()));
  }
  return reports;
}

/** Why the cells after `r` were not run, in words. */
function whyStopped(r: CellReport): string {
  if (r.kernelExit) return `the kernel exited ${r.kernelExit.during ? 'under' : 'after'} cell ${r.label}`;
  if (r.status === 'interrupted') return `cell ${r.label} was interrupted`;
  if (r.status === 'timeout') return `cell ${r.label} timed out`;
  if (r.status === 'ok' && r.uncaught?.length)
    return r.resultRejected ? `the promise cell ${r.label} returned was rejected` : `the background work of cell ${r.label} threw`;
  return `cell ${r.label} failed`;
}

/** Waits for a dying kernel to end by itself (so its exit reason is known), then makes sure it is gone. */
async function ended(k: Kernel): Promise<void> {
  if (k.alive) await kernelEnded(k);
  await k.dispose();
}

async function executeWithTimeout(kernel: Kernel, params: Parameters<Kernel['execute']>[0], timeoutMs?: number): Promise<ExecuteResult | 'timeout'> {
  if (!timeoutMs) return kernel.execute(params);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    kernel.interrupt();
  }, timeoutMs);
  try {
    const result = await kernel.execute(params);
    return timedOut ? 'timeout' : result;
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until no cell has background work left (or the kernel is gone), at most `ms`. */
/** Servers listen until closed: waiting for them would only delay the exit by the whole --drain time. */
const NEVER_DONE = new Set(['TCPServerWrap', 'PipeServerWrap']);

/**
 * Waits (at most `ms`) until the cells' timers and their pending I/O (file reads, DNS, child processes, requests)
 * are done; a callback that starts more work is waited for too. Resolves with the I/O still open when it stopped
 * waiting (none when all was done).
 */
async function drain(pending: Map<string, { pending: number }>, io: () => Promise<string[]>, ms: number, gone: () => boolean): Promise<string[]> {
  const end = Date.now() + ms;
  let open: string[] = [];
  const busy = async () => {
    open = (await io()).filter((t) => !NEVER_DONE.has(t));
    return [...pending.values()].some((w) => w.pending > 0) || open.length > 0;
  };
  let quiet = 0;
  // quiet twice in a row: a callback that just ran may have started more work. The kernel answers each question in
  // a later turn of its event loop than the one before, after the immediates and microtasks queued in between ran
  // (timers, even of 0 ms, are active work); so the second question follows the first at once (a timer of 1 ms here
  // cost 1.2–1.4 ms of every run), and only a busy answer waits before the next
  while (quiet < 2 && !gone() && Date.now() < end) {
    quiet = (await busy()) ? 0 : quiet + 1;
    if (quiet === 0) await new Promise((r) => setTimeout(r, 20));
  }
  return quiet < 2 && !gone() ? open : [];
}
