/**
 * Never runs a file twice at once: a new request while a run is going stops that run first (stop() then wait
 * for it to settle), and a burst of requests collapses into one run. `debounce` delays a request (run on
 * change). Pure: no vscode, timers injectable for tests.
 */
export interface SchedulerDeps {
  /** Runs the file; resolves when the run has completely finished. */
  run(): Promise<void>;
  /** Asks the running run to stop (e.g. interrupt the kernel). */
  stop(): void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class RunScheduler {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: unknown;

  constructor(private readonly deps: SchedulerDeps) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Runs now (stopping a run in progress first). Resolves when the latest requested run has finished. */
  async request(): Promise<void> {
    this.cancelDebounce();
    if (this.running) {
      this.again = true;
      this.deps.stop();
      return this.running;
    }
    this.running = this.loop();
    return this.running;
  }

  /** Runs after `ms` of quiet; each new call restarts the wait. */
  debounce(ms: number): void {
    this.cancelDebounce();
    const set = this.deps.setTimer ?? ((fn, t) => setTimeout(fn, t));
    this.timer = set(() => {
      this.timer = undefined;
      void this.request();
    }, ms);
  }

  /** Stops the running run and drops pending requests. */
  stop(): void {
    this.cancelDebounce();
    this.again = false;
    if (this.running) this.deps.stop();
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.deps.run().catch(() => undefined);
      } while (this.again);
    } finally {
      this.running = undefined;
    }
  }

  private cancelDebounce(): void {
    if (this.timer === undefined) return;
    (this.deps.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout)))(this.timer);
    this.timer = undefined;
  }
}
