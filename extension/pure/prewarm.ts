/**
 * Starting a notebook's kernel before its first run (issue 17: the first result as fast as `node -e`), without
 * vscode. Only when it needs nobody: a trusted workspace, the setting on, no kernel yet, permissions already granted
 * and secrets known (nothing is asked), the runtime present (nothing is downloaded). Packages are not installed: the
 * kernel resolves them from the store when a cell imports them, and the first run installs before it executes; when
 * the stores cannot serve the notebook's imports, the installer process is started too (nothing is fetched), so that
 * install finds it loaded. A failure is logged and changes nothing: the first run starts what it needs as it always did.
 */
import type { RuntimeKind } from '../../protocol';
import type { KernelAccess } from '../../host/run/resolveAccess';

export interface PrewarmPorts<D> {
  enabled(): boolean;
  trusted(): boolean;
  /** The document has a live kernel, or one is starting. */
  hasKernel(doc: D): boolean;
  runtime(doc: D): RuntimeKind;
  /** The access a run would start the kernel with, or undefined when getting it would ask the user something. */
  access(doc: D, runtime: RuntimeKind): Promise<KernelAccess | undefined>;
  /** Starts the kernel exactly as a run would (the same launch key, so the run reuses it). */
  start(doc: D, runtime: RuntimeKind, access: KernelAccess): Promise<unknown>;
  /** Starts the installer process when the first run will need it (the stores lack the notebook's packages). */
  warmInstaller(doc: D): Promise<unknown>;
  log(message: string): void;
}

export type PrewarmOutcome = 'started' | 'skipped' | 'failed';

export async function prewarm<D>(doc: D, ports: PrewarmPorts<D>): Promise<PrewarmOutcome> {
  if (!ports.enabled() || !ports.trusted() || ports.hasKernel(doc)) return 'skipped';
  const runtime = ports.runtime(doc);
  try {
    const access = await ports.access(doc, runtime);
    if (!access || ports.hasKernel(doc)) return 'skipped';
    await ports.start(doc, runtime, access);
  } catch (err) {
    ports.log(`the kernel was not started ahead of the first run: ${err instanceof Error ? err.message : String(err)}`);
    return 'failed';
  }
  // after the kernel, which every run needs: the two would share the machine's cores
  await ports
    .warmInstaller(doc)
    .catch((err: unknown) => ports.log(`the installer was not started ahead of the first run: ${err instanceof Error ? err.message : String(err)}`));
  return 'started';
}
