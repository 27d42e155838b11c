/**
 * Runs the install scripts of an extracted tree (preinstall, install, postinstall; `node-gyp rebuild` for a package
 * with a binding.gyp and no install script), in npm's order: each event for every package, shallow packages first.
 * CodaJS runs them itself rather than through arborist so that each one gets exactly the confinement scriptPlan.ts
 * decides (a shell or Node's permission model), a scrubbed environment and its package folder as cwd.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, relative, resolve, sep } from 'node:path';
import { codaErrorObject, type Permissions } from '../protocol';
import { findNodeGyp, writeNodeGypShim } from './nodeGyp';
import { printable } from '../host/deps/printable';
import { NET_GUARD_FILE, NET_GUARD_SOURCE, PROCESS_GUARD_FILE, PROCESS_GUARD_SOURCE } from './scriptGuards';
import { planScript, scriptEnv, type ScriptPlan } from '../host/deps/scriptPlan';

/** Longest a single install script may run (native builds are slow; a hung script must not hang installs forever). */
export const SCRIPT_TIMEOUT_MS = 15 * 60_000;
/** Output of a failed script quoted in the error. */
const QUOTED_OUTPUT_CHARS = 1500;
/** Folder inside the staging store with CodaJS's own script helpers; scripts may read it, never write it. */
export const SCRIPT_SUPPORT_DIR = '.coda-scripts';
const EVENTS = ['preinstall', 'install', 'postinstall'] as const;
const DEFAULT_GYP_INSTALL = 'node-gyp rebuild';

export interface ScriptTreeNode {
  path: string;
  location: string;
  depth: number;
  isRoot?: boolean;
  isLink?: boolean;
  package: { name?: string; version?: string; scripts?: Record<string, string>; gypfile?: boolean };
}

export interface ScriptContext {
  /** The staging store folder (the tree's root). */
  root: string;
  permissions: Permissions | undefined;
  secretNames: readonly string[];
  progress: (message: string) => void;
}

interface Job {
  node: ScriptTreeNode;
  event: (typeof EVENTS)[number];
  command: string;
}

export function scriptJobs(nodes: Iterable<ScriptTreeNode>): Job[] {
  const pkgs = [...nodes]
    .filter((n) => !n.isRoot && !n.isLink)
    .map(withPackageJson)
    .sort((a, b) => a.depth - b.depth || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return EVENTS.flatMap((event) =>
    pkgs.flatMap((node) => {
      const scripts = node.package.scripts ?? {};
      let command = scripts[event];
      if (!command && event === 'install' && !scripts.preinstall && node.package.gypfile !== false && existsSync(join(node.path, 'binding.gyp')))
        command = DEFAULT_GYP_INSTALL;
      return command ? [{ node, event, command }] : [];
    }),
  );
}

/**
 * The extracted package.json is what runs: a tree built from a lock knows versions, not scripts (arborist reads the
 * file too).
 */
function withPackageJson(node: ScriptTreeNode): ScriptTreeNode {
  try {
    const pkg = JSON.parse(readFileSync(join(node.path, 'package.json'), 'utf8')) as ScriptTreeNode['package'];
    return { ...node, package: { name: pkg.name, version: pkg.version, scripts: pkg.scripts, gypfile: pkg.gypfile } };
  } catch {
    return node;
  }
}

export async function runInstallScripts(nodes: Iterable<ScriptTreeNode>, ctx: ScriptContext): Promise<number> {
  const jobs = scriptJobs(nodes);
  if (!jobs.length) return 0;
  const plans = jobs.map((job) => ({ job, plan: planScript(job.command, ctx.permissions) }));
  // refuse before any script runs: a half-run set of scripts helps nobody
  const refused = plans.find((p) => p.plan.kind === 'refused');
  if (refused?.plan.kind === 'refused') {
    throw codaErrorObject('InstallScriptRefused', {
      event: refused.job.event,
      pkg: id(refused.job.node),
      command: printable(refused.job.command),
      reason: refused.plan.reason,
    });
  }
  if (plans.some((p) => p.plan.kind === 'node') && !process.allowedNodeEnvironmentFlags.has('--permission')) {
    throw codaErrorObject('InstallScriptsNeedPermissionModel', { version: process.version });
  }
  const support = join(ctx.root, SCRIPT_SUPPORT_DIR);
  await mkdir(join(support, 'home'), { recursive: true });
  await writeFile(join(support, NET_GUARD_FILE), NET_GUARD_SOURCE);
  await writeFile(join(support, PROCESS_GUARD_FILE), PROCESS_GUARD_SOURCE);
  await writeNodeGypShim(join(support, 'bin'), findNodeGyp(), process.execPath);
  let n = 0;
  for (const { job, plan } of plans) {
    ctx.progress(`running the ${job.event} script of ${id(job.node)}`);
    await runOne(job, plan, ctx, support, n++);
  }
  return n;
}

async function runOne(job: Job, plan: ScriptPlan, ctx: ScriptContext, support: string, index: number): Promise<void> {
  const { node, event, command } = job;
  const home = join(support, 'home', String(index));
  await mkdir(home, { recursive: true });
  const pathDirs: string[] = [];
  for (let d = node.path; ; d = dirname(d)) {
    pathDirs.push(join(d, 'node_modules', '.bin'));
    if (d === ctx.root || dirname(d) === d) break;
  }
  pathDirs.push(join(support, 'bin'), dirname(process.execPath), process.env.PATH ?? process.env.Path ?? '');
  const npm: Record<string, string> = {
    PATH: pathDirs.join(delimiter),
    npm_package_name: node.package.name ?? '',
    npm_package_version: node.package.version ?? '',
    npm_package_json: join(node.path, 'package.json'),
    npm_lifecycle_event: event,
    npm_lifecycle_script: command,
    npm_node_execpath: process.execPath,
    npm_config_node_gyp: findNodeGyp() ?? '',
  };
  const env = scriptEnv({ permissions: ctx.permissions, secretNames: ctx.secretNames, env: process.env, npm, home, platform: process.platform });
  if (plan.kind === 'refused') throw new Error('unreachable: refused scripts are rejected before any runs');
  const [file, args, shell] =
    plan.kind === 'shell'
      ? [command, [], true]
      : [process.execPath, [...confinedNodeArgs(ctx.root, node.path, home, support, plan), plan.file, ...plan.args], false];
  const result = await spawnScript(file, args, { cwd: node.path, env, shell });
  if (result.code === 0) return;
  const denied = /ERR_ACCESS_DENIED|PermissionDenied|Access to this API has been restricted/.test(result.output);
  throw codaErrorObject(denied ? 'InstallScriptDenied' : 'InstallScriptFailed', {
    event,
    pkg: id(node),
    command: printable(command),
    how: result.timedOut ? `stopped after ${SCRIPT_TIMEOUT_MS / 60_000} minutes` : (result.signal ?? `exit code ${result.code}`),
    output: result.output ? `\n${printable(result.output.slice(-QUOTED_OUTPUT_CHARS))}` : '',
  });
}

/** Node's permission model for one script: read the store, write its own folder and home, nothing else. */
function confinedNodeArgs(root: string, pkg: string, home: string, support: string, plan: Extract<ScriptPlan, { kind: 'node' }>): string[] {
  const target = resolve(pkg, plan.file);
  const rel = relative(pkg, target);
  if (rel.startsWith('..') || rel.startsWith(sep)) throw codaErrorObject('InstallScriptOutsidePackage', { file: plan.file });
  const both = (p: string) => [...new Set([p, realOrSelf(p)])];
  const args = [process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission'];
  for (const p of both(root)) args.push(`--allow-fs-read=${p}`);
  for (const p of [...both(pkg), ...both(home)]) args.push(`--allow-fs-write=${p}`);
  if (plan.childProcesses) args.push('--allow-child-process');
  args.push('--require', join(support, PROCESS_GUARD_FILE));
  if (!plan.network) args.push('--require', join(support, NET_GUARD_FILE));
  return args;
}

interface ScriptResult {
  code: number | null;
  signal: string | null;
  output: string;
  timedOut: boolean;
}

function spawnScript(file: string, args: string[], opts: { cwd: string; env: Record<string, string>; shell: boolean }): Promise<ScriptResult> {
  return new Promise((resolveResult) => {
    const child = spawn(file, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-QUOTED_OUTPUT_CHARS * 2);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, SCRIPT_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolveResult({ code: -1, signal: null, output: err.message, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveResult({ code, signal, output: output.trim(), timedOut });
    });
  });
}

function id(node: ScriptTreeNode): string {
  return printable(`${node.package.name ?? node.location}@${node.package.version ?? '?'}`);
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
