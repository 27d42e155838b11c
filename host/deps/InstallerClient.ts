/**
 * The host side of the installer process: forks dist/installer.js on the first install, keeps it while installs
 * keep coming (its in-memory packument tier), and stops it (`shutdown`, a kill as fallback) after IDLE_MS or on
 * dispose. Cancelling an install kills the process at once.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compileCacheDir } from '../cacheRoot';
import { codeCacheFile } from '../codeCacheFile';
import { installFromStores } from './storeReuse';
import { scriptMode } from './installAccess';
import { recordLock } from './storeRecord';
import {
  codaErrorObject,
  createChannel,
  RequestError,
  type Channel,
  type FetchRuntimeParams,
  type FetchRuntimeResult,
  type InstallerEvents,
  type InstallerRequests,
  type RuntimeSizeParams,
  type RuntimeSizeResult,
  type InstallParams,
  type InstallResult,
} from '../../protocol';
import { INSTALLER_CODE_CACHE_FILE_ENV } from '../../protocol/workerCodeCache';

export const IDLE_MS = 5 * 60_000;
/** How long a stopped installer gets before SIGKILL. */
export const KILL_GRACE_MS = 1000;
/**
 * How long an installer asked to shut down gets to exit by itself before it is killed: it first writes the responses
 * it holds into the HTTP cache (installer/cacheBehind.ts; well under a second for a cold install of a few packages).
 */
export const SHUTDOWN_GRACE_MS = 30_000;

export interface InstallOptions {
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

export class InstallerClient {
  private child: ChildProcess | undefined;
  /** Every process this client started and that has not exited: dispose() stops them all. */
  private readonly children = new Set<ChildProcess>();
  private channel: Channel<InstallerRequests, InstallerEvents> | undefined;
  private idle: NodeJS.Timeout | undefined;
  private busy = 0;
  private started = 0;

  constructor(
    private readonly options: {
      installerPath: string;
      nodePath?: string;
      log?: (message: string) => void;
      /** Where the installer's code cache is kept (default: the user's compile-cache folder). */
      codeCacheDir?: string;
    },
  ) {}

  async install(params: InstallParams, opts: InstallOptions = {}): Promise<InstallResult> {
    if (opts.signal?.aborted) throw cancelled('Installing dependencies');
    // an install that adds types changes the store it was given: the stores' tiers serve finished ones
    const fromStores = params.addsTypesTo === undefined ? await installFromStores(params) : undefined;
    if (fromStores) return fromStores;
    const result = await this.request('install', params, opts, 'Installing dependencies');
    // only a lock chosen by an install that looked for the editor's types is kept (InstallParams.editorTypes)
    if (params.editorTypes !== false && !result.superseded) await recordLock(params.storeDir, params.dependencies, scriptMode(params), result.lock);
    return result;
  }

  /**
   * Starts the installer process ahead of an install (a notebook opened whose packages its store lacks), so the first
   * install finds it loaded; unused, it stops after IDLE_MS like an idle one and never keeps its host alive.
   */
  warm(): void {
    if (this.channel && !this.channel.closed) return;
    this.connect();
    if (this.busy) return;
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.dispose(), IDLE_MS).unref();
    this.child?.unref();
    (this.child?.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  /** Installer processes this client has started (none when every install was served from the stores). */
  get processesStarted(): number {
    return this.started;
  }

  /** Extracts runtime packages (integrity checked) through the installer process. */
  fetchRuntime(params: FetchRuntimeParams, opts: InstallOptions = {}): Promise<FetchRuntimeResult> {
    return this.request('fetchRuntime', params, opts, 'Downloading the runtime');
  }

  /** What downloading runtime packages would cost (asked before the download prompt; parts may be unknown). */
  runtimeSize(params: RuntimeSizeParams): Promise<RuntimeSizeResult> {
    return this.request('runtimeSize', params, {}, 'Asking the registry for the download size');
  }

  /** Resolves once the installer has written what its installs fetched into the HTTP cache (it does so after each). */
  cacheWritten(): Promise<void> {
    return this.request('writeCache', {}, {}, 'Writing the download cache').then(() => undefined);
  }

  private async request<M extends 'install' | 'fetchRuntime' | 'runtimeSize' | 'writeCache'>(
    method: M,
    params: InstallerRequests[M]['params'],
    opts: InstallOptions,
    what: string,
  ): Promise<InstallerRequests[M]['result']> {
    if (opts.signal?.aborted) throw cancelled(what);
    const channel = this.connect();
    const off = channel.onEvent('progress', ({ message }) => opts.onProgress?.(message));
    const onAbort = () => this.stop(false);
    opts.signal?.addEventListener('abort', onAbort);
    this.busy++;
    clearTimeout(this.idle);
    this.child?.ref();
    (this.child?.channel as { ref?: () => void } | undefined)?.ref?.();
    try {
      return await channel.request(method, params);
    } catch (err) {
      if (opts.signal?.aborted) throw cancelled(what);
      if (err instanceof RequestError) throw err.unwrap();
      throw err;
    } finally {
      off();
      opts.signal?.removeEventListener('abort', onAbort);
      if (--this.busy === 0) {
        this.idle = setTimeout(() => this.dispose(), IDLE_MS).unref();
        // an idle installer never keeps its host process alive
        this.child?.unref();
        (this.child?.channel as { unref?: () => void } | undefined)?.unref?.();
      }
    }
  }

  private connect(): Channel<InstallerRequests, InstallerEvents> {
    if (this.channel && !this.channel.closed) return this.channel;
    const node = this.options.nodePath ?? process.execPath;
    const child = fork(this.options.installerPath, [], {
      execPath: node,
      execArgv: [],
      serialization: 'json',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Node >= 22.1 keeps the installer's compiled code between starts (install scripts get their own environment)
      env: {
        ...process.env,
        NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? compileCacheDir(),
        // arborist checks its whole tree at every move when the process runs in the folder above its code: the bundle's
        // (dist/..), the extension's or this repository's own folder (the tests and the bench ran there); off unless asked
        ARBORIST_DEBUG: process.env.ARBORIST_DEBUG ?? '0',
        ...installerCodeCache(this.options.installerPath, node, this.options.codeCacheDir ?? compileCacheDir()),
      },
    });
    this.children.add(child);
    this.started++;
    child.once('exit', () => this.children.delete(child));
    child.stdout?.on('data', (d: Buffer) => this.options.log?.(`[installer] ${d.toString().trimEnd()}`));
    child.stderr?.on('data', (d: Buffer) => this.options.log?.(`[installer] ${d.toString().trimEnd()}`));
    const channel = createChannel<InstallerRequests, InstallerEvents>({
      send: (frame) => child.send(frame),
      onMessage: (l) => {
        child.on('message', l as (m: unknown) => void);
        return () => void child.off('message', l as (m: unknown) => void);
      },
      onClose: (l) => {
        const onExit = (code: number | null, signal: string | null) => l(`The installer stopped (${signal ?? `code ${code}`}).`);
        child.on('exit', onExit);
        return () => void child.off('exit', onExit);
      },
    });
    child.on('error', (err) => {
      this.options.log?.(`installer process error: ${err.message}`);
      channel.close(`The installer could not run: ${err.message}`);
    });
    this.child = child;
    this.channel = channel;
    return channel;
  }

  /**
   * Stops the installer: it is asked to `shutdown` (it writes its cache, answers, then exits); one that has not exited
   * after SHUTDOWN_GRACE_MS is killed.
   */
  dispose(): void {
    this.stop(true);
  }

  /**
   * Stops the installer as `dispose` does and resolves once its processes have exited (a graceful one has written its
   * HTTP cache first: what tests wait for before they remove the cache).
   */
  async close(): Promise<void> {
    const children = [...this.children].filter(running);
    const exited = children.map((c) => new Promise<void>((resolve) => c.once('exit', () => resolve())));
    this.stop(true);
    await Promise.all(exited);
  }

  /** Graceful: the `shutdown` request first, the kill as fallback. Otherwise (a cancelled install) killed at once. */
  private stop(graceful: boolean): void {
    clearTimeout(this.idle);
    const current = this.child;
    if (graceful && current?.connected && this.channel && !this.channel.closed) this.channel.request('shutdown', {}).catch(() => undefined);
    this.channel?.close('The installer was stopped.');
    for (const child of this.children) {
      if (graceful && child === current && child.connected) {
        // its host waits for it (a `coda run` ends once the installer has written its cache)
        child.ref();
        setTimeout(() => running(child) && kill(child), SHUTDOWN_GRACE_MS).unref();
      } else kill(child);
    }
    this.child = undefined;
    this.channel = undefined;
  }
}

/**
 * The installer's code cache file (installer/entry.ts), in the user's compile-cache folder, made here (readable by the
 * user alone) for the installer to write; empty (no cache) when it cannot be named or the folder cannot be made. Always
 * set: a name in the environment the host inherited is never the installer's file.
 */
function installerCodeCache(installerPath: string, node: string, dir: string): Record<string, string> {
  const file = codeCacheFile({ workerPath: installerPath, node, execArgv: [] }, dir, 'installer');
  try {
    if (file) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  } catch {
    return { [INSTALLER_CODE_CACHE_FILE_ENV]: '' };
  }
  return { [INSTALLER_CODE_CACHE_FILE_ENV]: file ?? '' };
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** The installer exits when its channel closes; a signal follows for one stuck in a library's signal handler. */
function kill(child: ChildProcess): void {
  if (child.connected) child.disconnect();
  child.kill();
  setTimeout(() => running(child) && child.kill('SIGKILL'), KILL_GRACE_MS).unref();
}

function cancelled(what: string): Error {
  return codaErrorObject('Cancelled', { what });
}

/** The content-addressed cache (tarballs, packuments) under a cache root, shared by dependencies and runtimes. */
export function contentCache(cacheRoot: string): string {
  return join(cacheRoot, 'cacache');
}

/** Where a notebook's packages live: one store per notebook, one content cache for all. */
export function storeFor(cacheRoot: string, documentPath: string): { storeDir: string; cacheDir: string; modulePath: string } {
  const key = createHash('sha256').update(documentPath).digest('hex').slice(0, 16);
  const storeDir = join(cacheRoot, 'stores', key);
  return { storeDir, cacheDir: contentCache(cacheRoot), modulePath: join(storeDir, 'node_modules') };
}
