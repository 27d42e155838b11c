/**
 * Everything before a cell runs, in one place for the notebook controller, scratch files and `coda run`: workspace
 * trust, permissions and secrets, the packages the cells import (never for the sandbox), and the kernel (a missing
 * runtime fetched, then the start tried again). What differs between the hosts comes in as ports: asking the user,
 * reporting progress, fetching a runtime. A refusal at any step stops there (nothing is installed for a notebook
 * whose permissions were refused; nothing is forked in an untrusted workspace). No vscode import.
 */
import { asCodaError, codaError, type RuntimeKind, type SerializedError } from '../../protocol';
import { RuntimeMissingError } from '../kernel/locateRuntime';
import type { KernelAccess } from './resolveAccess';

/** Cells whose imports could not be installed (each fails alone), or an error every cell shares. */
export type InstallOutcome = { cellErrors: Map<string, SerializedError> } | { error: SerializedError };

export interface PrepareRunPorts<K> {
  runtime: RuntimeKind;
  /** The one cell this run is for (a notebook cell): when its import could not be installed, no kernel is started. */
  cellId?: string;
  /** Why code may not run here (an untrusted workspace), or undefined; absent: trusted (`coda run` is run on purpose). */
  untrusted?(): SerializedError | undefined;
  /** Granted permissions and secrets, or why not; absent: none (a scratch file declares nothing). */
  access?(): Promise<{ ok: true; access: KernelAccess } | { ok: false; error: SerializedError }>;
  /** Installs what the cells import, with the access the notebook declares. */
  install?(access: KernelAccess): Promise<InstallOutcome>;
  /** Starts (or reuses) the kernel: a Kernel in the editor, the resolved launch in `coda run`. */
  startKernel(access: KernelAccess): Promise<K>;
  /** The runtime is missing: fetch it (VS Code asks first; `coda run` downloads unless --offline); true once fetched. */
  fetchRuntime?(err: RuntimeMissingError): Promise<boolean>;
}

export type Stage = 'trust' | 'access' | 'install' | 'kernel';

export type Prepared<K> =
  { ok: true; kernel: K; access: KernelAccess; cellErrors: Map<string, SerializedError> } | { ok: false; stage: Stage; error: SerializedError };

export async function prepareRun<K>(ports: PrepareRunPorts<K>): Promise<Prepared<K>> {
  const untrusted = ports.untrusted?.();
  if (untrusted) return { ok: false, stage: 'trust', error: untrusted };
  let access: KernelAccess = {};
  if (ports.access) {
    const granted = await ports.access();
    if (!granted.ok) return { ok: false, stage: 'access', error: granted.error };
    access = granted.access;
  }
  let cellErrors = new Map<string, SerializedError>();
  // the sandbox cannot import packages: nothing to install for it
  if (ports.install && ports.runtime !== 'sandbox') {
    const installed = await ports.install(access);
    if ('error' in installed) return { ok: false, stage: 'install', error: installed.error };
    cellErrors = installed.cellErrors;
    const own = ports.cellId === undefined ? undefined : cellErrors.get(ports.cellId);
    if (own) return { ok: false, stage: 'install', error: own };
  }
  const start = () => ports.startKernel(access);
  try {
    const kernel = await start().catch(async (err: unknown) => {
      if (err instanceof RuntimeMissingError && (await ports.fetchRuntime?.(err))) return start();
      throw err;
    });
    return { ok: true, kernel, access, cellErrors };
  } catch (err) {
    const error = asCodaError(err) ?? codaError('KernelStartFailedOther', { detail: err instanceof Error ? err.message : String(err) });
    return { ok: false, stage: 'kernel', error };
  }
}
