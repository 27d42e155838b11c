/**
 * Where an install's time goes: wall time per phase, in milliseconds, returned with the result
 * (`InstallResult.phases`) and printed by `npm run bench`. Phases that run more than once add up.
 */
import { performance } from 'node:perf_hooks';

export class PhaseClock {
  readonly phases: Record<string, number> = {};

  /** Runs `work` and adds its wall time to `name`. */
  async time<T>(name: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.add(name, performance.now() - started);
    }
  }

  add(name: string, ms: number): void {
    this.phases[name] = Math.round(((this.phases[name] ?? 0) + ms) * 10) / 10;
  }
}
