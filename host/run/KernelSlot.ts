/**
 * The kernel of one notebook or scratch file: started on the first run, reused while it lives and was started with
 * the same launch key (runtime, permissions, secrets), replaced when the key changes (its state cannot carry over),
 * after it died, or once it announced its end (`exiting`: the next run waits for it to go and gets a fresh one).
 * No vscode import: the notebook controller and scratch files share it.
 */
import type { Kernel, KernelExit } from '../kernel/Kernel';

/** How long a kernel that announced its end may take to exit before it is stopped. */
export const DYING_GRACE_MS = 5000;

export interface SlotEvents {
  /** A start began (the status bar shows "starting"). */
  starting?(): void;
  /** A kernel started and is the slot's kernel now. */
  started?(kernel: Kernel): void;
  /** The start failed. */
  startFailed?(err: unknown): void;
  /** The slot's kernel ended or announced its end, not because the slot stopped it. */
  ended?(kernel: Kernel, reason: string): void;
}

export class KernelSlot {
  private current: Kernel | undefined;
  /** Ensures run one after another (two cells asking at once get one kernel). */
  private turn: Promise<unknown> = Promise.resolve();
  private key: string | undefined;
  /** The current kernel said it is ending (`exiting`). */
  private dying = false;
  private offs: (() => void)[] = [];
  private disposed = false;

  constructor(private readonly events: SlotEvents = {}) {}

  /** The live kernel, if any (one that announced its end is not). */
  get kernel(): Kernel | undefined {
    return this.current?.alive && !this.dying ? this.current : undefined;
  }

  /** The kernel for `key`: the current one, or a fresh one from `start` (the old one stopped first). One at a time. */
  ensure(key: string, start: () => Promise<Kernel>): Promise<Kernel> {
    const next = this.turn.then(() => this.ensureNow(key, start));
    this.turn = next.catch(() => undefined);
    return next;
  }

  private async ensureNow(key: string, start: () => Promise<Kernel>): Promise<Kernel> {
    const live = this.kernel;
    if (live && this.key === key) return live;
    await this.stop();
    this.key = key;
    this.events.starting?.();
    let kernel: Kernel;
    try {
      kernel = await start();
    } catch (err) {
      this.events.startFailed?.(err);
      throw err;
    }
    if (this.disposed) {
      // the document went while its kernel started: no process is left behind
      await kernel.dispose();
      throw new Error('The kernel was stopped: its document was closed.');
    }
    this.adopt(kernel);
    this.events.started?.(kernel);
    return kernel;
  }

  /** Stops the kernel (a dying one gets DYING_GRACE_MS to end by itself, so its exit reason is known). */
  async stop(): Promise<void> {
    const old = this.current;
    const dying = this.dying;
    this.release();
    if (!old) return;
    if (dying && old.alive) await ended(old);
    await old.dispose();
  }

  /** Interrupts the running cell of the kernel, if there is one. */
  interrupt(): void {
    this.current?.interrupt();
  }

  dispose(): void {
    this.disposed = true;
    const old = this.current;
    this.release();
    void old?.dispose();
  }

  private adopt(kernel: Kernel): void {
    this.current = kernel;
    this.dying = false;
    const end = (reason: string) => {
      if (this.current !== kernel || this.dying) return;
      this.dying = true;
      this.events.ended?.(kernel, reason);
    };
    this.offs = [kernel.onEvent('exiting', (e) => end(e.reason)), kernel.onExit((exit: KernelExit) => !exit.expected && end(exit.reason))];
  }

  private release(): void {
    this.offs.forEach((off) => off());
    this.offs = [];
    this.current = undefined;
    this.dying = false;
  }
}

/** Resolves once a kernel that announced its end has exited, or after DYING_GRACE_MS (runNotebook waits the same way). */
export function ended(k: Kernel): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve();
    }, DYING_GRACE_MS);
    const off = k.onExit(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
