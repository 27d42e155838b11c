/**
 * The cell run an uncaught error (an exception in a callback, a rejected promise nothing handled) belongs to. On Node
 * 24 (and 22.9+, 23) the work's own context says (cellContext.ts); on Node 20 only timers carry one, and an error from
 * elsewhere (a promise chain, an event) was given to the cell started last: `main(); 1` in cell 1, whose `main` rejected while
 * cell 3 ran, was cell 3's failure. There the first frame of the error's stack in a cell's own code names the run it
 * came from; the cell started last remains the answer for an error with no such frame.
 */
import { types } from 'node:util';
import { boundCell, currentCell, type CellContext } from './cellContext';
import type { StackMapper } from './stackMapper';

export function uncaughtOwner(err: unknown, mapper: StackMapper): CellContext | undefined {
  const bound = boundCell();
  if (bound) return bound;
  const run = mapper.runOf(stackOf(err));
  const latest = currentCell();
  if (!run) return latest;
  // the same run as the guess: keep its context (its origin chain reports the async stack)
  if (latest && latest.cellId === run.cellId && latest.executionId === run.executionId) return latest;
  return { ...run, filename: '', instrument: false };
}

/** An error's stack text (read as the report of the error reads it next: StackMapper.serialize). */
function stackOf(err: unknown): string {
  if (!types.isNativeError(err)) return '';
  try {
    const stack = err.stack;
    return typeof stack === 'string' ? stack : '';
  } catch {
    return '';
  }
}
