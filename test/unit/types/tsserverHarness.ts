/**
 * A real TypeScript server (ts.server.ProjectService, the one VS Code runs) in the test process, with the CodaJS
 * plugin enabled as VS Code enables it (a global plugin the server requires by name). Notebook cells are opened
 * under the names VS Code's TypeScript extension gives them (`^/vscode-notebook-cell/…#<handle>`).
 */
import * as ts from 'typescript';
import init from '../../../tsplugin';
import { PLUGIN_NAME } from '../../../tsplugin/core/pluginConfig';

const tss = ts as unknown as typeof import('typescript/lib/tsserverlibrary');

/** VS Code's CellUri fragment: a length letter, the handle in base 7, `s`, base64 of the notebook's scheme. */
export function cellFragment(handle: number, scheme = 'file'): string {
  const lengths = ['W', 'X', 'Y', 'Z', 'a', 'b', 'c', 'd', 'e', 'f'];
  const s = handle.toString(7);
  return `${lengths[s.length - 1] ?? 'z'}${s}s${Buffer.from(scheme).toString('base64')}`;
}

export function cellPath(notebook: string, handle: number): string {
  return `^/vscode-notebook-cell/ts-nul-authority${notebook}#${cellFragment(handle)}`;
}

export function cellUri(notebook: string, handle: number): string {
  return `vscode-notebook-cell:${notebook}#${cellFragment(handle)}`;
}

const silentLogger: ts.server.Logger = {
  close: () => {},
  hasLevel: () => false,
  loggingEnabled: () => false,
  perftrc: () => {},
  info: () => {},
  startGroup: () => {},
  endGroup: () => {},
  msg: () => {},
  getLogFileName: () => undefined,
};

export interface Server {
  service: ts.server.ProjectService;
  open(fileName: string, text: string, kind?: 'ts' | 'js'): void;
  /** Opens the cells of a notebook (handles 0, 1, … in the given order). */
  openNotebook(notebook: string, cells: readonly string[], kind?: 'ts' | 'js'): string[];
  edit(fileName: string, start: number, end: number, text: string): void;
  close(fileName: string): void;
  ls(fileName: string): ts.LanguageService;
  configure(message: unknown): void;
  /** Diagnostics of a document as VS Code shows them (syntactic, semantic, and suggestions that are errors or warnings). */
  errors(fileName: string): ts.Diagnostic[];
  completions(fileName: string, text: string, marker: string): string[];
  dispose(): void;
}

/**
 * `built`: load the bundled plugin the way VS Code's tsserver does, by package name from `<probe>/node_modules`
 * (the probe location is the extension's folder, here the repository), instead of the TypeScript source.
 */
export function startServer(opts: { plugin?: boolean; root?: string; built?: string } = {}): Server {
  const plugin = opts.plugin ?? true;
  const root = opts.root ?? '/tmp';
  const requireBuilt = (initialDir: string, name: string) => {
    try {
      return { module: require(require.resolve(name, { paths: [initialDir] })), error: undefined };
    } catch (err) {
      return { module: undefined, error: err as Error };
    }
  };
  const host: ts.server.ServerHost = {
    ...tss.sys,
    setTimeout: (cb, ms, ...args) => setTimeout(cb, ms, ...args),
    clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
    setImmediate: (cb, ...args) => setImmediate(cb, ...args),
    clearImmediate: (id) => clearImmediate(id as NodeJS.Immediate),
    watchFile: () => ({ close: () => {} }),
    watchDirectory: () => ({ close: () => {} }),
    require: (dir: string, name: string) =>
      opts.built
        ? requireBuilt(dir, name)
        : name === PLUGIN_NAME
          ? { module: init as unknown as ts.server.RequireResult['module'], error: undefined }
          : { module: undefined, error: { message: `no ${name}` } },
  } as ts.server.ServerHost;
  const service = new tss.server.ProjectService({
    host,
    logger: silentLogger,
    cancellationToken: tss.server.nullCancellationToken,
    useSingleInferredProject: false,
    useInferredProjectPerProjectRoot: true,
    typingsInstaller: tss.server.nullTypingsInstaller,
    session: undefined,
    globalPlugins: plugin ? [PLUGIN_NAME] : [],
    pluginProbeLocations: plugin ? [opts.built ?? root] : [],
  } as ts.server.ProjectServiceOptions);
  const opened = new Set<string>();
  const server: Server = {
    service,
    open(fileName, text, kind = 'ts') {
      service.openClientFile(fileName, text, kind === 'ts' ? ts.ScriptKind.TS : ts.ScriptKind.JS, root);
      opened.add(fileName);
    },
    openNotebook(notebook, cells, kind = 'ts') {
      return cells.map((text, i) => {
        const f = cellPath(notebook, i);
        server.open(f, text, kind);
        return f;
      });
    },
    edit(fileName, start, end, text) {
      const info = service.getScriptInfo(fileName)!;
      info.editContent(start, end, text);
    },
    close(fileName) {
      service.closeClientFile(fileName);
      opened.delete(fileName);
    },
    ls(fileName) {
      const project = service.getDefaultProjectForFile(tss.server.toNormalizedPath(fileName), true);
      if (!project) throw new Error(`no project for ${fileName}`);
      return project.getLanguageService();
    },
    configure(message) {
      service.configurePlugin({ pluginName: PLUGIN_NAME, configuration: message });
    },
    errors(fileName) {
      const ls = server.ls(fileName);
      // VS Code shows the suggestion channel by category (a notebook cell's semantic errors come that way)
      const shown = ls.getSuggestionDiagnostics(fileName).filter((d) => d.category !== ts.DiagnosticCategory.Suggestion);
      return [...ls.getSyntacticDiagnostics(fileName), ...ls.getSemanticDiagnostics(fileName), ...shown];
    },
    completions(fileName, text, marker) {
      const pos = text.indexOf(marker) + marker.length;
      return (
        server
          .ls(fileName)
          .getCompletionsAtPosition(fileName, pos, {}, {})
          ?.entries.map((e) => e.name) ?? []
      );
    },
    dispose() {
      for (const f of [...opened]) server.close(f);
    },
  };
  return server;
}

export function messages(diags: readonly ts.Diagnostic[]): string[] {
  return diags.map((d) => `${d.code}@${d.start}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}
