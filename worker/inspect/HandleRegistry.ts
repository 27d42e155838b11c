/**
 * Objects the host may expand later, by numeric id. Held strongly until their cell's outputs are replaced
 * (releaseCell) or the kernel restarts; a per-cell budget keeps a logging loop from pinning millions of objects.
 */
import type { Handle } from '../../protocol';

/** Objects one cell may keep expandable; past it, values are previewed without a handle. */
export const MAX_HANDLES_PER_CELL = 20_000;

export class HandleRegistry {
  private nextId = 1;
  private readonly byId = new Map<number, { value: object; cellId: string }>();
  private readonly idOf = new WeakMap<object, number>();
  private readonly perCell = new Map<string, Set<number>>();

  constructor(readonly kernelId: string) {}

  register(value: object, cellId: string): Handle | undefined {
    const known = this.idOf.get(value);
    const entry = known !== undefined ? this.byId.get(known) : undefined;
    if (known !== undefined && entry) {
      if (entry.cellId !== cellId && isPseudoOwner(entry.cellId) && !isPseudoOwner(cellId)) this.moveTo(known, entry, cellId);
      return { kernelId: this.kernelId, id: known };
    }
    let ids = this.perCell.get(cellId);
    if (!ids) this.perCell.set(cellId, (ids = new Set()));
    if (ids.size >= MAX_HANDLES_PER_CELL) return undefined;
    const id = this.nextId++;
    this.byId.set(id, { value, cellId });
    this.idOf.set(value, id);
    ids.add(id);
    return { kernelId: this.kernelId, id };
  }

  get(id: number): object | undefined {
    return this.byId.get(id)?.value;
  }

  /** The cell that owns a handle (new handles made while expanding it belong to the same cell). */
  ownerOf(id: number): string | undefined {
    return this.byId.get(id)?.cellId;
  }

  /**
   * A handle a pseudo owner made (the Variables view, which releases its handles on every refresh) is taken over by
   * the cell that shows the same object, so that refresh never breaks the cell's output.
   */
  private moveTo(id: number, entry: { value: object; cellId: string }, cellId: string): void {
    this.perCell.get(entry.cellId)?.delete(id);
    entry.cellId = cellId;
    let ids = this.perCell.get(cellId);
    if (!ids) this.perCell.set(cellId, (ids = new Set()));
    ids.add(id);
  }

  releaseCell(cellId: string): number {
    const ids = this.perCell.get(cellId);
    if (!ids) return 0;
    for (const id of ids) this.byId.delete(id);
    this.perCell.delete(cellId);
    return ids.size;
  }

  clear(): void {
    this.byId.clear();
    this.perCell.clear();
  }

  get size(): number {
    return this.byId.size;
  }
}

/** Owners that are not cells start with NUL (worker/node/TopLevelBindings.ts VARIABLES_OWNER). */
function isPseudoOwner(owner: string): boolean {
  return owner.startsWith('\u0000');
}
