/**
 * Reveals one at a time, and not more often than a person clicks: a webview that posts reveal after reveal (a
 * script in an output) gets at most one editor change or one question per interval, never a storm of tabs or popups.
 */
export const MIN_REVEAL_INTERVAL_MS = 400;

export class RevealGate {
  private busy = false;
  private last = -Infinity;

  constructor(private readonly now: () => number = Date.now) {}

  /** Runs `reveal` unless one is in progress (e.g. its question is open) or the last began too recently. */
  async run(reveal: () => Promise<void>): Promise<boolean> {
    const t = this.now();
    if (this.busy || t - this.last < MIN_REVEAL_INTERVAL_MS) return false;
    this.busy = true;
    this.last = t;
    try {
      await reveal();
    } finally {
      this.busy = false;
    }
    return true;
  }
}
