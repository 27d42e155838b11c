/**
 * Writes to one cell's outputs, one after another, in the order they were asked for. A write VS Code never answers
 * (a cell deleted or a notebook closed mid-write) is given up after OP_TIMEOUT_MS, so the writes behind it — the
 * end of the execution above all — still happen: a cell never keeps its spinner after it finished. Pure.
 */

/** How long one output write may take before the ones behind it go ahead. */
export const OP_TIMEOUT_MS = 5_000;

export class SerialOps {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly timeoutMs = OP_TIMEOUT_MS) {}

  /** Runs `op` after every op queued before it; resolves when it ran (or failed, or timed out). */
  queue(op: () => PromiseLike<unknown>): Promise<void> {
    const run = () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.timeoutMs)));
      return Promise.race([Promise.resolve().then(op), timeout]).finally(() => clearTimeout(timer));
    };
    const next = this.tail.then(run, run);
    this.tail = next.catch(() => undefined);
    return next.then(() => undefined);
  }
}
