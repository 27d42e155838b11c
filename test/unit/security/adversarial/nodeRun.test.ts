/**
 * Adversarial: a Node notebook granted `run: ["git", "echo", "granted-tool", "granted-njs", "./out/mytool"]` tries every way of
 * running something else (issue 11 item 4). An attempt crosses when the cell is not denied with a `run`
 * PermissionDenied, or when a program it was not granted left its marker file. Granted programs must still run.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecuteResult, Permissions } from '../../../../protocol';
import { nodePermissionArgs } from '../../../../host/kernel/nodePermissionArgs';
import { nodePermissionSupport } from '../../../../host/kernel/nodePermissionSupport';
import { programReadPaths } from '../../../../host/kernel/programReadPaths';
import { programPolicy, type ProgramCall } from '../../../../worker/node/programPolicy';
import { requireRuntimes, runtimeBinary } from '../../../runtimeBinaries';
import { nodeBinaries, ROOT, sleep, startKernel, type TestKernel } from '../../helpers/testKernel';

const DIST = join(ROOT, 'dist');
/** How long an asynchronously started child gets to leave its marker before an attempt is judged. */
const CHILD_SETTLE_MS = 100;
const GRANT: Permissions = { run: ['git', 'echo', 'granted-tool', 'granted-njs', './out/mytool'], read: ['out'], write: ['out'] };

/** A Node whose permission model can run a notebook with permissions (24.12+), or undefined. */
function permissionNode(): string | undefined {
  const candidates = [runtimeBinary('node'), ...nodeBinaries().map((b) => b.path)].filter((p): p is string => !!p);
  return candidates.find(
    (p) => execFileSync(p, ['-p', 'process.allowedNodeEnvironmentFlags.has("--allow-inspector")'], { encoding: 'utf8' }).trim() === 'true',
  );
}

/** Folders: the notebook's (with out/), a tools folder put first on the kernel's PATH, an attacker's folder, markers. */
function fixture(node: string) {
  const root = mkdtempSync(join(tmpdir(), 'coda-run-adv-'));
  const dirs = { cwd: join(root, 'notebook'), tools: join(root, 'tools'), evil: join(root, 'evil'), markers: join(root, 'markers') };
  for (const d of Object.values(dirs)) mkdirSync(d);
  mkdirSync(join(dirs.cwd, 'out'));
  mkdirSync(join(dirs.cwd, 'tools'));
  symlinkSync('/bin/sh', join(dirs.cwd, 'tools', 'git'));
  const script = (path: string, body: string) => {
    writeFileSync(path, body);
    chmodSync(path, 0o755);
  };
  script(join(dirs.tools, 'granted-tool'), '#!/bin/sh\necho "granted tool ran"\n');
  script(join(dirs.tools, 'granted-njs'), `#!${node}\nconsole.log('granted node script ran')\n`);
  // the attacker's programs: each leaves a marker named after itself when it runs
  for (const name of ['git', 'sh', 'echo', 'granted-tool']) script(join(dirs.evil, name), `#!/bin/sh\n/usr/bin/touch "${dirs.markers}/evil-${name}"\n`);
  writeFileSync(join(dirs.evil, 'inject.js'), `require('fs').writeFileSync(${JSON.stringify(join(dirs.markers, 'node-options'))}, 'x')\n`);
  let preload: string | undefined;
  try {
    writeFileSync(
      join(dirs.evil, 'preload.c'),
      `#include <fcntl.h>\n#include <unistd.h>\n__attribute__((constructor)) static void run(void) { close(open("${dirs.markers}/ld-preload", O_CREAT | O_WRONLY, 0644)); }\n`,
    );
    execFileSync('cc', ['-shared', '-fPIC', '-o', join(dirs.evil, 'preload.so'), join(dirs.evil, 'preload.c')], { stdio: 'ignore' });
    preload = join(dirs.evil, 'preload.so');
  } catch {
    // no C compiler: the LD_PRELOAD attempts still check the denial, only without a working library
  }
  return { ...dirs, preload: preload ?? join(dirs.evil, 'missing.so') };
}

describe('adversarial: programs on the Node runtime (run)', function () {
  this.timeout(120_000);
  const node = permissionNode();
  let f: ReturnType<typeof fixture>;
  let savedPath: string | undefined;
  let attempts = 0;
  let crossings = 0;

  before(function () {
    if (!node) {
      if (requireRuntimes) assert.fail('no Node.js with --allow-inspector (coda runtimes fetch node)');
      this.skip();
    }
    f = fixture(node!);
    // the kernel starts with this PATH (the host's): the notebook's writable out/ first (a careless setup), then the
    // tools; the attacker's folder nowhere on it
    savedPath = process.env.PATH;
    process.env.PATH = `${join(f.cwd, 'out')}:${f.tools}:${savedPath}`;
  });
  after(() => {
    if (savedPath !== undefined) process.env.PATH = savedPath;
    if (f && markers().length) crossings++;
    console.log(`node run: ${attempts} attempts, ${crossings} crossings`);
  });

  const start = async (permissions: Permissions): Promise<TestKernel> => {
    const support = await nodePermissionSupport(node!);
    const execArgv = nodePermissionArgs(permissions, { cwd: f.cwd, distDir: DIST, support });
    return startKernel({ nodePath: node!, cwd: f.cwd, execArgv, init: { permissions } });
  };
  /** Markers left since the last look (each removed, so one crossing never fails the attempts after it). */
  const markers = () => {
    const names = readdirSync(f.markers);
    for (const name of names) rmSync(join(f.markers, name));
    return names;
  };

  /** One attack: the cell must be denied by the `run` seat belt (or by Node) and no marker may appear. */
  async function attack(k: TestKernel, code: string, expect: { target?: string; cause?: RegExp; nodeDenies?: boolean } = {}): Promise<ExecuteResult> {
    attempts++;
    const r = await k.run(code);
    await sleep(CHILD_SETTLE_MS);
    const left = markers();
    const denied =
      r.status === 'error' &&
      (expect.nodeDenies
        ? /ERR_ACCESS_DENIED|Access to this API has been restricted|permission model is enabled/.test(`${r.error.message} ${JSON.stringify(r.error.props)}`)
        : r.error.name === 'PermissionDenied' && r.error.props?.capability === 'run');
    if (!denied || left.length) crossings++;
    assert.deepEqual(left, [], `a program the notebook was not granted ran: ${left.join(', ')}`);
    assert.ok(denied, `expected a run denial, got ${JSON.stringify(r).slice(0, 600)}`);
    if (r.status === 'error' && expect.target !== undefined) assert.equal(r.error.props?.target, expect.target);
    if (r.status === 'error' && expect.cause) assert.match(r.error.cause?.message ?? '', expect.cause);
    return r;
  }

  /** One attack the seat belt may answer by running the granted program as checked: no marker may appear. */
  async function contained(k: TestKernel, code: string): Promise<void> {
    attempts++;
    await k.run(code);
    await sleep(CHILD_SETTLE_MS);
    const left = markers();
    if (left.length) crossings++;
    assert.deepEqual(left, [], `a program the notebook was not granted ran: ${left.join(', ')}`);
  }

  describe('a notebook granted git, echo, two tools on its PATH and ./out/mytool', () => {
    let k: TestKernel;
    before(async () => {
      k = await start(GRANT);
    });
    after(() => k?.kernel.dispose());

    it('granted programs still run: by name, by absolute path, async and sync, found on the PATH the kernel started with', async () => {
      assert.match(await k.value(`require('child_process').execFileSync('git', ['--version']).toString()`), /^git version/);
      assert.match(await k.value(`require('child_process').execFileSync('/usr/bin/git', ['--version']).toString()`), /^git version/);
      assert.equal(
        await k.value(
          `await new Promise((resolve, reject) => require('child_process').execFile('echo', ['async'], (e, out) => (e ? reject(e) : resolve(out.trim()))))`,
        ),
        'async',
      );
      assert.equal(await k.value(`require('child_process').spawnSync('echo', ['sync']).stdout.toString().trim()`), 'sync');
      assert.equal(await k.value(`const { spawnSync: s } = await import('node:child_process'); s('echo', ['esm']).stdout.toString().trim()`), 'esm');
      assert.equal(
        await k.value(
          `await new Promise((resolve) => { const c = require('child_process').spawn('echo', ['spawned']); let out = ''; c.stdout.on('data', (d) => (out += d)); c.on('close', () => resolve(out.trim())); })`,
        ),
        'spawned',
      );
      // a caller's environment without PATH: the tool is still found where the kernel's PATH says (libuv would not find it)
      assert.equal(await k.value(`require('child_process').execFileSync('granted-tool', [], { env: {} }).toString().trim()`), 'granted tool ran');
      assert.equal(await k.value(`require('child_process').execFileSync('granted-njs').toString().trim()`), 'granted node script ran');
      assert.deepEqual(markers(), []);
    });

    it('a denied program fails with PermissionDenied naming run; a shell command runs only when the shell itself is granted, and says so', async () => {
      const r = await attack(k, `require('child_process').execFileSync('ls')`, { target: 'ls' });
      assert.match(r.status === 'error' ? r.error.message : '', /"run": \["ls"\]/);
      await attack(k, `require('child_process').execSync('git --version')`, { target: '/bin/sh', cause: /runs the shell itself/ });
      // with the shell itself granted, shell commands run
      const shell = await start({ run: ['sh'] });
      try {
        assert.equal(await shell.value(`require('child_process').execSync('echo from a shell').toString().trim()`), 'from a shell');
        assert.equal(
          await shell.value(`await new Promise((resolve) => require('child_process').exec('echo async shell', (_e, out) => resolve(out.trim())))`),
          'async shell',
        );
        assert.equal(await shell.value(`require('child_process').execFileSync('sh', ['-c', 'echo named']).toString().trim()`), 'named');
        await attack(shell, `require('child_process').execFileSync('echo', ['not granted'])`, { target: 'echo' });
      } finally {
        await shell.kernel.dispose();
      }
    });

    it('the internal process handle: its class from a new ChildProcess or a running child, positional or options form', async () => {
      const payload = (name: string) => `['/bin/sh', '-c', 'touch ${f.markers}/${name}']`;
      const stdio = `[{ type: 'ignore' }, { type: 'ignore' }, { type: 'ignore' }]`;
      // the example
      await attack(
        k,
        `const P = new (require('child_process').ChildProcess)()._handle.constructor; new P().spawn('/bin/sh', ${payload('handle-1')}, undefined, [], ${stdio}, 0)`,
        { target: '/bin/sh' },
      );
      await attack(
        k,
        `const cp = require('child_process').spawn('echo', ['x']); const h = new cp._handle.constructor(); h.spawn('/bin/sh', ${payload('handle-2')}, undefined, [], ${stdio}, 0)`,
        { target: '/bin/sh' },
      );
      await contained(
        k,
        `const h = new (require('child_process').ChildProcess)()._handle; h.spawn({ file: '/bin/sh', args: ${payload('handle-3')}, envPairs: [], stdio: ${stdio} })`,
      );
      // a getter that says "echo" to a check and "/bin/sh" to the native code
      await contained(
        k,
        `let n = 0; const h = new (require('child_process').ChildProcess)()._handle; h.spawn({ get file() { return n++ ? '/bin/sh' : '/usr/bin/echo' }, args: ${payload('handle-4')}, envPairs: [], stdio: ${stdio} })`,
      );
      // an args Proxy whose argv[0] changes between reads
      await contained(
        k,
        `let n = 0; const h = new (require('child_process').ChildProcess)()._handle; const args = new Proxy(['echo', '-c', 'touch ${f.markers}/handle-5'], { get: (t, k) => (k === '0' && n++ ? 'sh' : t[k]) }); h.spawn('/usr/bin/echo', args, undefined, [], ${stdio}, 0)`,
      );
      // an environment whose entries change between reads
      await contained(
        k,
        `let n = 0; const env = new Proxy([], { get: (t, k) => (k === 'length' ? 1 : k === '0' ? (n++ ? 'LD_PRELOAD=${f.preload}' : 'A=1') : t[k]) }); const h = new (require('child_process').ChildProcess)()._handle; h.spawn('/usr/bin/echo', ['echo'], undefined, env, ${stdio}, 0)`,
      );
      // a cell that replaces Reflect.apply and Function.prototype.call sees every function called through them
      await contained(
        k,
        `
        const leaked = new Set(); const apply = Reflect.apply; const call = Function.prototype.call;
        Reflect.apply = function (fn, self, a) { leaked.add(fn); return apply(fn, self, a) };
        Function.prototype.call = function (self, ...a) { leaked.add(this); return apply(this, self, a) };
        try { await new Promise((resolve) => require('child_process').execFile('echo', ['x'], resolve)); require('child_process').execFileSync('echo', ['y']) }
        finally { Reflect.apply = apply; Function.prototype.call = call }
        const { ChildProcess } = require('child_process');
        for (const fn of leaked) {
          try { apply(fn, new ChildProcess()._handle, ['/bin/sh', ${payload('leak-handle')}, undefined, [], ${stdio}, 0]) } catch {}
          try { apply(fn, new ChildProcess(), [{ file: '/bin/sh', args: ${payload('leak-child')}, envPairs: [], stdio: 'ignore' }]) } catch {}
        }
        await new Promise((resolve) => setTimeout(resolve, 300));`,
      );
    });

    it('an options object whose shell getter says false to the check and true to Node; Proxy options', async () => {
      const args = `['--version;', 'touch', '${f.markers}/shell-getter']`;
      // the example, then variants: every sync function, the async ones, a Proxy, a string shell
      await contained(k, `let n = 0; require('child_process').spawnSync('git', ${args}, { get shell() { return n++ > 0 } })`);
      await contained(k, `let n = 0; require('child_process').execFileSync('git', ${args}, { get shell() { return n++ > 0 } })`);
      await contained(
        k,
        `let n = 0; await new Promise((resolve) => require('child_process').execFile('git', ${args}, { get shell() { return n++ > 0 } }, resolve))`,
      );
      await contained(
        k,
        `let n = 0; const o = new Proxy({ shell: false }, { get: (t, k) => (k === 'shell' ? n++ > 0 : t[k]) }); require('child_process').spawnSync('git', ${args}, o)`,
      );
      await attack(k, `let n = 0; require('child_process').execSync('git --version', { get shell() { return n++ ? '${f.evil}/sh' : undefined } })`);
      await attack(k, `require('child_process').execFileSync('echo', ['hi'], { shell: '${f.evil}/sh' })`, { target: `${f.evil}/sh` });
    });

    it('a bare name looked up through a PATH the cell supplies, or a PATH it set in process.env', async () => {
      // the example
      await attack(k, `require('child_process').execFileSync('git', ['--version'], { env: { PATH: '${f.evil}' } })`, { cause: /PATH/ });
      await attack(
        k,
        `await new Promise((resolve, reject) => require('child_process').spawn('git', [], { env: { PATH: '${f.evil}' } }).on('error', reject).on('close', resolve))`,
        { cause: /PATH/ },
      );
      await attack(k, `process.env.PATH = '${f.evil}'; try { require('child_process').execFileSync('granted-tool') } finally { delete process.env.PATH }`, {
        cause: /PATH/,
      });
      await contained(k, `let n = 0; require('child_process').spawnSync('git', ['--version'], { get env() { return n++ ? { PATH: '${f.evil}' } : {} } })`);
      await contained(
        k,
        `let n = 0; require('child_process').spawnSync('git', ['--version'], { env: new Proxy({}, { ownKeys: () => (n++ ? ['PATH'] : []), getOwnPropertyDescriptor: () => ({ value: '${f.evil}', enumerable: true, configurable: true }), get: () => '${f.evil}' }) })`,
      );
      await attack(k, `require('child_process').execSync('git', { env: { PATH: '${f.evil}' }, shell: '/bin/sh' })`);
      // a PATH folder the notebook may write to is not searched: a program planted there never runs
      await contained(
        k,
        `require('fs').writeFileSync('out/git', '#!/bin/sh\\n/usr/bin/touch ${f.markers}/planted-git\\n', { mode: 0o755 }); require('child_process').execFileSync('git', ['--version'])`,
      );
      await contained(
        k,
        `require('fs').writeFileSync('out/granted-tool', '#!/bin/sh\\n/usr/bin/touch ${f.markers}/planted-tool\\n', { mode: 0o755 }); await new Promise((resolve) => require('child_process').execFile('granted-tool', resolve))`,
      );
      await attack(k, `require('child_process').execFileSync('${f.cwd}/out/git')`, { target: `${f.cwd}/out/git` });
      // a granted path the notebook may also write to: a cell replaces the program, then runs it
      await attack(
        k,
        `require('fs').writeFileSync('out/mytool', '#!/bin/sh\\n/usr/bin/touch ${f.markers}/rewritten-tool\\n', { mode: 0o755 }); require('child_process').execFileSync('./out/mytool')`,
        { cause: /may write/ },
      );
    });

    it('relative paths, working folders and symlinks named like a granted program', async () => {
      await attack(k, `require('child_process').execFileSync('./git', [], { cwd: '${f.evil}' })`, { target: './git' });
      await attack(k, `require('child_process').execFileSync('./git', [], { cwd: new URL('file://${f.evil}/') })`);
      // a getter that answers by who is asking: Node's own normalizeSpawnArguments gets the attacker's folder
      await contained(
        k,
        `require('child_process').execFileSync('./git', ['--version'], { get cwd() { return new Error().stack.includes('normalizeSpawnArguments') ? '${f.evil}' : '/usr/bin' } })`,
      );
      // Node's model lets no cell make a symlink; a notebook's folder can come with one (a cloned repository)
      await attack(k, `require('fs').symlinkSync('/bin/sh', 'out/made-by-cell')`, { nodeDenies: true });
      await attack(k, `require('child_process').execFileSync('./tools/git', ['-c', 'touch ${f.markers}/symlink'])`, { target: './tools/git' });
      await contained(k, `require('child_process').execFileSync('git', ['-c', 'touch ${f.markers}/symlink-rel'], { cwd: 'tools', argv0: './git' })`);
      await contained(k, `require('child_process').execFileSync('git', ['-c', 'touch ${f.markers}/symlink-cwd'], { cwd: 'tools' })`);
    });

    it('argv0, fork with another execPath or --eval, and the environment of a granted program', async () => {
      await attack(k, `require('child_process').execFileSync('echo', ['-c', 'touch ${f.markers}/argv0'], { argv0: 'sh' })`, { cause: /argv\[0\]/ });
      await attack(k, `require('child_process').fork('${f.evil}/inject.js', [], { execPath: '/bin/sh' })`, { target: '/bin/sh' });
      await attack(
        k,
        `require('child_process').fork('${f.evil}/inject.js', [], { execArgv: ['--eval', 'require("fs").writeFileSync("${f.markers}/fork-eval", "x")'] })`,
      );
      await attack(k, `require('cluster').fork()`);
      await attack(
        k,
        `require('child_process').execFileSync('${f.tools}/granted-njs', [], { env: { NODE_OPTIONS: '--permission-audit --require=${f.evil}/inject.js' } })`,
        { cause: /NODE_OPTIONS/ },
      );
      await attack(k, `require('child_process').execFileSync('echo', ['hi'], { env: { LD_PRELOAD: '${f.preload}' } })`, { cause: /LD_PRELOAD/ });
      await attack(
        k,
        `await new Promise((resolve, reject) => require('child_process').execFile('echo', ['hi'], { env: { LD_PRELOAD: '${f.preload}' } }, (e) => (e ? reject(e) : resolve())))`,
        { cause: /LD_PRELOAD/ },
      );
      await attack(
        k,
        `process.env.LD_PRELOAD = '${f.preload}'; try { require('child_process').spawnSync('echo', ['hi']) } finally { delete process.env.LD_PRELOAD }`,
        { cause: /LD_PRELOAD/ },
      );
      await attack(k, `require('child_process').execFileSync('granted-tool', [], { env: { BASH_ENV: '${f.evil}/git', ENV: '${f.evil}/git' } })`);
    });

    it('exec with `;`, the spawn_sync and process_wrap bindings, node:test, SQLite extensions, and tampered built-ins', async () => {
      await attack(k, `require('child_process').exec('git --version; touch ${f.markers}/exec-semicolon')`, { target: '/bin/sh' });
      await attack(k, `require('child_process').execSync('echo hi && touch ${f.markers}/execsync')`, { target: '/bin/sh' });
      await attack(k, `process.binding('spawn_sync').spawn({ file: '/bin/sh', args: ['/bin/sh', '-c', 'touch ${f.markers}/binding'], stdio: [] })`, {
        nodeDenies: true,
      });
      await attack(
        k,
        `const { Process } = process.binding('process_wrap'); new Process().spawn('/bin/sh', ['/bin/sh', '-c', 'touch ${f.markers}/wrap'], undefined, [], [], 0)`,
        { nodeDenies: true },
      );
      await attack(k, `process._linkedBinding('spawn_sync')`, { nodeDenies: true });
      writeFileSync(join(f.evil, 'case.test.js'), `require('fs').writeFileSync(${JSON.stringify(join(f.markers, 'node-test'))}, 'x')\n`);
      await contained(
        k,
        `const { run } = require('node:test'); await new Promise((resolve) => { const s = run({ files: ['${f.evil}/case.test.js'] }); s.on('error', resolve); s.on('end', resolve); s.resume(); setTimeout(resolve, 2000) })`,
      );
      await attack(k, `const { DatabaseSync } = require('node:sqlite'); new DatabaseSync(':memory:', { allowExtension: true }).loadExtension('${f.preload}')`, {
        nodeDenies: true,
      });
      await attack(
        k,
        `const inc = Array.prototype.includes, some = Array.prototype.some; Array.prototype.includes = () => true; Array.prototype.some = () => true; try { require('child_process').execFileSync('/bin/sh', ['-c', 'touch ${f.markers}/includes']) } finally { Array.prototype.includes = inc; Array.prototype.some = some }`,
        { target: '/bin/sh' },
      );
      await attack(
        k,
        `const sw = String.prototype.includes, apply = Reflect.apply; String.prototype.includes = () => true; Reflect.apply = (fn, self, a) => apply(fn, self, a); try { require('child_process').execFileSync('sh', ['-c', 'touch ${f.markers}/string']) } finally { String.prototype.includes = sw; Reflect.apply = apply }`,
        { target: 'sh' },
      );
      await attack(
        k,
        `Object.defineProperty(Array.prototype, '3', { configurable: true, get() { return 'LD_PRELOAD=${f.preload}' }, set() {} }); try { require('child_process').execFileSync('echo', ['hi'], { env: { A: '1', B: '2', C: '3' } }) } finally { delete Array.prototype[3] }`,
        { cause: /Array\.prototype/ },
      );
    });

    it('process.execve: denied whatever the program (it would replace the kernel), also with a diagnostics_channel subscriber', async function () {
      const execve = (await k.value('typeof process.execve')) === 'function';
      if (!execve) this.skip();
      await attack(k, `process.execve('/bin/sh', ['sh', '-c', 'touch ${f.markers}/execve'])`, { target: '/bin/sh', cause: /replace the kernel/ });
      await attack(k, `process.execve('/usr/bin/echo', ['echo', 'hi'], { LD_PRELOAD: '${f.preload}' })`, {
        target: '/usr/bin/echo',
        cause: /replace the kernel/,
      });
      await attack(
        k,
        `require('diagnostics_channel').subscribe('process.execve', ({ env }) => env.push('LD_PRELOAD=${f.preload}')); process.execve('/usr/bin/echo', ['echo', 'hi'], {})`,
        { cause: /replace the kernel/ },
      );
      await attack(k, `process.execve('/usr/bin/echo', ['sh', '-c', 'touch ${f.markers}/execve-argv0'])`, { cause: /replace the kernel/ });
      assert.equal(await k.value('"the kernel is still here"'), 'the kernel is still here');
    });

    it("Node's own additions to a child's environment: a cell that rewrites process.execArgv (NODE_OPTIONS) or sets NODE_V8_COVERAGE", async () => {
      const inject = `'--permission-audit --require=${f.evil}/inject.js'`;
      await attack(
        k,
        `const saved = process.execArgv; process.execArgv = [${inject}]; try { require('child_process').execFileSync('${f.tools}/granted-njs') } finally { process.execArgv = saved }`,
        { cause: /execArgv/ },
      );
      await attack(
        k,
        `process.execArgv.push(${inject}); try { require('child_process').execFileSync('${f.tools}/granted-njs') } finally { process.execArgv.pop() }`,
        { cause: /execArgv/ },
      );
      await attack(
        k,
        `const saved = process.execArgv; process.execArgv = [${inject}]; try { await new Promise((resolve, reject) => require('child_process').execFile('${f.tools}/granted-njs', (e) => (e ? reject(e) : resolve()))) } finally { process.execArgv = saved }`,
        { cause: /NODE_OPTIONS/ },
      );
      // Node copies NODE_V8_COVERAGE from process.env into every child: a granted Node program would write there
      await attack(
        k,
        `process.env.NODE_V8_COVERAGE = '${f.markers}'; try { require('child_process').execFileSync('${f.tools}/granted-njs', [], { env: {} }) } finally { delete process.env.NODE_V8_COVERAGE }`,
        { cause: /NODE_V8_COVERAGE/ },
      );
      await attack(
        k,
        `process.env.NODE_V8_COVERAGE = '${f.markers}'; try { await new Promise((resolve, reject) => require('child_process').execFile('${f.tools}/granted-njs', [], { env: {} }, (e) => (e ? reject(e) : resolve()))) } finally { delete process.env.NODE_V8_COVERAGE }`,
        { cause: /NODE_V8_COVERAGE/ },
      );
      assert.equal(await k.value(`require('child_process').execFileSync('granted-njs').toString().trim()`), 'granted node script ran');
    });
  });
});

describe('the run decisions themselves (programPolicy, programReadPaths)', () => {
  const flags = ['--permission', '--allow-fs-read=/home/a user/My Notebooks/node_modules', '--allow-child-process', '--max-old-space-size=4096'];
  const policy = programPolicy({
    permissions: { run: ['./bin/tool', 'node'] },
    notebookFolder: '/nb',
    searchPath: '/usr/bin:relative/bin::/bin',
    startupEnv: { LD_LIBRARY_PATH: '/opt/lib' },
    execPath: '/opt/node/bin/node',
    execArgv: flags,
    cwd: () => '/nb',
  });
  const call = (c: Partial<ProgramCall>): ProgramCall => ({ file: './bin/tool', argv0: './bin/tool', cwd: undefined, envPairs: [], ...c });
  const deniedBy = (c: Partial<ProgramCall>, cause: RegExp) =>
    assert.throws(
      () => policy(call(c)),
      (e: Error & { capability?: string; cause?: Error }) =>
        e.name === 'PermissionDenied' && e.capability === 'run' && cause.test(e.cause?.message ?? e.message),
    );

  it('a granted path runs by its absolute path; the same name elsewhere, or through another working folder, does not', () => {
    assert.deepEqual(policy(call({})), { file: '/nb/bin/tool', cwd: undefined });
    assert.deepEqual(policy(call({ file: './tool', argv0: './tool', cwd: 'bin' })), { file: '/nb/bin/tool', cwd: '/nb/bin' });
    deniedBy({ cwd: '/tmp' }, /not granted/);
    deniedBy({ file: 'tool', argv0: 'tool' }, /not granted/);
    assert.deepEqual(policy(call({ file: '/opt/node/bin/node', argv0: '/opt/node/bin/node' })).file, '/opt/node/bin/node');
  });

  it("NODE_OPTIONS may hold only the kernel's own permission flags as Node appends them (paths with spaces too)", () => {
    const own = flags.filter((f) => f.startsWith('--permission') || f.startsWith('--allow-')).join(' ');
    assert.ok(policy(call({ envPairs: [`NODE_OPTIONS=${own}`] })));
    assert.ok(policy(call({ envPairs: ['NODE_OPTIONS=--allow-child-process'] })));
    deniedBy({ envPairs: [`NODE_OPTIONS=${own} --require=/tmp/x.js`] }, /NODE_OPTIONS/);
    deniedBy({ envPairs: ['NODE_OPTIONS=--allow-fs-read=/home/a'] }, /NODE_OPTIONS/);
    deniedBy({ envPairs: ['NODE_OPTIONS=--max-old-space-size=4096'] }, /NODE_OPTIONS/);
  });

  it("PATH keeps the kernel's value, loader variables their startup value; other variables are the cell's to set", () => {
    assert.ok(policy(call({ envPairs: ['PATH=/usr/bin:relative/bin::/bin', 'LD_LIBRARY_PATH=/opt/lib', 'GIT_AUTHOR_NAME=x'] })));
    deniedBy({ envPairs: ['PATH=/tmp/evil'] }, /PATH/);
    deniedBy({ envPairs: ['LD_LIBRARY_PATH=/tmp/evil'] }, /LD_LIBRARY_PATH/);
    deniedBy({ envPairs: ['A=1', 'DYLD_INSERT_LIBRARIES=/tmp/x.dylib'] }, /DYLD_INSERT_LIBRARIES/);
    deniedBy({ envPairs: ['BASH_FUNC_git%%=() { evil; }'] }, /BASH_FUNC_/);
  });

  it('argv[0] must name the program checked', () => {
    deniedBy({ argv0: 'sh' }, /argv\[0\]/);
    deniedBy({ argv0: undefined }, /argv\[0\]/);
  });

  it('the host grants read access to exactly <PATH folder>/<name> for bare names, nothing else', () => {
    assert.deepEqual(programReadPaths(['git', './bin/tool', '..', '', '/usr/bin/env'], '/usr/bin:relative/bin::/bin'), ['/usr/bin/git', '/bin/git']);
    assert.deepEqual(programReadPaths(['*', 'git'], '/usr/bin'), []);
    assert.deepEqual(programReadPaths(undefined, '/usr/bin'), []);
  });
});
