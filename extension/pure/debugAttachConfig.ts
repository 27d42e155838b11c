/**
 * The debug configuration Debug Cell and Debug Scratch start: VS Code's own JavaScript debugger (js-debug, type
 * `pwa-node`) attaching to the kernel's inspector WebSocket. Source maps are resolved wherever the kernel's cell
 * scripts live (they are not in the workspace), a notebook cell's source maps back to its document
 * (cellSourceUri.ts), and the kernel's own code is skipped when stepping.
 */
import { CELL_SOURCE_PREFIX } from './cellSourceUri';

/** The field that tells CodaJS's sessions apart from the user's own (its value is the session's key). */
export const CODA_DEBUG_KEY = '__codaDebugSession';

export interface AttachConfigInput {
  name: string;
  webSocketUrl: string;
  /** Unique per session. */
  key: string;
  /** Folders of the kernel's own code (dist/), never stepped into. */
  kernelCode: string[];
}

export function debugAttachConfig({ name, webSocketUrl, key, kernelCode }: AttachConfigInput): Record<string, unknown> {
  return {
    type: 'pwa-node',
    request: 'attach',
    name,
    websocketAddress: webSocketUrl,
    // cell scripts are named under the notebook's folder but are no files: resolve their maps anywhere
    resolveSourceMapLocations: null,
    sourceMapPathOverrides: { [`${CELL_SOURCE_PREFIX}*`]: '*' },
    skipFiles: ['<node_internals>/**', ...kernelCode.map((dir) => `${dir}/**`)],
    // the kernel is not waiting for a debugger: nothing to continue, and never a child process to follow
    continueOnAttach: false,
    autoAttachChildProcesses: false,
    [CODA_DEBUG_KEY]: key,
  };
}
