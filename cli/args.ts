/** Command line of `coda`. */
import type { RuntimeKind } from '../protocol';

export interface RunOptions {
  command: 'run';
  file: string;
  json: boolean;
  /** Overrides the notebook's metadata runtime. */
  runtime?: RuntimeKind;
  /** .env files whose variables are injected as secrets (masked in every output). */
  envFiles: string[];
  /** Runtime store (default ~/.cache/codajs, or $CODA_RUNTIMES_DIR). */
  runtimesDir?: string;
  nodePath?: string;
  cellTimeoutMs?: number;
  /** Heap limit of the kernel's Node in MB (--max-old-space-size); going over it ends the kernel. */
  maxMemoryMb?: number;
  keepGoing: boolean;
  verbose: boolean;
  /** How long to let background work (timers) of the last cells finish before exiting. */
  drainMs: number;
  /** Install dependencies from the cache only. */
  offline: boolean;
}

export interface RuntimesOptions {
  command: 'runtimes';
  action: 'list' | 'fetch';
  /** Runtimes to fetch. */
  which: RuntimeKind[];
  runtimesDir?: string;
}

export type Command = RunOptions | RuntimesOptions | { command: 'help' } | { command: 'version' };

/** `--runtime` and `coda runtimes fetch` names; `sandbox` is the isolated-vm runtime. */
export function runtimeName(name: string | undefined): RuntimeKind {
  const r = name === 'sandbox' ? 'isolate' : name;
  if (r === 'node' || r === 'deno' || r === 'bun' || r === 'isolate') return r;
  throw new Error(`unknown runtime '${name}' (node, deno, bun or sandbox)`);
}

export const USAGE = `Usage: coda run <notebook.coda> [options]
       coda runtimes [list | fetch <node|deno|bun|sandbox|all>] [--dir <folder>]

Runs every code cell of a CodaJS notebook in order, in one kernel, printing console output and results.
Packages the cells import (or name in // @coda-dep comments) are installed first, from the notebook's lock when
it has one, into ~/.cache/codajs; your npm config (.npmrc: registry, proxy, tokens) is respected.
Exits 1 when a cell fails, 2 when the notebook cannot be read.
The runtime is the notebook's (metadata "runtime", default node); a missing Deno, Bun or sandbox is downloaded
from the npm registry (integrity checked) into ~/.cache/codajs/runtimes. The notebook's declared "permissions"
are enforced, and its "secrets" are read from the environment or --env-file and masked in every output.

Options:
  --json               print one JSON document with every cell's outputs instead of text
  --runtime <name>     node, deno, bun or sandbox (default: the notebook's runtime, else node)
  --env-file <path>    inject this .env file's variables as secrets (masked in every output); repeatable
  --node <path>        Node.js binary for the kernel (default: the one running coda)
  --cell-timeout <ms>  interrupt a cell that runs longer, and count it as failed
  --keep-going         run the remaining cells after a failure (a fresh kernel after a crash)
  --max-memory <MB>    heap limit of the kernel (default: Node's own)
  --drain <ms>         wait at most this long for timers and pending I/O (files, DNS, child processes, requests) left by the cells (default 3000)
  --offline            install packages and runtimes from the cache only
  --runtimes-dir <dir> where runtimes are downloaded (default ~/.cache/codajs, or $CODA_RUNTIMES_DIR)
  --verbose            print kernel diagnostics to stderr
  -h, --help           this help
  -v, --version        the CodaJS version`;

export function parseArgs(argv: string[]): Command {
  const args = [...argv];
  if (!args.length || args.includes('-h') || args.includes('--help')) return { command: 'help' };
  if (args.includes('-v') || args.includes('--version')) return { command: 'version' };
  const command = args.shift();
  if (command === 'runtimes') return parseRuntimes(args);
  if (command !== 'run') throw new Error(`unknown command '${command}' (try: coda run <notebook.coda>)`);
  const opts: RunOptions = { command: 'run', file: '', json: false, envFiles: [], keepGoing: false, verbose: false, drainMs: 3000, offline: false };
  const number = (flag: string, v: string | undefined, unit = 'milliseconds') => {
    const n = Number(v);
    if (!v || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number of ${unit}`);
    return n;
  };
  while (args.length) {
    const a = args.shift()!;
    if (a === '--json') opts.json = true;
    else if (a === '--keep-going') opts.keepGoing = true;
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '--offline') opts.offline = true;
    else if (a === '--node') opts.nodePath = args.shift();
    else if (a === '--cell-timeout') opts.cellTimeoutMs = number(a, args.shift());
    else if (a === '--drain') opts.drainMs = number(a, args.shift());
    else if (a === '--max-memory') opts.maxMemoryMb = Math.max(16, Math.round(number(a, args.shift(), 'megabytes')));
    else if (a === '--runtime') opts.runtime = runtimeName(args.shift());
    else if (a === '--env-file') opts.envFiles.push(need(a, args.shift()));
    else if (a === '--runtimes-dir') opts.runtimesDir = need(a, args.shift());
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else if (!opts.file) opts.file = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!opts.file) throw new Error('which notebook? coda run <notebook.coda>');
  return opts;
}

function need(flag: string, v: string | undefined): string {
  if (!v) throw new Error(`${flag} needs a value`);
  return v;
}

function parseRuntimes(args: string[]): RuntimesOptions {
  const opts: RuntimesOptions = { command: 'runtimes', action: 'list', which: [] };
  while (args.length) {
    const a = args.shift()!;
    if (a === '--dir') opts.runtimesDir = need(a, args.shift());
    else if (a === 'list' || a === 'fetch') opts.action = a;
    else if (a === 'all') opts.which.push('node', 'deno', 'bun', 'isolate');
    else opts.which.push(runtimeName(a));
  }
  if (opts.action === 'fetch' && !opts.which.length) throw new Error('which runtime? coda runtimes fetch <node|deno|bun|sandbox|all>');
  return opts;
}
