/**
 * Keeps a notebook's kernel when the notebook only changes its name: Save As (also the first save of an untitled
 * notebook), a rename or a move in the explorer. VS Code closes the old document and opens a new one for these, in
 * either order, so a kernel whose notebook closed waits a little (PARK_MS) for a successor: the document a rename
 * names, or else one with exactly the same cells. Pure: no vscode import (the kernel manager feeds it events).
 */

/** How long a closed notebook's kernel waits for its successor before it is stopped. */
export const PARK_MS = 5_000;

interface Parked<T> {
  key: string;
  signature: string;
  item: T;
  timer: ReturnType<typeof setTimeout>;
}

interface Waiting<D> {
  key: string;
  doc: D;
  timer: ReturnType<typeof setTimeout>;
}

export class KernelHandover<T, D> {
  private readonly parked: Parked<T>[] = [];
  private readonly waiting: Waiting<D>[] = [];
  /** New key by old key (a file or a folder), from rename events. */
  private readonly renames = new Map<string, string>();

  constructor(
    /** Stops a kernel nobody claimed. */
    private readonly expire: (item: T) => void,
    /** A document's cells as they are now (a document can open empty and get its cells a moment later). */
    private readonly signatureOf: (doc: D) => string,
    private readonly graceMs = PARK_MS,
  ) {}

  /** A rename or move is about to happen (files or folders; URIs as strings). */
  renaming(oldKey: string, newKey: string): void {
    this.renames.set(oldKey, newKey);
    setTimeout(() => this.renames.delete(oldKey), this.graceMs).unref?.();
  }

  /**
   * A notebook with a live kernel closed: the successor already open (Save As opens the new one first) takes it now
   * (returned), else it waits for one.
   */
  closed(key: string, signature: string, item: T): D | undefined {
    const i = this.match(this.waiting, key, signature);
    if (i !== -1) {
      const [w] = this.waiting.splice(i, 1);
      clearTimeout(w!.timer);
      return w!.doc;
    }
    const entry: Parked<T> = { key, signature, item, timer: setTimeout(() => this.drop(entry), this.graceMs) };
    entry.timer.unref?.();
    this.parked.push(entry);
    return undefined;
  }

  /** A notebook opened with no kernel: returns the kernel of the notebook it succeeds, or remembers it for a while. */
  opened(key: string, doc: D): T | undefined {
    const found = this.claim(key, doc);
    if (found !== undefined) return found;
    const entry: Waiting<D> = { key, doc, timer: setTimeout(() => this.forget(entry), this.graceMs) };
    entry.timer.unref?.();
    this.waiting.push(entry);
    return undefined;
  }

  /** A waiting notebook's cells changed (they arrive after it opened): returns a kernel it now succeeds. */
  changed(doc: D): T | undefined {
    const i = this.waiting.findIndex((w) => w.doc === doc);
    if (i === -1) return undefined;
    const found = this.claim(this.waiting[i]!.key, doc);
    if (found !== undefined) {
      clearTimeout(this.waiting[i]!.timer);
      this.waiting.splice(i, 1);
    }
    return found;
  }

  private claim(key: string, doc: D): T | undefined {
    const i = this.parked.findIndex((p) => this.successor(p.key) === key);
    const signature = this.signatureOf(doc);
    const j = i !== -1 ? i : this.parked.findLastIndex((p) => p.signature === signature);
    if (j === -1) return undefined;
    const [p] = this.parked.splice(j, 1);
    clearTimeout(p!.timer);
    return p!.item;
  }

  /** Stops every parked kernel now. */
  dispose(): void {
    for (const p of this.parked.splice(0)) {
      clearTimeout(p.timer);
      this.expire(p.item);
    }
    for (const w of this.waiting.splice(0)) clearTimeout(w.timer);
  }

  /** Where a rename sends `key`: the file itself, or a file below a renamed folder. */
  private successor(key: string): string | undefined {
    const direct = this.renames.get(key);
    if (direct) return direct;
    for (const [from, to] of this.renames) if (key.startsWith(`${from}/`)) return to + key.slice(from.length);
    return undefined;
  }

  private match(list: Waiting<D>[], oldKey: string, signature: string): number {
    const target = this.successor(oldKey);
    const byName = target === undefined ? -1 : list.findIndex((w) => w.key === target);
    return byName !== -1 ? byName : list.findLastIndex((w) => this.signatureOf(w.doc) === signature);
  }

  private drop(entry: Parked<T>): void {
    const i = this.parked.indexOf(entry);
    if (i === -1) return;
    this.parked.splice(i, 1);
    this.expire(entry.item);
  }

  private forget(entry: Waiting<D>): void {
    const i = this.waiting.indexOf(entry);
    if (i !== -1) this.waiting.splice(i, 1);
  }
}

/** What two documents of one notebook share across a Save As: the kind, language and text of every cell. */
export function notebookSignature(cells: readonly { kind: number; language: string; text: string }[]): string {
  return JSON.stringify(cells.map((c) => [c.kind, c.language, c.text]));
}
