/** Command line of `coda`, read with Node's util.parseArgs (`--opt value` and `--opt=value` alike). */
import { parseArgs as nodeParseArgs, type ParseArgsConfig } from 'node:util';
import { codaErrorObject, RUNTIME_IDS, runtimeNamed, type RuntimeKind } from '../protocol';

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
  /** Kernel plugins to load before the notebook's own (`--plugin`, in order): package names or plugin files. */
  plugins: string[];
}

export interface RuntimesOptions {
  command: 'runtimes';
  action: 'list' | 'fetch';
  /** Runtimes to fetch. */
  which: RuntimeKind[];
  runtimesDir?: string;
}

export interface ConvertOptions {
  command: 'convert';
  from: string;
  to: string;
  /** Replace `to` when it exists. */
  force: boolean;
}

export interface CacheOptions {
  command: 'cache';
  action: 'list' | 'size' | 'prune';
  /** Stores unused for longer are pruned (default DEFAULT_MAX_AGE_DAYS); 0 prunes every store not in use. */
  maxAgeDays?: number;
}

export type Command = RunOptions | RuntimesOptions | ConvertOptions | CacheOptions | { command: 'help' } | { command: 'version' };

/** `--runtime` and `coda runtimes fetch` names; `sandbox` is the isolated-vm runtime. */
export function runtimeName(name: string | undefined): RuntimeKind {
  const r = runtimeNamed(name);
  if (r) return r;
  throw codaErrorObject('UsageUnknownRuntime', { runtime: String(name), known: `${RUNTIME_IDS.slice(0, -1).join(', ')} or ${RUNTIME_IDS.at(-1)}` });
}

export const USAGE = `Usage: coda run <notebook.coda|notebook.ipynb|script.js|script.ts> [options]
       coda convert <from> <to> [--force]   (each a .coda or .ipynb notebook, or a .js/.ts script of // %% cells)
       coda runtimes [list | fetch <node|deno|bun|sandbox|all>] [--dir <folder>]
       coda cache [list | size | prune] [--max-age-days <n>]

Runs every code cell of a CodaJS notebook in order, in one kernel, printing console output and results. A script
runs as Run Scratch runs it: its // %% lines split it into cells, a // @coda-runtime comment picks the runtime.
Packages the cells import (or name in // @coda-dep comments) are installed first, from the notebook's lock when
it has one, into ~/.cache/codajs; your npm config (.npmrc: registry, proxy, tokens) is respected.
Exits 1 when a cell fails, 2 when the notebook cannot be read, else with the exit code the cells set (process.exitCode,
as a Node script does); Ctrl-C interrupts the running cell, a second quits (130); output whose reader has gone stops
the run (141). Cells read coda run's stdin.
The runtime is the notebook's (metadata "runtime", default node); a missing Deno, Bun or sandbox is downloaded
from the npm registry (integrity checked) into ~/.cache/codajs/runtimes. The notebook's declared "permissions"
are enforced, and its "secrets" are read from the environment or --env-file and masked in every output.

Options (a value follows as --option value or --option=value; a file name that starts with - goes after --):
  --json               print one JSON document with every cell's outputs instead of text
  --runtime <name>     node, deno, bun or sandbox (default: the notebook's runtime, else node)
  --env-file <path>    inject this .env file's variables as secrets (masked in every output); repeatable
  --plugin <name|file> load this kernel plugin before the notebook's own: an npm package (installed like the
                       notebook's imports) or a plugin file (its // @coda-dep lines installed too); repeatable
  --node <path>        Node.js binary for the kernel (default: the one running coda)
  --cell-timeout <ms>  interrupt a cell that runs longer, and count it as failed
  --keep-going         run the remaining cells after a failure (a fresh kernel after a crash)
  --max-memory <MB>    heap limit of the kernel (default: Node's own)
  --drain <ms>         wait at most this long for timers and pending I/O (files, DNS, child processes, requests) left by the cells (default 3000);
                       what is still going then is named, and ends with the kernel
  --offline            install packages and runtimes from the cache only
  --runtimes-dir <dir> where runtimes are downloaded (default ~/.cache/codajs, or $CODA_RUNTIMES_DIR)
  --verbose            print kernel diagnostics to stderr
  -h, --help           this help
  -v, --version        the CodaJS version`;

/** Options of `coda run`, as util.parseArgs reads them: `--opt value` and `--opt=value` alike. */
const RUN_OPTIONS = {
  json: { type: 'boolean' },
  'keep-going': { type: 'boolean' },
  verbose: { type: 'boolean' },
  offline: { type: 'boolean' },
  node: { type: 'string' },
  'cell-timeout': { type: 'string' },
  drain: { type: 'string' },
  'max-memory': { type: 'string' },
  runtime: { type: 'string' },
  'env-file': { type: 'string', multiple: true },
  plugin: { type: 'string', multiple: true },
  'runtimes-dir': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const RUNTIMES_OPTIONS = { dir: { type: 'string' } } as const satisfies ParseArgsConfig['options'];
const CACHE_OPTIONS = { 'max-age-days': { type: 'string' } } as const satisfies ParseArgsConfig['options'];

/** The default of --drain: how long background work of the last cells may run before coda exits. */
export const DEFAULT_DRAIN_MS = 3000;
/** --max-memory below this would end the kernel before it starts. */
export const MIN_MEMORY_MB = 16;

export function parseArgs(argv: string[]): Command {
  // help and version win wherever they stand, except after `--` (where they would be file names)
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (!argv.length || flags.includes('-h') || flags.includes('--help')) return { command: 'help' };
  if (flags.includes('-v') || flags.includes('--version')) return { command: 'version' };
  const [command, ...rest] = argv;
  if (command === 'runtimes') return parseRuntimes(rest);
  if (command === 'cache') return parseCache(rest);
  if (command === 'convert') {
    // --force before a `--` (after it, every argument is a file name)
    const dashes = rest.indexOf('--');
    const options = dashes === -1 ? rest : rest.slice(0, dashes);
    const force = options.includes('--force');
    const files = [...options.filter((a) => a !== '--force'), ...(dashes === -1 ? [] : rest.slice(dashes + 1))];
    if (files.length !== 2 || options.some((f) => f.startsWith('-') && f !== '--force')) throw codaErrorObject('UsageConvert');
    return { command: 'convert', from: files[0]!, to: files[1]!, force };
  }
  if (command !== 'run') throw codaErrorObject('UsageUnknownCommand', { command: String(command) });
  const { values: v, positionals } = readArgs(rest, RUN_OPTIONS, { 'cell-timeout': 'milliseconds', drain: 'milliseconds', 'max-memory': 'megabytes' });
  const [file, extra] = positionals;
  if (extra !== undefined) throw codaErrorObject('UsageUnexpectedArgument', { argument: extra });
  if (!file) throw codaErrorObject('UsageNoNotebook');
  const opts: RunOptions = {
    command: 'run',
    file,
    json: v.json ?? false,
    envFiles: (v['env-file'] ?? []).map((f) => need('--env-file', f)),
    keepGoing: v['keep-going'] ?? false,
    verbose: v.verbose ?? false,
    drainMs: v.drain === undefined ? DEFAULT_DRAIN_MS : number('--drain', v.drain),
    offline: v.offline ?? false,
    plugins: (v.plugin ?? []).map((p) => need('--plugin', p.trim())),
  };
  if (v.node !== undefined) opts.nodePath = need('--node', v.node);
  if (v['cell-timeout'] !== undefined) opts.cellTimeoutMs = number('--cell-timeout', v['cell-timeout']);
  if (v['max-memory'] !== undefined) opts.maxMemoryMb = Math.max(MIN_MEMORY_MB, Math.round(number('--max-memory', v['max-memory'], 'megabytes')));
  if (v.runtime !== undefined) opts.runtime = runtimeName(v.runtime);
  if (v['runtimes-dir'] !== undefined) opts.runtimesDir = need('--runtimes-dir', v['runtimes-dir']);
  return opts;
}

/**
 * util.parseArgs in strict mode, its errors reworded the way coda words them (`unknown option --x`,
 * `--node needs a value`); `units` names what a numeric option's value counts.
 */
function readArgs<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, units: Record<string, string> = {}) {
  try {
    return nodeParseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    const { code, message } = err as { code?: string; message: string };
    const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw codaErrorObject('UsageUnknownOption', { flag });
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      // what went wrong is read from the option and the arguments, not from Node's words
      const name = flag.replace(/^--?/, '');
      const option = options[name] ?? Object.values(options).find((o) => o.short === name);
      if (option?.type === 'boolean') throw codaErrorObject('UsageTakesNoValue', { flag });
      const unit = units[name];
      const next = args[args.indexOf(flag) + 1];
      if (args.includes(flag) && next?.startsWith('-')) {
        throw unit ? codaErrorObject('UsageNumberStartsWithDash', { flag, unit }) : codaErrorObject('UsageValueStartsWithDash', { flag });
      }
      throw unit ? codaErrorObject('UsageNeedsNumber', { flag, unit }) : codaErrorObject('UsageNeedsValue', { flag });
    }
    throw err;
  }
}

function number(flag: string, v: string, unit = 'milliseconds'): number {
  const n = Number(v);
  if (!v.trim() || !Number.isFinite(n) || n < 0) throw codaErrorObject('UsageNeedsNumber', { flag, unit });
  return n;
}

function need(flag: string, v: string): string {
  if (!v) throw codaErrorObject('UsageNeedsValue', { flag });
  return v;
}

function parseRuntimes(args: string[]): RuntimesOptions {
  const { values, positionals } = readArgs(args, RUNTIMES_OPTIONS);
  const opts: RuntimesOptions = { command: 'runtimes', action: 'list', which: [] };
  if (values.dir !== undefined) opts.runtimesDir = need('--dir', values.dir);
  for (const a of positionals) {
    if (a === 'list' || a === 'fetch') opts.action = a;
    else if (a === 'all') opts.which.push('node', 'deno', 'bun', 'sandbox');
    else opts.which.push(runtimeName(a));
  }
  if (opts.action === 'fetch' && !opts.which.length) throw codaErrorObject('UsageNoRuntime');
  return opts;
}

function parseCache(args: string[]): CacheOptions {
  const { values, positionals } = readArgs(args, CACHE_OPTIONS, { 'max-age-days': 'days' });
  const opts: CacheOptions = { command: 'cache', action: 'list' };
  if (values['max-age-days'] !== undefined) opts.maxAgeDays = number('--max-age-days', values['max-age-days'], 'days');
  const [action, extra] = positionals;
  if (action === 'list' || action === 'size' || action === 'prune') opts.action = action;
  else if (action !== undefined) throw codaErrorObject('UsageUnexpectedArgument', { argument: action });
  if (extra !== undefined) throw codaErrorObject('UsageUnexpectedArgument', { argument: extra });
  return opts;
}
