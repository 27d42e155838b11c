/**
 * The ports of `coda run` for host/run/prepareRun.ts: permissions are granted by running the notebook, secrets come
 * from the environment and the --env-file files (every variable of those is injected), dependencies are installed
 * into the runner's store, and a missing runtime is downloaded (not with --offline). Progress goes to stderr.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { codaErrorObject, type CodaDocument, type RuntimeKind } from '../protocol';
import type { KernelStartOptions } from '../host/kernel/Kernel';
import { parseDotenv } from '../host/parseDotenv';
import { notebookPlugins, pluginsNamedIn } from '../host/plugins/notebookPlugins';
import { prepareRun, type Prepared } from '../host/run/prepareRun';
import { refusalError, resolveAccess } from '../host/run/resolveAccess';
import type { RunOptions } from './args';
import { installDependencies } from './installDependencies';
import { fetchForRun, kernelOptions, runtimesDir } from './runtimeSetup';
import { findNode } from '../host/kernel/findNode';

export interface PreparedNotebook {
  prepared: Prepared<KernelStartOptions>;
  /** Said once the install is done (e.g. the lock in the file is out of date). */
  note?: string;
}

export async function prepareNotebook(
  file: string,
  doc: CodaDocument,
  opts: RunOptions,
  runtime: RuntimeKind,
  progress: (message: string) => void,
  log: KernelStartOptions['log'],
): Promise<PreparedNotebook> {
  const fromFiles = await readEnvFiles(opts.envFiles);
  // --plugin's, then the notebook's: installed into its store with its imports and loaded in that order
  const plugins = notebookPlugins(doc.metadata, dirname(file), pluginsNamedIn(opts.plugins, process.cwd()));
  let modulePaths: string[] = [];
  let note: string | undefined;
  const prepared = await prepareRun<KernelStartOptions>({
    runtime,
    access: async () => {
      const outcome = await resolveAccess(doc.metadata, runtime, {
        grant: async () => true,
        secret: async (name) => fromFiles[name] ?? process.env[name],
      });
      if (!outcome.ok) return { ok: false, error: refusalError(outcome.refusal, 'cli') };
      const env = { ...outcome.access.env, ...fromFiles };
      return { ok: true, access: { ...outcome.access, env, maskedValues: Object.values(env) } };
    },
    install: async () => {
      // a Node kernel's packages are picked for its Node (not the runner's), and may be installed by a faster one
      const node = runtime === 'node' ? await findNode(opts.nodePath).catch(() => undefined) : undefined;
      const kernel = node && { node, runtimesDir: runtimesDir(opts.runtimesDir) };
      const deps = await installDependencies(file, doc, progress, opts.offline, plugins, kernel);
      modulePaths = deps.modulePaths;
      note = deps.note;
      return { cellErrors: deps.cellErrors };
    },
    startKernel: (access) => kernelOptions(file, runtime, opts, access, modulePaths, log, plugins.specs),
    fetchRuntime: (err) => fetchForRun(err, runtimesDir(opts.runtimesDir), progress, opts.offline),
  });
  return { prepared, note };
}

/** Every variable of the --env-file files, later files winning. */
async function readEnvFiles(envFiles: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of envFiles) {
    const text = await readFile(f, 'utf8').catch((err: Error) => {
      throw codaErrorObject('EnvFileUnreadable', { file: f, detail: err.message });
    });
    const parsed = parseDotenv(text);
    const problem = parsed.problems[0];
    if (problem) throw codaErrorObject('EnvFileInvalid', { file: f, line: problem.line, problem: problem.message });
    Object.assign(out, parsed.values);
  }
  return out;
}
