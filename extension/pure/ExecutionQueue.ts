/**
 * Runs a notebook's cell executions strictly one at a time, in the order they were requested. Pure.
 * `cancelPending` drops what has not started (an interrupt stops the queue like Jupyter does).
 */
export class ExecutionQueue {
  private tail: Promise<void> = Promise.resolve();
  private generation = 0;

  /** Runs `task` after everything queued before it; resolves false when it was cancelled before starting. */
  run(task: () => Promise<void>): Promise<boolean> {
    const gen = this.generation;
    const result = this.tail.then(async () => {
      if (gen !== this.generation) return false;
      await task();
      return true;
    });
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  cancelPending(): void {
    this.generation++;
  }
}
