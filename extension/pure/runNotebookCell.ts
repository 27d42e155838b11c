/**
 * One notebook cell's run, without vscode: prepared (host/run/prepareRun.ts: trust, permissions and secrets,
 * packages, kernel), its old handles released, the kernel marked busy, executed (host/run/executeCell.ts), the kernel
 * settled, and what became of it written to the cell's outputs. A failure before the cell runs is a cell error; a
 * failed import names the cell (its frames), a refusal or a kernel that did not start is the notebook's.
 */
import type { ExecuteParams, RemoteValue, SerializedError } from '../../protocol';
import type { Kernel } from '../../host/kernel/Kernel';
import { executeCell } from '../../host/run/executeCell';
import { prepareRun, type PrepareRunPorts } from '../../host/run/prepareRun';
import type { NotebookRuns } from './NotebookRuns';

export interface NotebookCellOutputs {
  value(value: RemoteValue): Promise<void>;
  /** `cellLabel` is the running cell's (frames and messages name it); absent for a failure of the notebook's. */
  error(error: SerializedError, cellLabel?: string): Promise<void>;
  interrupted(): Promise<void>;
}

export type CellToRun = Pick<ExecuteParams, 'cellId' | 'executionId' | 'code' | 'language' | 'source'>;

/** True when the cell ran and ended well. */
export async function runNotebookCell(
  runs: NotebookRuns<unknown>,
  cell: CellToRun,
  order: number,
  ports: Omit<PrepareRunPorts<Kernel>, 'cellId'>,
  out: NotebookCellOutputs,
): Promise<boolean> {
  // frames and messages name a cell by its execution count, the number in its gutter (as Jupyter's In [n])
  const cellLabel = `[${order}]`;
  const prepared = await prepareRun({ ...ports, cellId: cell.cellId });
  if (!prepared.ok) {
    await out.error(prepared.error, prepared.stage === 'install' ? cellLabel : undefined);
    return false;
  }
  const kernel = prepared.kernel;
  await kernel.release(cell.cellId).catch(() => undefined);
  runs.busy(kernel);
  return executeCell(kernel, { ...cell, cellLabel }, prepared.cellErrors, {
    value: async (value) => {
      runs.settle(kernel);
      if (value && value.type !== 'undefined') await out.value(value);
    },
    error: async (error, kind) => {
      if (kind !== 'kernel') runs.settle(kernel);
      await out.error(error, cellLabel);
    },
    interrupted: async () => {
      runs.settle(kernel);
      await out.interrupted();
    },
  });
}
