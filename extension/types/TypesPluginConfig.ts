/**
 * Tells the TypeScript server plugin (tsplugin/, contributed as `codajs-tsplugin`) what it cannot see: each open
 * CodaJS notebook's runtime, its code cells in order and its dependency store, and each open `// %%` scratch file,
 * through the TypeScript extension's API (`getAPI(0).configurePlugin`). Every message carries every open notebook
 * and replaces the previous one (tsplugin/pluginMessage.ts). Sent again when a notebook opens, closes, changes its
 * runtime or cells, when a scratch file's runtime changes, and after an install. Without the TypeScript extension
 * (disabled by the user) nothing is sent and the editor stays as VS Code makes it.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { runtimeNamed, type RuntimeKind } from '../../protocol';
import { CODA_NOTEBOOK_TYPE } from '../../protocol/codaFile';
import { execFile } from 'node:child_process';
import { findNode } from '../../host/kernel/findNode';
import { findSidecarBinary, VERSION_PROBE_TIMEOUT_MS } from '../../host/kernel/locateRuntime';
import { majorOf } from '../../tsplugin/core/nodeTypes';
import { pluginMessage, PLUGIN_NAME, type OpenNotebook, type OpenScratchFile } from '../../tsplugin/pluginMessage';
import { MARKER } from '../../tsplugin/core/scratchCells';
import { scratchRuntime } from '../../host/notebook/scratchRuntime';

const TS_EXTENSION = 'vscode.typescript-language-features';
/** Changes within this many milliseconds make one message (a paste of many cells, a save that rewrites metadata). */
const SEND_DELAY_MS = 100;
const SCRATCH_LANGUAGES = ['javascript', 'typescript'];

interface TsApi {
  configurePlugin(pluginId: string, configuration: unknown): void;
}

export interface TypesPluginDeps {
  /** The store's node_modules folder of a notebook / a scratch file (DependencyManager). */
  modulePath(notebook: vscode.NotebookDocument): string;
  scratchModulePath(doc: vscode.TextDocument): string;
  /** Fires with a notebook's or scratch file's URI after packages were installed for it. */
  onDidInstall: vscode.Event<vscode.Uri>;
  /** The extension's global storage (runtime store, generated type cache). */
  storage: string;
  /** `coda.nodePath`, `coda.denoPath`, `coda.bunPath`, `coda.scratch.runtime`. */
  setting(key: 'nodePath' | 'denoPath' | 'bunPath' | 'scratch.runtime'): string | undefined;
  log(message: string): void;
}

export class TypesPluginConfig implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private api: Promise<TsApi | undefined> | undefined;
  private denoPath: Promise<string | undefined> | undefined;
  /** The Node major a Node notebook runs on, and the one Bun reports (`process.version`), as the kernel finds them. */
  private readonly nodeMajors = new Map<'node' | 'bun', Promise<number | undefined>>();
  private lastSent = '';
  /** Scratch files' runtimes as last sent, to send again only when one changes while typing. */
  private readonly scratchRuntimes = new Map<string, RuntimeKind>();

  constructor(private readonly deps: TypesPluginDeps) {
    const isCoda = (nb: vscode.NotebookDocument) => nb.notebookType === CODA_NOTEBOOK_TYPE;
    this.subscriptions.push(
      vscode.workspace.onDidOpenNotebookDocument((nb) => isCoda(nb) && this.schedule()),
      vscode.workspace.onDidCloseNotebookDocument((nb) => isCoda(nb) && this.schedule()),
      vscode.workspace.onDidChangeNotebookDocument((e) => isCoda(e.notebook) && (e.metadata || e.contentChanges.length > 0) && this.schedule()),
      vscode.workspace.onDidOpenTextDocument((d) => isScratchFile(d) && this.schedule()),
      vscode.workspace.onDidCloseTextDocument((d) => this.scratchRuntimes.has(d.uri.toString()) && this.schedule()),
      vscode.workspace.onDidChangeTextDocument(({ document: d }) => {
        const known = this.scratchRuntimes.get(d.uri.toString());
        if (isScratchFile(d) ? known !== this.scratchRuntimeOf(d) : known !== undefined) this.schedule();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('coda.denoPath')) this.denoPath = undefined;
        if (e.affectsConfiguration('coda.nodePath')) this.nodeMajors.delete('node');
        if (e.affectsConfiguration('coda.bunPath')) this.nodeMajors.delete('bun');
        if (['denoPath', 'nodePath', 'bunPath', 'scratch.runtime'].some((k) => e.affectsConfiguration(`coda.${k}`))) this.schedule();
      }),
      // a store that did not exist before the first install now holds packages and their types
      deps.onDidInstall(() => this.schedule(true)),
    );
    if (vscode.workspace.notebookDocuments.some(isCoda) || vscode.workspace.textDocuments.some(isScratchFile)) this.schedule();
  }

  /** Sends the state soon; `force` sends it even when it did not change (the plugin then reads the stores again). */
  private schedule(force = false): void {
    if (force) this.lastSent = '';
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.send().catch((err: unknown) => this.deps.log(`types: ${(err as Error).message}`)), SEND_DELAY_MS);
  }

  private async send(): Promise<void> {
    const notebooks: OpenNotebook[] = [];
    for (const nb of vscode.workspace.notebookDocuments) {
      if (nb.notebookType !== CODA_NOTEBOOK_TYPE) continue;
      const runtime = runtimeNamed((nb.metadata as { runtime?: unknown }).runtime) ?? 'node';
      const store = this.deps.modulePath(nb);
      notebooks.push({ notebook: nb, runtime, modulePaths: [store], typeRoots: [join(store, '@types')], ...(await this.runtimeFacts(runtime)) });
    }
    const scratchFiles: OpenScratchFile[] = [];
    this.scratchRuntimes.clear();
    for (const doc of vscode.workspace.textDocuments) {
      if (!isScratchFile(doc)) continue;
      const runtime = this.scratchRuntimeOf(doc);
      this.scratchRuntimes.set(doc.uri.toString(), runtime);
      scratchFiles.push({ uri: doc.uri, runtime, modulePaths: [this.deps.scratchModulePath(doc)], ...(await this.runtimeFacts(runtime)) });
    }
    const message = pluginMessage({ notebooks, scratchFiles, cacheDir: join(this.deps.storage, 'types') });
    const text = JSON.stringify(message);
    if (text === this.lastSent) return;
    const api = await (this.api ??= tsApi());
    if (!api) return;
    api.configurePlugin(PLUGIN_NAME, message);
    this.lastSent = text;
  }

  private scratchRuntimeOf(doc: vscode.TextDocument): RuntimeKind {
    const r = scratchRuntime(doc.getText(), this.deps.setting('scratch.runtime'));
    return 'runtime' in r ? r.runtime : 'node';
  }

  /**
   * What the plugin needs of the binary that runs the notebook, found as the kernel finds it: a Deno notebook's
   * `Deno` namespace comes from its Deno binary; a Node notebook gets the `@types/node` of its Node's major, a Bun
   * notebook the one of the Node version Bun reports.
   */
  private async runtimeFacts(runtime: RuntimeKind): Promise<{ denoPath?: string; nodeMajor?: number }> {
    if (runtime === 'deno') {
      this.denoPath ??= findSidecarBinary('deno', this.deps.storage, this.deps.setting('denoPath')).then(
        (b) => b.path,
        () => undefined,
      );
      const denoPath = await this.denoPath;
      return denoPath ? { denoPath } : {};
    }
    if (runtime !== 'node' && runtime !== 'bun') return {};
    let major = this.nodeMajors.get(runtime);
    if (!major) {
      major =
        runtime === 'node'
          ? findNode(this.deps.setting('nodePath')).then((n) => majorOf(n.version))
          : findSidecarBinary('bun', this.deps.storage, this.deps.setting('bunPath'))
              .then((b) => bunNodeVersion(b.path))
              .then(majorOf);
      major = major.catch(() => undefined);
      this.nodeMajors.set(runtime, major);
    }
    const nodeMajor = await major;
    return nodeMajor ? { nodeMajor } : {};
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
  }
}

/** A plain JS/TS file on disk with `// %%` cells (what Run Scratch runs cell by cell). */
function isScratchFile(doc: vscode.TextDocument): boolean {
  if (doc.uri.scheme !== 'file' || !SCRATCH_LANGUAGES.includes(doc.languageId)) return false;
  return doc
    .getText()
    .split('\n', 2000)
    .some((line) => MARKER.test(line));
}

/** The Node version Bun implements (`process.version` in Bun). */
function bunNodeVersion(bun: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(bun, ['--print', 'process.version'], { timeout: VERSION_PROBE_TIMEOUT_MS }, (err, stdout) => (err ? reject(err) : resolve(stdout.trim()))),
  );
}

async function tsApi(): Promise<TsApi | undefined> {
  const ext = vscode.extensions.getExtension<{ getAPI?(version: 0): TsApi | undefined } | undefined>(TS_EXTENSION);
  if (!ext) return undefined;
  const exports = ext.isActive ? ext.exports : await ext.activate();
  return exports?.getAPI?.(0);
}
