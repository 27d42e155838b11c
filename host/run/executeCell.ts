/**
 * Runs one prepared cell and hands what became of it to the host's outputs: a cell whose import could not be
 * installed fails without running; otherwise its value, its error, an interrupt, or the kernel dying under it. The
 * notebook controller and scratch files share it. No vscode import.
 */
import { codaError, RequestError, type ExecuteParams, type RemoteValue, type SerializedError } from '../../protocol';
import type { Kernel } from '../kernel/Kernel';

/** Where a cell's failure came from: its own code, an import that could not be installed, or the kernel. */
export type FailureKind = 'cell' | 'import' | 'kernel';

export interface CellOutputs {
  /** The result (undefined for a statement). */
  value(value: RemoteValue | undefined): Promise<void> | void;
  error(error: SerializedError, kind: FailureKind): Promise<void> | void;
  interrupted(): Promise<void> | void;
}

/** True when the cell ran and ended well. */
export async function executeCell(kernel: Kernel, params: ExecuteParams, cellErrors: ReadonlyMap<string, SerializedError>, out: CellOutputs): Promise<boolean> {
  const failedImport = cellErrors.get(params.cellId);
  if (failedImport) {
    await out.error(failedImport, 'import');
    return false;
  }
  let result;
  try {
    result = await kernel.execute(params);
  } catch (err) {
    const error: SerializedError =
      err instanceof RequestError ? codaError('KernelExited', { reason: err.data.message }) : { name: 'Error', message: String(err) };
    await out.error(error, 'kernel');
    return false;
  }
  if (result.status === 'ok') {
    await out.value(result.value);
    return true;
  }
  if (result.status === 'error') await out.error(result.error, 'cell');
  else await out.interrupted();
  return false;
}
