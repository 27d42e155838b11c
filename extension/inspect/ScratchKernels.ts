/**
 * The kernels of scratch files, by file path, for the inspect views: recorded by wrapping the `startKernel` that
 * Run Scratch is given (so the scratch session itself is unchanged), forgotten when they exit.
 */
import type { InitParams } from '../../protocol';
import type { Kernel } from '../../host/kernel/Kernel';
import { observeExecutions } from './observeExecutions';

export class ScratchKernels {
  private readonly byPath = new Map<string, Kernel>();
  private readonly listeners = new Set<() => void>();

  /** The `startKernel` to hand to Run Scratch. */
  wrap(start: (init: InitParams) => Promise<Kernel>): (init: InitParams) => Promise<Kernel> {
    return async (init) => {
      const kernel = observeExecutions(await start(init), () => this.changed());
      this.byPath.set(init.documentPath, kernel);
      kernel.onExit(() => {
        if (this.byPath.get(init.documentPath) === kernel) this.byPath.delete(init.documentPath);
        this.changed();
      });
      this.changed();
      return kernel;
    };
  }

  get(documentPath: string): Kernel | undefined {
    const kernel = this.byPath.get(documentPath);
    return kernel?.alive ? kernel : undefined;
  }

  /** Called after a scratch kernel starts, runs a cell or exits; returns the unsubscribe function. */
  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}
