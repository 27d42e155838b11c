/**
 * "Debug the next run of this cell / scratch file": Debug Cell and Debug Scratch ask for it, the run attaches the
 * debugger once its kernel is ready (before the code starts) and ends the session when the run ends. A kernel that
 * cannot be debugged (Bun, the Sandbox) fails the run with DebugUnsupported, shown where the run's errors go.
 */
import type * as vscode from 'vscode';
import type { Kernel } from '../../host/kernel/Kernel';
import { RequestError } from '../../protocol';
import type { KernelDebugger } from './KernelDebugger';

export class DebugRuns {
  private readonly wanted = new Set<string>();
  private readonly active = new Map<string, Kernel>();

  constructor(private readonly debugger_: KernelDebugger) {}

  /** The next run of `key` (a cell's or a scratch file's URI) is debugged. */
  request(key: string): void {
    this.wanted.add(key);
  }

  /** The run of `key` is about to execute on `kernel`. */
  async before(key: string, kernel: Kernel, name: string, folder: vscode.WorkspaceFolder | undefined): Promise<void> {
    if (!this.wanted.delete(key)) return;
    try {
      await this.debugger_.attach(kernel, name, folder);
    } catch (err) {
      // the kernel's own error (DebugUnsupported, DebugOpenFailed) with its code
      throw err instanceof RequestError ? err.unwrap() : err;
    }
    this.active.set(key, kernel);
  }

  /** The run of `key` ended: its session ends too. */
  after(key: string): void {
    const kernel = this.active.get(key);
    if (!kernel) return;
    this.active.delete(key);
    void this.debugger_.detach(kernel);
  }
}
