/** The object `activate()` returns (extension/api/codaApi.ts): other extensions' way into CodaJS's kernels. */
import * as vscode from 'vscode';
import { codaErrorObject, type RemoteValue } from '../../protocol';
import type { KernelManager } from '../kernel/KernelManager';
import { registerConfiguredPlugin } from '../plugins/configuredPlugins';
import { CODA_API_VERSION, type CodaApi, type CodaCellExecution } from './codaApi';

/** Execution ids of API runs start here, far from the controller's (which count from 1). */
const API_EXECUTION_BASE = 1_000_000_000;

export function createApi(manager: KernelManager, onDidExecuteCell: vscode.Event<CodaCellExecution>): CodaApi {
  let seq = 0;
  return {
    apiVersion: CODA_API_VERSION,
    registerKernelPlugin: (modulePath) => registerConfiguredPlugin(modulePath),
    async runInKernel(uri, code, options) {
      const notebook = vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString());
      const nk = notebook && manager.find(notebook);
      const kernel = nk?.slot.kernel;
      if (!nk || !kernel?.alive) throw codaErrorObject('KernelNotRunning', { notebook: uri.toString() });
      const n = ++seq;
      let result: Awaited<ReturnType<typeof kernel.execute>> | undefined;
      await nk.enqueue(async () => {
        result = await kernel.execute({ cellId: `api:${n}`, cellLabel: `[api ${n}]`, executionId: API_EXECUTION_BASE + n, code, language: options?.language ?? 'javascript' });
      });
      if (!result) throw codaErrorObject('KernelNotRunning', { notebook: uri.toString() });
      if (result.status === 'error') return { status: 'error', error: { name: result.error.name, message: result.error.message }, durationMs: result.durationMs };
      if (result.status === 'interrupted') return { status: 'interrupted', durationMs: result.durationMs };
      return { status: 'ok', ...(result.value && { value: previewOf(result.value) }), durationMs: result.durationMs };
    },
    onDidExecuteCell,
  };
}

function previewOf(v: RemoteValue): string {
  switch (v.type) {
    case 'object':
      return v.preview;
    case 'string':
      return v.value;
    case 'boolean':
      return String(v.value);
    case 'undefined':
    case 'null':
      return v.type;
    default:
      return v.text;
  }
}
