/**
 * A renderer's "show all" request, answered without vscode: only an output of the asking notebook's cells has its
 * full console log sent; an output id of another notebook is as unknown as a made-up one.
 */
import type { ConsoleEntry, HostToRenderer, RendererToHost } from '../../protocol';

export interface ConsoleLogs<C> {
  /** The cell whose console output has this output id (in any notebook). */
  cellForOutput(outputId: string): C | undefined;
  /** The notebook the cell belongs to. */
  notebookOf(cell: C): unknown;
  /** Every console entry of the cell's current run. */
  consoleEntries(cell: C): ConsoleEntry[] | undefined;
}

export function answerShowAll<C>(
  logs: ConsoleLogs<C>,
  m: Extract<RendererToHost, { type: 'showAll' }>,
  asker: unknown,
  goneMessage: string,
): Extract<HostToRenderer, { type: 'showAllResult' }> {
  const cell = logs.cellForOutput(m.outputId);
  const entries = cell !== undefined && logs.notebookOf(cell) === asker ? logs.consoleEntries(cell) : undefined;
  return entries ? { type: 'showAllResult', requestId: m.requestId, entries } : { type: 'showAllResult', requestId: m.requestId, error: goneMessage };
}
