/**
 * `coda run`: installs what the notebook imports before its cells run, from the lock in the notebook's
 * metadata when it has one, into a store under ~/.cache/codajs (XDG_CACHE_HOME). The notebook file is never
 * modified; when the lock would change, the runner says so.
 */
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { METADATA_ALLOW_SCRIPTS, METADATA_LOCK, type CodaDocument, type DependencyLock } from '../protocol';
import { installAccess } from '../worker/deps/installAccess';
import { scriptsNotice } from '../worker/deps/scriptPlan';
import { cellText } from '../protocol/codaFormat';
import { analyzeDependencies } from '../worker/deps/analyzeDependencies';
import { InstallerClient, storeFor } from '../worker/deps/InstallerClient';
import { neededDependencies } from '../worker/deps/neededDependencies';
import { fetchedRuntime } from '../worker/host/runtimeStore';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'codajs');
}

export interface DependencyOutcome {
  modulePaths: string[];
  error?: string;
  note?: string;
}

export async function installDependencies(file: string, doc: CodaDocument, progress: (m: string) => void, offline = false): Promise<DependencyOutcome> {
  const cells = doc.cells.flatMap((c, i) => (c.kind === 'code' ? [{ cellId: `cell-${i + 1}`, code: cellText(c) }] : []));
  const analysis = await analyzeDependencies(cells);
  const { storeDir, cacheDir, modulePath } = storeFor(cacheRoot(), file);
  if (analysis.problems.length) {
    const p = analysis.problems[0]!;
    return { modulePaths: [modulePath], error: `cell [${p.cellId?.replace('cell-', '')}] line ${p.line}: ${p.message}` };
  }
  const { needed, dependencies } = neededDependencies(analysis.specs, dirname(file));
  if (!needed.length) return { modulePaths: [modulePath] };
  const lock = doc.metadata[METADATA_LOCK] as DependencyLock | undefined;
  const access = installAccess(doc.metadata);
  const allowScripts = doc.metadata[METADATA_ALLOW_SCRIPTS] === true;
  const client = new InstallerClient({ installerPath: join(__dirname, 'installer.js'), nodePath: installerNode(allowScripts && !!access.permissions) });
  try {
    progress(`installing ${needed.map((s) => (s.range === '*' ? s.name : `${s.name}@${s.range}`)).join(', ')}`);
    if (allowScripts) progress(scriptsNotice(access.permissions));
    const result = await client.install(
      { storeDir, cacheDir, dependencies, lock, allowScripts, ...access, npmrcFrom: dirname(file), offline },
      { onProgress: progress },
    );
    progress(`installed ${Object.entries(result.installed).map(([n, v]) => `${n}@${v}`).join(', ')} in ${(result.durationMs / 1000).toFixed(2)} s${result.offline ? ' (offline, from the cache)' : ''}`);
    const changed = JSON.stringify(result.lock) !== JSON.stringify(lock ?? {});
    return { modulePaths: [result.modulePath], note: changed ? 'the dependency lock differs from the one saved in the notebook (open and run it in VS Code to update it); the file was not modified' : undefined };
  } catch (err) {
    return { modulePaths: [modulePath], error: (err as Error).message };
  } finally {
    client.dispose();
  }
}

/**
 * Install scripts of a notebook with permissions run under Node's permission model: when this Node lacks it, the
 * installer runs on the Node 24 that `coda runtimes fetch node` keeps (if it was fetched; else the install says so).
 */
function installerNode(confinedScripts: boolean): string | undefined {
  if (!confinedScripts || process.allowedNodeEnvironmentFlags.has('--permission')) return undefined;
  return fetchedRuntime(resolve(process.env.CODA_RUNTIMES_DIR ?? cacheRoot()), 'node');
}
