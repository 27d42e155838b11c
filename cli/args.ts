/** Command line of `coda`. */
export interface RunOptions {
  command: 'run';
  file: string;
  json: boolean;
  runtime: 'node';
  nodePath?: string;
  cellTimeoutMs?: number;
  keepGoing: boolean;
  verbose: boolean;
  /** How long to let background work (timers) of the last cells finish before exiting. */
  drainMs: number;
  /** Install dependencies from the cache only. */
  offline: boolean;
}

export type Command = RunOptions | { command: 'help' } | { command: 'version' };

export const USAGE = `Usage: coda run <notebook.coda> [options]

Runs every code cell of a CodaJS notebook in order, in one kernel, printing console output and results.
Packages the cells import (or name in // @coda-dep comments) are installed first, from the notebook's lock when
it has one, into ~/.cache/codajs; your npm config (.npmrc: registry, proxy, tokens) is respected.
Exits 1 when a cell fails, 2 when the notebook cannot be read.

Options:
  --json               print one JSON document with every cell's outputs instead of text
  --runtime node       the runtime (node is the default and the only one the headless runner offers)
  --node <path>        Node.js binary for the kernel (default: the one running coda)
  --cell-timeout <ms>  interrupt a cell that runs longer, and count it as failed
  --keep-going         run the remaining cells after a failure
  --drain <ms>         wait this long for timers left by the cells (default 3000)
  --offline            install the notebook's packages from the cache only
  --verbose            print kernel diagnostics to stderr
  -h, --help           this help
  -v, --version        the CodaJS version`;

export function parseArgs(argv: string[]): Command {
  const args = [...argv];
  if (!args.length || args.includes('-h') || args.includes('--help')) return { command: 'help' };
  if (args.includes('-v') || args.includes('--version')) return { command: 'version' };
  const command = args.shift();
  if (command !== 'run') throw new Error(`unknown command '${command}' (try: coda run <notebook.coda>)`);
  const opts: RunOptions = { command: 'run', file: '', json: false, runtime: 'node', keepGoing: false, verbose: false, drainMs: 3000, offline: false };
  const number = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!v || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number of milliseconds`);
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
    else if (a === '--runtime') {
      const r = args.shift();
      if (r !== 'node') throw new Error(`the headless runner runs the node runtime only (got '${r}')`);
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else if (!opts.file) opts.file = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!opts.file) throw new Error('which notebook? coda run <notebook.coda>');
  return opts;
}
