/**
 * The outputs of one run of one cell in VS Code: extension/pure/CellOutputs.ts over the cell's executions. The
 * console is one output (JSON for the renderer, plain text beside it), replaced while the cell still shows it.
 */
import * as vscode from 'vscode';
import { MIME_CONSOLE } from '../../protocol';
import { CellOutputs } from '../pure/CellOutputs';

export class CellRun extends CellOutputs<vscode.NotebookCellExecution, vscode.NotebookCellOutput> implements vscode.Disposable {
  /** The output showing the run's result (a pending promise's is shown again, settled, in its place). */
  resultOutput: vscode.NotebookCellOutput | undefined;

  constructor(
    controller: vscode.NotebookController,
    readonly cell: vscode.NotebookCell,
    readonly executionId: number,
    maxStored: number,
    label: (cellId: string) => string,
  ) {
    super(
      {
        create: () => controller.createNotebookCellExecution(cell),
        start: (e, order, time) => {
          e.executionOrder = order;
          e.start(time);
        },
        end: (e, success, time) => e.end(success, time),
        // awaited: a Thenable is not a PromiseLike in the typings of VS Code 1.74 (engines.vscode)
        clear: async (e) => await e.clearOutput(),
        append: async (e, output) => await e.appendOutput(output),
        writeConsole: async (e, log, shown) => {
          const items = [
            vscode.NotebookCellOutputItem.json(log.output(), MIME_CONSOLE),
            vscode.NotebookCellOutputItem.text(log.plainText(label), 'text/plain'),
          ];
          if (shown && cell.outputs.some((o) => outputId(o) === outputId(shown))) {
            await e.replaceOutputItems(items, shown);
            return shown;
          }
          const output = new vscode.NotebookCellOutput(items);
          await e.appendOutput(output);
          return output;
        },
        shows: (output) => cell.outputs.some((o) => outputId(o) === outputId(output)),
        replace: async (e, output, by) => await e.replaceOutputItems(by.items, output),
      },
      maxStored,
    );
  }
}

/** The id VS Code gives every output (the same one renderers see as `outputItem.id`). */
export function outputId(output: vscode.NotebookCellOutput): string {
  return (output as unknown as { id: string }).id;
}
