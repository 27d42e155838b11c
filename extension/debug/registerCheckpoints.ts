/**
 * Checkpoints in the editor: `//?` markers kept in step with the kernels (CheckpointSync), their hits at the end of
 * the line (CheckpointDecorations) and in the Checkpoints view, and Toggle Checkpoint (editor context menu, palette),
 * which adds or removes the marker on the cursor's line. Nothing re-runs.
 */
import * as vscode from 'vscode';
import type { ScratchKernels } from '../inspect/ScratchKernels';
import type { KernelManager } from '../kernel/KernelManager';
import { CHECKPOINT_MARKER } from '../pure/checkpointComments';
import { CheckpointStore } from '../pure/CheckpointStore';
import { CheckpointDecorations } from './CheckpointDecorations';
import { CheckpointSync } from './CheckpointSync';
import { CHECKPOINTS_VIEW_ID, CheckpointsView } from './CheckpointsView';

async function toggleCheckpoint(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return;
  const line = editor.document.lineAt(editor.selection.active.line);
  const at = line.text.lastIndexOf(CHECKPOINT_MARKER);
  await editor.edit((edit) => {
    if (at >= 0) edit.delete(new vscode.Range(line.lineNumber, line.text.slice(0, at).trimEnd().length, line.lineNumber, line.text.length));
    else edit.insert(line.range.end, ` ${CHECKPOINT_MARKER}`);
  });
}

export function registerCheckpoints(manager: KernelManager, scratch: ScratchKernels, log: (message: string) => void): vscode.Disposable {
  const store = new CheckpointStore();
  const sync = new CheckpointSync(store, manager, scratch, log);
  const decorations = new CheckpointDecorations(store);
  const view = new CheckpointsView(store);
  return vscode.Disposable.from(
    sync,
    decorations,
    view,
    vscode.window.createTreeView(CHECKPOINTS_VIEW_ID, { treeDataProvider: view }),
    sync.onDidChange(() => {
      decorations.render();
      view.refresh();
    }),
    vscode.commands.registerCommand('codajs.toggleCheckpoint', toggleCheckpoint),
  );
}
