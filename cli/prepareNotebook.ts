/**
 * The ports of `coda run` for host/run/prepareRun.ts: permissions are granted by running the notebook, secrets come
 * from the environment and the --env-file files (every variable of those is injected), dependencies are installed
 * into the runner's store, and a missing runtime is downloaded (not with --offline). Progress goes to stderr.
 */
import { readFile } from 'node:fs/promises';
import type { CodaDocument, RuntimeKind, SerializedError } from '../protocol';
import type { KernelStartOptions } from '../host/kernel/Kernel';
import { parseDotenv } from '../host/parseDotenv';
import { prepareRun, type Prepared } from '../host/run/prepareRun';
import { resolveAccess, type AccessRefusal } from '../host/run/resolveAccess';
import type { RunOptions } from './args';
import { installDependencies } from './installDependencies';
import { fetchForRun, kernelOptions, runtimesDir } from './runtimeSetup';

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
  let modulePaths: string[] = [];
  let note: string | undefined;
  const prepared = await prepareRun<KernelStartOptions>({
    runtime,
    access: async () => {
      const outcome = await resolveAccess(doc.metadata, runtime, {
        grant: async () => true,
        secret: async (name) => fromFiles[name] ?? process.env[name],
      });
      if (!outcome.ok) return { ok: false, error: refusalError(outcome.refusal) };
      const env = { ...outcome.access.env, ...fromFiles };
      return { ok: true, access: { ...outcome.access, env, maskedValues: Object.values(env) } };
    },
    install: async () => {
      const deps = await installDependencies(file, doc, progress, opts.offline);
      modulePaths = deps.modulePaths;
      note = deps.note;
      return { cellErrors: deps.cellErrors };
    },
    startKernel: (access) => kernelOptions(file, runtime, opts, access, modulePaths, log),
    fetchRuntime: (err) => fetchForRun(err, runtimesDir(opts.runtimesDir), progress, opts.offline),
  });
  return { prepared, note };
}

/** Every variable of the --env-file files, later files winning. */
async function readEnvFiles(envFiles: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of envFiles) {
    const text = await readFile(f, 'utf8').catch((err: Error) => {
      throw new Error(`cannot read the env file ${f}: ${err.message}`);
    });
    const parsed = parseDotenv(text);
    if (parsed.problems.length) throw new Error(`${f}:${parsed.problems[0]!.line}: ${parsed.problems[0]!.message}`);
    Object.assign(out, parsed.values);
  }
  return out;
}

function refusalError(refusal: AccessRefusal): SerializedError {
  switch (refusal.reason) {
    case 'invalid':
      return { name: 'InvalidMetadata', message: refusal.detail };
    case 'unsupported':
      return {
        name: 'PermissionsUnsupported',
        message:
          "Bun cannot enforce permissions, so a Bun kernel does not run a notebook that declares them. Use --runtime node, deno or sandbox, or remove the notebook's permissions.",
      };
    case 'refused':
      return { name: 'PermissionsNotGranted', message: 'the permissions this notebook asks for were not granted' };
    case 'secretMissing':
      return {
        name: 'SecretMissing',
        message: `the notebook uses the secret ${refusal.name}: set it in the environment or in an --env-file`,
      };
  }
}
