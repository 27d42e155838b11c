/**
 * A walk of the cell's tree that refines what the cell means (its last statement's value, the binding guards, Annex
 * B's block functions), or `otherwise` when the cell nests deeper than the walk's recursion can follow (thousands of
 * blocks: acorn reads them, the walk runs out of stack). Such a cell runs as it would without that step, instead of
 * failing with a RangeError of the transform's. The walk must make no edit before it returns.
 */
export function unlessTooDeep<T>(walk: () => T, otherwise: T): T {
  try {
    return walk();
  } catch (err) {
    if (err instanceof RangeError) return otherwise;
    throw err;
  }
}
