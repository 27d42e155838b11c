/**
 * The debug configuration Debug Cell and Debug Scratch start: VS Code's own JavaScript debugger (js-debug, type
 * `pwa-node`) attaching to the kernel's inspector WebSocket. Source maps are resolved wherever the kernel's cell
 * scripts live (they are not in the workspace), and the kernel's own code is skipped when stepping. A notebook
 * cell's source is its URI (cellSourceUri.ts), which js-debug keeps as it is only when the session has no `cwd` to
 * resolve it against: js-debug's resolver always sets one, so withoutCwd takes it out again for CodaJS's sessions.
 */

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
    // a cell script is compiled when its run starts, after the session set its breakpoints: js-debug pauses before
    // each script with a source map, binds the breakpoints of its sources and goes on (its Node default instead
    // predicts them from compiled files on disk, which cell scripts are not)
    pauseForSourceMap: true,
    skipFiles: ['<node_internals>/**', ...kernelCode.map((dir) => `${dir}/**`)],
    // the kernel is not waiting for a debugger: nothing to continue, and never a child process to follow
    continueOnAttach: false,
    autoAttachChildProcesses: false,
    [CODA_DEBUG_KEY]: key,
  };
}

/** The last step of resolving one of CodaJS's configurations: no `cwd` (see the file comment); others unchanged. */
export function withoutCwd<T extends Record<string, unknown>>(config: T): T {
  return config[CODA_DEBUG_KEY] ? { ...config, cwd: '' } : config;
}
