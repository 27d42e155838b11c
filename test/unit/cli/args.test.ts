import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs, USAGE, type RunOptions } from '../../../cli/args';

const CLI = join(__dirname, '../../../dist/cli.js');
const run = (...argv: string[]) => parseArgs(['run', ...argv]) as RunOptions;
const defaults: RunOptions = {
  command: 'run',
  file: 'nb.coda',
  json: false,
  envFiles: [],
  keepGoing: false,
  verbose: false,
  drainMs: 3000,
  offline: false,
  plugins: [],
};

/** Each option with a value, as `--opt value` and `--opt=value`, and what it sets. */
const VALUED: [flag: string, value: string, expected: Partial<RunOptions>][] = [
  ['--runtime', 'node', { runtime: 'node' }],
  ['--runtime', 'deno', { runtime: 'deno' }],
  ['--runtime', 'bun', { runtime: 'bun' }],
  ['--runtime', 'sandbox', { runtime: 'sandbox' }],
  ['--env-file', '.env.local', { envFiles: ['.env.local'] }],
  ['--node', '/opt/node/bin/node', { nodePath: '/opt/node/bin/node' }],
  ['--cell-timeout', '2500', { cellTimeoutMs: 2500 }],
  ['--max-memory', '512', { maxMemoryMb: 512 }],
  ['--drain', '0', { drainMs: 0 }],
  ['--runtimes-dir', '/tmp/rt', { runtimesDir: '/tmp/rt' }],
  ['--plugin', 'coda-plugin-jsdom@^1', { plugins: ['coda-plugin-jsdom@^1'] }],
];

describe('coda command line (util.parseArgs)', () => {
  for (const [flag, value, expected] of VALUED) {
    it(`reads ${flag} ${value} and ${flag}=${value} alike`, () => {
      assert.deepEqual(run('nb.coda', flag, value), { ...defaults, ...expected });
      assert.deepEqual(run(`${flag}=${value}`, 'nb.coda'), { ...defaults, ...expected });
    });
  }

  it('reads the switches, before or after the file', () => {
    assert.deepEqual(run('--json', 'nb.coda', '--keep-going', '--verbose', '--offline'), {
      ...defaults,
      json: true,
      keepGoing: true,
      verbose: true,
      offline: true,
    });
  });

  it('collects --env-file each time it is given, in order, in both forms', () => {
    assert.deepEqual(run('nb.coda', '--env-file', 'a.env', '--env-file=b.env').envFiles, ['a.env', 'b.env']);
  });

  it('collects --plugin each time it is given, in order: packages and files', () => {
    assert.deepEqual(run('--plugin', './money.js', 'nb.coda', '--plugin=@scope/plugin').plugins, ['./money.js', '@scope/plugin']);
    assert.throws(() => run('nb.coda', '--plugin='), /--plugin needs a value/);
  });

  it('keeps a value that contains = or starts with - when written --opt=value', () => {
    assert.equal(run('nb.coda', '--env-file=dir/a=b.env').envFiles[0], 'dir/a=b.env');
    assert.equal(run('nb.coda', '--node=-odd-name').nodePath, '-odd-name');
  });

  it('rounds --max-memory and keeps it at least 16 MB', () => {
    assert.equal(run('nb.coda', '--max-memory=1').maxMemoryMb, 16);
    assert.equal(run('nb.coda', '--max-memory', '99.6').maxMemoryMb, 100);
  });

  it('refuses bad values with a message that names the option', () => {
    const bad: [string[], RegExp][] = [
      [['--runtime=python'], /unknown runtime 'python' \(node, deno, bun or sandbox\)/],
      [['--runtime', 'isolatex'], /unknown runtime 'isolatex'/],
      [['--cell-timeout=soon'], /--cell-timeout needs a number of milliseconds/],
      [['--cell-timeout', '-5'], /--cell-timeout needs a number of milliseconds/],
      [['--cell-timeout=-5'], /--cell-timeout needs a number of milliseconds/],
      [['--drain='], /--drain needs a number of milliseconds/],
      [['--max-memory', 'lots'], /--max-memory needs a number of megabytes/],
      [['--env-file='], /--env-file needs a value/],
      [['--runtimes-dir='], /--runtimes-dir needs a value/],
      [['--json=yes'], /--json takes no value/],
      [['--keep-going=1'], /--keep-going takes no value/],
    ];
    for (const [argv, message] of bad) assert.throws(() => run('nb.coda', ...argv), message, argv.join(' '));
  });

  it('says which option lacks its value, also when the next word is another option', () => {
    assert.throws(() => run('nb.coda', '--node'), /^UsageError: --node needs a value$/);
    assert.throws(() => run('nb.coda', '--env-file'), /--env-file needs a value/);
    assert.throws(() => run('nb.coda', '--runtime', '--json'), /--runtime needs a value \(for a value that starts with -, write --runtime=<value>\)/);
    assert.throws(() => run('nb.coda', '--cell-timeout'), /--cell-timeout needs a number of milliseconds/);
  });

  it('refuses unknown options, long and short', () => {
    assert.throws(() => run('nb.coda', '--jsn'), /unknown option --jsn/);
    assert.throws(() => run('nb.coda', '--jsn=1'), /unknown option --jsn/);
    assert.throws(() => run('nb.coda', '-j'), /unknown option -j/);
    assert.throws(() => parseArgs(['runtimes', 'list', '--force']), /unknown option --force/);
  });

  it('takes everything after -- as a file name, even help and version flags', () => {
    assert.deepEqual(run('--json', '--', '-weird.coda'), { ...defaults, file: '-weird.coda', json: true });
    assert.equal(run('--', '--help').file, '--help');
    assert.equal(run('--', '-v').file, '-v');
    assert.throws(() => run('--', 'a.coda', 'b.coda'), /unexpected argument b\.coda/);
  });

  it('asks for the notebook and refuses a second one', () => {
    assert.throws(() => run(), /which notebook\? coda run <notebook\.coda>/);
    assert.throws(() => run('--json'), /which notebook\?/);
    assert.throws(() => run('a.coda', 'b.coda'), /unexpected argument b\.coda/);
  });

  it('answers help and version wherever they stand before --', () => {
    assert.deepEqual(parseArgs([]), { command: 'help' });
    assert.deepEqual(parseArgs(['run', 'nb.coda', '-h']), { command: 'help' });
    assert.deepEqual(parseArgs(['--help']), { command: 'help' });
    assert.deepEqual(parseArgs(['runtimes', '--version']), { command: 'version' });
    assert.deepEqual(parseArgs(['-v']), { command: 'version' });
  });

  it('refuses an unknown command', () => {
    assert.throws(() => parseArgs(['start', 'nb.coda']), /unknown command 'start' \(try: coda run <notebook\.coda>\)/);
  });

  it('reads coda cache: list by default, size, prune with --max-age-days', () => {
    assert.deepEqual(parseArgs(['cache']), { command: 'cache', action: 'list' });
    assert.deepEqual(parseArgs(['cache', 'size']), { command: 'cache', action: 'size' });
    assert.deepEqual(parseArgs(['cache', 'prune', '--max-age-days=7']), { command: 'cache', action: 'prune', maxAgeDays: 7 });
    assert.throws(() => parseArgs(['cache', 'prune', '--max-age-days', 'soon']), /--max-age-days/);
    assert.throws(() => parseArgs(['cache', 'clear']), /clear/);
  });

  it('reads coda convert: two files, --force before or after them; after -- every word is a file', () => {
    assert.deepEqual(parseArgs(['convert', 'a.coda', 'a.ipynb']), { command: 'convert', from: 'a.coda', to: 'a.ipynb', force: false });
    assert.deepEqual(parseArgs(['convert', '--force', 'a.coda', 'a.ipynb']), { command: 'convert', from: 'a.coda', to: 'a.ipynb', force: true });
    assert.deepEqual(parseArgs(['convert', 'a.coda', 'a.ipynb', '--force']), { command: 'convert', from: 'a.coda', to: 'a.ipynb', force: true });
    assert.deepEqual(parseArgs(['convert', 'a.coda', '--', '--force.ipynb']), { command: 'convert', from: 'a.coda', to: '--force.ipynb', force: false });
    assert.throws(() => parseArgs(['convert', 'a.coda']), /two files, each a notebook \(\.coda, \.ipynb\) or a script/);
    assert.throws(() => parseArgs(['convert', '-f', 'a.coda', 'a.ipynb']), /two files, each a notebook \(\.coda, \.ipynb\) or a script/);
  });

  it('reads coda runtimes with --dir in both forms', () => {
    assert.deepEqual(parseArgs(['runtimes']), { command: 'runtimes', action: 'list', which: [] });
    assert.deepEqual(parseArgs(['runtimes', 'list', '--dir', '.tools']), { command: 'runtimes', action: 'list', which: [], runtimesDir: '.tools' });
    assert.deepEqual(parseArgs(['runtimes', '--dir=.tools', 'fetch', 'deno', 'sandbox']), {
      command: 'runtimes',
      action: 'fetch',
      which: ['deno', 'sandbox'],
      runtimesDir: '.tools',
    });
    assert.deepEqual(parseArgs(['runtimes', 'fetch', 'all']), { command: 'runtimes', action: 'fetch', which: ['node', 'deno', 'bun', 'sandbox'] });
    assert.throws(() => parseArgs(['runtimes', 'fetch']), /which runtime\? coda runtimes fetch <node\|deno\|bun\|sandbox\|all>/);
    assert.throws(() => parseArgs(['runtimes', 'fetch', 'ruby']), /unknown runtime 'ruby'/);
    assert.throws(() => parseArgs(['runtimes', '--dir']), /--dir needs a value/);
  });

  it('the coda binary prints the reason and the usage for an unknown option, and exits 2', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', 'nb.coda', '--runtim=node'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2);
    assert.ok(r.stderr.startsWith('coda: unknown option --runtim'), r.stderr);
    assert.ok(r.stderr.includes(USAGE.split('\n')[0]!), 'usage follows');
    assert.equal(r.stdout, '');
  });

  it('the coda binary accepts --runtime=node (it reaches the notebook, which does not exist)', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', '/nonexistent/nb.coda', '--runtime=node'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2);
    assert.doesNotMatch(r.stderr, /unknown option/);
    assert.match(r.stderr, /nb\.coda/);
  });
});
