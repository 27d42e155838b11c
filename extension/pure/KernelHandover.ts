/**
 * Keeps a notebook's kernel when the notebook is saved under another name (Save As, also the first save of an
 * untitled notebook). VS Code closes the old document and opens a new one, in either order, so a kernel whose notebook
 * closed waits a little (PARK_MS) for a successor: a document with exactly the same cells. A rename or move is known
 * by name instead (renamedKey, used by the kernel manager when VS Code reports it). Pure: no vscode import.
 */

/** How long a closed notebook's kernel waits for its successor before it is stopped. */
export const PARK_MS = 5_000;

interface Parked<T> {
  signature: string;
  item: T;
  timer: ReturnType<typeof setTimeout>;
}

interface Waiting<D> {
  doc: D;
  timer: ReturnType<typeof setTimeout>;
}

export class KernelHandover<T, D> {
  private readonly parked: Parked<T>[] = [];
  private readonly waiting: Waiting<D>[] = [];

  constructor(
    /** Stops a kernel nobody claimed. */
    private readonly expire: (item: T) => void,
    /** A document's cells as they are now (a document can open empty and get its cells a moment later). */
    private readonly signatureOf: (doc: D) => string,
    private readonly graceMs = PARK_MS,
  ) {}

  /**
   * A notebook with a live kernel closed: the successor already open (Save As opens the new one first) takes it now
   * (returned), else it waits for one.
   */
  closed(signature: string, item: T): D | undefined {
    const i = this.waiting.findLastIndex((w) => this.signatureOf(w.doc) === signature);
    if (i !== -1) {
      const [w] = this.waiting.splice(i, 1);
      clearTimeout(w!.timer);
      return w!.doc;
    }
    const entry: Parked<T> = { signature, item, timer: setTimeout(() => this.drop(entry), this.graceMs) };
    entry.timer.unref?.();
    this.parked.push(entry);
    return undefined;
  }

  /** A notebook opened with no kernel: returns the kernel of the notebook it succeeds, or remembers it for a while. */
  opened(doc: D): T | undefined {
    const found = this.claim(doc);
    if (found !== undefined) return found;
    const entry: Waiting<D> = { doc, timer: setTimeout(() => this.forget(entry), this.graceMs) };
    entry.timer.unref?.();
    this.waiting.push(entry);
    return undefined;
  }

  /** A waiting notebook's cells changed (they arrive after it opened): returns a kernel it now succeeds. */
  changed(doc: D): T | undefined {
    const i = this.waiting.findIndex((w) => w.doc === doc);
    if (i === -1) return undefined;
    const found = this.claim(doc);
    if (found !== undefined) {
      clearTimeout(this.waiting[i]!.timer);
      this.waiting.splice(i, 1);
    }
    return found;
  }

  private claim(doc: D): T | undefined {
    const signature = this.signatureOf(doc);
    const j = this.parked.findLastIndex((p) => p.signature === signature);
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

/** Where a rename of `oldKey` (a file or a folder) sends `key`: the file itself, a file below the folder, or nowhere. */
export function renamedKey(key: string, oldKey: string, newKey: string): string | undefined {
  if (key === oldKey) return newKey;
  return key.startsWith(`${oldKey}/`) ? newKey + key.slice(oldKey.length) : undefined;
}
