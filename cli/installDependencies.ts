/**
 * `coda run`: installs what the notebook imports before its cells run, from the lock in the notebook's
 * metadata when it has one, into a store under ~/.cache/codajs (XDG_CACHE_HOME). The notebook file is never
 * modified; when the lock would change, the runner says so.
 */
import { dirname, join } from 'node:path';
import { METADATA_ALLOW_SCRIPTS, METADATA_LOCK, type CodaDocument, type DependencyLock, type SerializedError } from '../protocol';
import { installAccess } from '../host/deps/installAccess';
import { scriptsNotice } from '../host/deps/scriptPlan';
import { cellText } from '../protocol/codaFormat';
import { InstallerClient, storeFor } from '../host/deps/InstallerClient';
import { installForCells } from '../host/deps/installForCells';
import { lockUpdate } from '../host/deps/lockUpdate';
import { leaseStoreUntilExit } from '../host/deps/storeLease';
import { fetchedRuntime } from '../host/runtimes/runtimeStore';
import { notebookPlugins, pluginInstallCell, type NotebookPlugins } from '../host/plugins/notebookPlugins';
import { cacheRoot } from '../host/cacheRoot';
import { runtimesDir } from './runtimeSetup';
import type { FoundNode } from '../host/kernel/findNode';
import { installerNode, type InstallerNode } from '../host/deps/installerNode';

export interface DependencyOutcome {
  modulePaths: string[];
  /** Cells that cannot run (an import that could not be installed, a bad `// @coda-dep`), by cell id `cell-<n>`. */
  cellErrors: Map<string, SerializedError>;
  note?: string;
}

/** The cell ids the runner gives cells: `cell-<position>`, counting every cell. */
export const runnerCellId = (index: number) => `cell-${index + 1}`;

export async function installDependencies(
  file: string,
  doc: CodaDocument,
  progress: (m: string) => void,
  offline = false,
  plugins: NotebookPlugins = notebookPlugins(doc.metadata, dirname(file)),
  /** A Node kernel's Node and the runtime store: the install picks versions for that Node (installerNode.ts). */
  kernel?: { node: FoundNode; runtimesDir: string },
): Promise<DependencyOutcome> {
  const cells = doc.cells.flatMap((c, i) => (c.kind === 'code' ? [{ cellId: runnerCellId(i), code: cellText(c) }] : []));
  // the plugin packages (--plugin's and the notebook's) install with its imports, into the same store
  cells.push(...(await pluginInstallCell(plugins)));
  const { storeDir, cacheDir, modulePath } = storeFor(cacheRoot(), file);
  const lock = doc.metadata[METADATA_LOCK] as DependencyLock | undefined;
  const access = installAccess(doc.metadata);
  const allowScripts = doc.metadata[METADATA_ALLOW_SCRIPTS] === true;
  const confined = allowScripts && !!access.permissions;
  let client: InstallerClient | undefined;
  /** The Node the installer runs on and the version it installs for, once an install is needed (installerNode.ts). */
  let node: InstallerNode | undefined;
  try {
    const outcome = await installForCells(
      cells,
      dirname(file),
      storeDir,
      async (dependencies, store) => {
        if (!client) {
          // confined scripts need a Node with the permission model instead (confinedInstallerNode)
          node = confined || !kernel ? undefined : installerNode(kernel.node, kernel.runtimesDir, allowScripts);
          client = new InstallerClient({ installerPath: join(__dirname, 'installer.js'), nodePath: node?.path ?? confinedInstallerNode(confined) });
        }
        progress(
          `installing ${Object.entries(dependencies)
            .map(([n, r]) => (r === '*' ? n : `${n}@${r}`))
            .join(', ')}`,
        );
        if (allowScripts) progress(scriptsNotice(access.permissions));
        return client.install(
          { storeDir: store, cacheDir, dependencies, lock, allowScripts, ...access, npmrcFrom: dirname(file), offline, nodeVersion: node?.nodeVersion },
          { onProgress: progress },
        );
      },
      access.permissions,
    );
    const { result } = outcome;
    for (const [name, error] of outcome.failed) progress(`${name} could not be installed: ${error.message}`);
    if (!result) return { modulePaths: [modulePath], cellErrors: outcome.cellErrors };
    // in use while this run's kernel runs (a prune skips it); released when this process exits
    await leaseStoreUntilExit(storeDir);
    progress(
      `installed ${Object.entries(result.installed)
        .map(([n, v]) => `${n}@${v}`)
        .join(
          ', ',
        )} in ${(result.durationMs / 1000).toFixed(2)} s${result.offline ? ' (offline, from the cache)' : ''}${client?.processesStarted ? '' : ' (from the store, no installer process)'}`,
    );
    const changed = lockUpdate(doc.metadata, outcome) !== undefined;
    return {
      modulePaths: [result.modulePath],
      cellErrors: outcome.cellErrors,
      note: !changed
        ? undefined
        : lock
          ? 'the dependency lock differs from the one saved in the notebook (open and run it in VS Code to update it); the file was not modified'
          : "the notebook saves no dependency lock (open and run it in VS Code to save one; until then runs here use this store's own record of the versions); the file was not modified",
    };
  } finally {
    client?.dispose();
  }
}

/**
 * Install scripts of a notebook with permissions run under Node's permission model: when this Node lacks it, the
 * installer runs on the Node 24 that `coda runtimes fetch node` keeps (if it was fetched; else the install says so).
 */
function confinedInstallerNode(confinedScripts: boolean): string | undefined {
  if (!confinedScripts || process.allowedNodeEnvironmentFlags.has('--permission')) return undefined;
  return fetchedRuntime(runtimesDir(), 'node');
}
