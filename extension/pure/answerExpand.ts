/**
 * A renderer's `expand` request, answered without vscode: it goes to the live kernel that made the handle (by
 * `kernelId`); when that kernel is gone, or no longer knows the handle, the answer is `stale` and the renderer falls
 * back to the saved preview. A kernel busy running a cell is not asked (it would answer only after the cell).
 */
import type { HostToRenderer, RendererToHost } from '../../protocol';
import type { Kernel } from '../../host/kernel/Kernel';
import type { NotebookRuns } from './NotebookRuns';

export interface KernelLookup {
  /** The live kernel with this id, if any. */
  byKernelId(kernelId: string): Kernel | undefined;
  /** True while a cell of that kernel's notebook runs. */
  busy(kernelId: string): boolean;
  /** The notebook whose kernel this is (a renderer may expand only its own notebook's handles). */
  notebookOf?(kernelId: string): unknown;
}

/** The lookup over the notebooks' runs: a kernel that was restarted, replaced or closed is found no more. */
export function kernelsOf(all: () => Iterable<NotebookRuns<unknown>>): KernelLookup {
  const owner = (kernelId: string) => [...all()].find((runs) => runs.slot.kernel?.info.kernelId === kernelId);
  return {
    byKernelId: (kernelId) => owner(kernelId)?.slot.kernel,
    busy: (kernelId) => owner(kernelId)?.state?.kind === 'busy',
    notebookOf: (kernelId) => owner(kernelId)?.notebook,
  };
}

export async function answerExpand(
  kernels: KernelLookup,
  m: Extract<RendererToHost, { type: 'expand' }>,
  busyMessage: string,
  /** The notebook of the webview that asks: another notebook's kernel answers `stale`, as a gone one does. */
  asker?: unknown,
): Promise<Extract<HostToRenderer, { type: 'expandResult' }>> {
  const kernel = kernels.byKernelId(m.kernelId);
  if (!kernel || (asker !== undefined && kernels.notebookOf?.(m.kernelId) !== asker)) return { type: 'expandResult', requestId: m.requestId, stale: true };
  if (kernels.busy(m.kernelId)) return { type: 'expandResult', requestId: m.requestId, error: busyMessage };
  try {
    const page = await kernel.expand({ handleId: m.handleId, start: m.start, count: m.count });
    return { type: 'expandResult', requestId: m.requestId, page };
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    return { type: 'expandResult', requestId: m.requestId, stale: /stale handle/.test(text), error: text };
  }
}
