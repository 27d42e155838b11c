/**
 * Runs a notebook's code cells in order in one kernel and reports each cell's outputs as they happen.
 * Shared by the text and JSON modes of `coda run`.
 */
import type { CodaCell, ConsoleEntry, DisplayData, ExecuteResult, RemoteValue, SerializedError } from '../protocol';
import { cellText } from '../protocol/codaFormat';
import type { Kernel } from '../worker/host/Kernel';

export interface CellReport {
  index: number;
  label: string;
  status: 'ok' | 'error' | 'interrupted' | 'timeout' | 'skipped';
  durationMs: number;
  console: ConsoleEntry[];
  display: DisplayData[][];
  value?: RemoteValue;
  error?: SerializedError;
}

export interface RunEvents {
  cellStarted?(report: CellReport, source: string): void;
  console?(entry: ConsoleEntry, owner: CellReport | undefined): void;
  display?(data: DisplayData[], owner: CellReport | undefined): void;
  uncaught?(error: SerializedError, owner: CellReport | undefined): void;
  cellFinished?(report: CellReport): void;
}

export interface RunSettings {
  cellTimeoutMs?: number;
  keepGoing: boolean;
  drainMs: number;
}

export async function runNotebook(kernel: Kernel, cells: CodaCell[], settings: RunSettings, events: RunEvents = {}): Promise<CellReport[]> {
  const reports: CellReport[] = [];
  const byId = new Map<string, CellReport>();
  const pendingWork = new Map<string, number>();
  const offs = [
    kernel.onEvent('console', ({ entries }) => {
      for (const e of entries) {
        const owner = byId.get(e.cellId);
        owner?.console.push(e);
        events.console?.(e, owner);
      }
    }),
    kernel.onEvent('display', (d) => {
      const owner = byId.get(d.cellId);
      owner?.display.push(d.data);
      events.display?.(d.data, owner);
    }),
    kernel.onEvent('uncaught', (u) => events.uncaught?.(u.error, u.cellId ? byId.get(u.cellId) : undefined)),
    kernel.onEvent('cellWork', (w) => pendingWork.set(w.cellId, w.pending)),
  ];
  try {
    let failed = false;
    for (const [index, cell] of cells.entries()) {
      if (cell.kind !== 'code') continue;
      const label = `[${index + 1}]`;
      const report: CellReport = { index, label, status: 'skipped', durationMs: 0, console: [], display: [] };
      reports.push(report);
      if (failed && !settings.keepGoing) continue;
      const cellId = `cell-${index + 1}`;
      byId.set(cellId, report);
      const source = cellText(cell);
      events.cellStarted?.(report, source);
      let result: ExecuteResult | 'timeout';
      try {
        result = await executeWithTimeout(kernel, { cellId, cellLabel: label, executionId: index + 1, code: source, language: cell.language === 'typescript' ? 'typescript' : 'javascript' }, settings.cellTimeoutMs);
      } catch (err) {
        // the kernel died under this cell: report it here, the rest cannot run
        report.status = 'error';
        report.error = { name: 'KernelExited', message: (err as Error).message.replace(/^execute failed: /, '') };
        events.cellFinished?.(report);
        break;
      }
      if (result === 'timeout') report.status = 'timeout';
      else {
        report.status = result.status;
        report.durationMs = result.durationMs;
        if (result.status === 'ok' && result.value) report.value = result.value;
        if (result.status === 'error') report.error = result.error;
      }
      if (report.status !== 'ok') failed = true;
      events.cellFinished?.(report);
    }
    await drain(pendingWork, settings.drainMs);
  } finally {
    offs.forEach((off) => off());
  }
  return reports;
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

/** Waits until no cell has background work left, at most `ms`. */
async function drain(pending: Map<string, number>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while ([...pending.values()].some((n) => n > 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}
