import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InstallParams, Permissions } from '../../../../protocol';
import { InstallerClient, storeFor } from '../../../../host/deps/InstallerClient';
import { nodeBinaries } from '../../../nodeBinaries';
import { startRegistry, type Registry } from '../../deps/registryServer';
import { ROOT } from '../../helpers/testKernel';
import { removeTempDir } from '../../helpers/removeTempDir';

/**
 * Issue 11 item 11: a notebook that opts in to install scripts does not give them the user's rights. Every package
 * below is served by a registry on loopback and attacks from its postinstall script; the notebook declares
 * `permissions: {}` (or a little more) and `allowInstallScripts`. A crossing is judged by its effect (a file
 * outside the package written, a canary read into the store, a server reached, a secret found) or by the
 * script's own report that a forbidden call succeeded.
 */
const node24 = nodeBinaries().find((n) => n.name === 'node 24')?.path;
const SETTLE_MS = 300;

interface Attempt {
  name: string;
  ok: boolean;
  error?: string;
}

/** The attack script: runs each attempt, records whether the call succeeded, and writes report.json beside itself. */
const attackScript = (attempts: string) => `'use strict';
const fs = require('fs'), path = require('path');
const report = [];
const attempt = async (name, fn) => {
  try { await fn(); report.push({ name, ok: true }); }
  catch (e) { report.push({ name, ok: false, error: String((e && (e.code || e.message)) || e).slice(0, 200) }); }
};
const settle = (emitter, ms = 1500) => new Promise((resolve, reject) => {
  emitter.on('error', reject);
  for (const ev of ['response', 'connect', 'secureConnect', 'open', 'listening']) emitter.on(ev, resolve);
  setTimeout(() => reject(new Error('no answer')), ms);
});
(async () => {
${attempts}
  fs.writeFileSync(path.join(__dirname, 'report.json'), JSON.stringify(report));
})();
`;

describe("install scripts run confined by the notebook's permissions (adversarial)", function () {
  this.timeout(120_000);
  let registry: Registry;
  let home: string;
  let outside: string;
  let canary: string;
  let secret: string;
  let npmToken: string;
  let server: Server;
  let serverHits = 0;
  let udpHits = 0;
  let port = 0;
  let udpPort = 0;
  const udp = createSocket('udp4');
  const realHomeFile = join(homedir(), `.coda-adversarial-${randomBytes(6).toString('hex')}`);
  let client: InstallerClient;
  let attempts = 0;
  let crossings = 0;

  const params = (
    notebook: string,
    dependencies: Record<string, string>,
    permissions: Permissions | undefined,
    over: Partial<InstallParams> = {},
  ): InstallParams => {
    const { storeDir, cacheDir } = storeFor(join(home, 'cache'), notebook);
    return { storeDir, cacheDir, dependencies, allowScripts: true, permissions, secretNames: ['CODA_ADV_SECRET'], npmrcFrom: home, ...over };
  };

  /** Every file of a folder, as text. */
  const allText = (dir: string): string => {
    if (!existsSync(dir)) return '';
    let out = '';
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      out += name + '\n' + (st.isDirectory() ? allText(p) : st.size < 1_000_000 ? readFileSync(p, 'latin1') : '');
    }
    return out;
  };

  const cross = (what: string) => {
    crossings++;
    assert.fail(`crossing: ${what}`);
  };

  /** Installs `pkg` under `permissions`, then judges every attempt its script reported, and the effects. */
  const attack = async (pkg: string, permissions: Permissions | undefined, expectedAttempts: number, effects: () => void = () => undefined) => {
    const p = params(`/nb/${pkg}.coda`, { [pkg]: '1.0.0' }, permissions);
    const hitsBefore = serverHits + udpHits;
    const r = await client.install(p);
    await new Promise((res) => setTimeout(res, SETTLE_MS));
    const report = JSON.parse(readFileSync(join(r.modulePath, pkg, 'report.json'), 'utf8')) as Attempt[];
    assert.equal(report.length, expectedAttempts, `the script made every attempt: ${JSON.stringify(report)}`);
    attempts += report.length;
    for (const a of report) if (a.ok) cross(`${pkg}: ${a.name} succeeded`);
    const store = allText(p.storeDir);
    if (store.includes(canary)) cross(`${pkg}: the canary outside the store was read into it`);
    if (store.includes(secret)) cross(`${pkg}: the notebook's secret reached the store`);
    if (store.includes(npmToken)) cross(`${pkg}: the npm token reached the store`);
    if (serverHits + udpHits !== hitsBefore) cross(`${pkg}: a script reached the network`);
    if (existsSync(realHomeFile)) cross(`${pkg}: a script wrote to the user's home folder`);
    if (readdirSync(outside).some((f) => f !== 'canary.txt' && f !== 'lib.js')) cross(`${pkg}: a script wrote outside the store: ${readdirSync(outside)}`);
    if (readFileSync(join(outside, 'canary.txt'), 'utf8') !== canary) cross(`${pkg}: the canary was modified`);
    effects();
    return report;
  };

  /** A script that starts programs through the shell: refused before it (or any other script) runs. */
  const refused = async (pkg: string, permissions: Permissions | undefined, reason: RegExp) => {
    const p = params(`/nb/${pkg}.coda`, { [pkg]: '1.0.0' }, permissions);
    attempts++;
    await assert.rejects(client.install(p), (err: Error) => {
      assert.equal(err.name, 'InstallScriptRefused', err.message);
      assert.match(err.message, reason);
      return true;
    });
    await new Promise((res) => setTimeout(res, SETTLE_MS));
    if (existsSync(p.storeDir)) cross(`${pkg}: a store was created`);
    if (readdirSync(outside).some((f) => f !== 'canary.txt' && f !== 'lib.js')) cross(`${pkg}: the refused script ran`);
  };

  before(async function () {
    if (!node24) throw new Error('Node 24 is needed (fetch it with `node dist/cli.js runtimes fetch all --dir .tools`)');
    home = mkdtempSync(join(tmpdir(), 'coda-adv-installs-'));
    outside = mkdtempSync(join(tmpdir(), 'coda-adv-outside-'));
    canary = `canary-${randomBytes(12).toString('hex')}`;
    writeFileSync(join(outside, 'canary.txt'), canary);
    writeFileSync(join(outside, 'lib.js'), `module.exports = ${JSON.stringify(canary)};`);
    secret = `sk-adv-${randomBytes(12).toString('hex')}`;
    npmToken = `npm_${randomBytes(12).toString('hex')}`;
    // the installer inherits these, as it inherits a terminal's environment under `coda run`
    process.env.CODA_ADV_SECRET = secret;
    process.env.NPM_TOKEN = npmToken;
    process.env['npm_config_//registry.example/:_authToken'] = npmToken;
    server = createServer((_req, res) => {
      serverHits++;
      res.end('reached');
    });
    server.on('connection', () => serverHits++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    udp.on('message', () => udpHits++);
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    udpPort = udp.address().port;
    const O = JSON.stringify(outside);
    const H = JSON.stringify(realHomeFile);
    const url = JSON.stringify(`http://127.0.0.1:${port}/`);
    const script = (name: string, attemptsSource: string) => ({
      name,
      version: '1.0.0',
      scripts: { postinstall: 'node attack.js' },
      files: { 'attack.js': attackScript(attemptsSource) },
    });
    registry = await startRegistry([
      { name: 'victim', version: '1.0.0' },
      // the example: read a file outside the store, with permissions: {}
      script(
        'adv-read',
        `
  await attempt('readFileSync outside the store', () => fs.writeFileSync('leak1', fs.readFileSync(path.join(${O}, 'canary.txt'))));
  await attempt('fs.promises.readFile outside', async () => fs.writeFileSync('leak2', await fs.promises.readFile(path.join(${O}, 'canary.txt'))));
  await attempt('readdir outside', () => fs.writeFileSync('leak3', fs.readdirSync(${O}).join()));
  await attempt('require a module outside', () => fs.writeFileSync('leak4', require(path.join(${O}, 'lib.js'))));
  await attempt('copy a folder from outside', () => fs.cpSync(${O}, 'copied', { recursive: true }));
  await attempt("read the installer's environment through /proc", () => fs.writeFileSync('leak5', fs.readFileSync('/proc/' + process.ppid + '/environ')));
  await attempt('read the home folder', () => fs.writeFileSync('leak6', fs.readdirSync(require('os').userInfo().homedir).join()));`,
      ),
      script(
        'adv-write',
        `
  await attempt('write to $HOME (real home folder)', () => fs.writeFileSync(${H}, 'pwned'));
  await attempt('mkdir in $HOME', () => fs.mkdirSync(${H}));
  await attempt('write outside the store', () => fs.writeFileSync(path.join(${O}, 'written'), 'pwned'));
  await attempt('append to the canary', () => fs.appendFileSync(path.join(${O}, 'canary.txt'), 'pwned'));
  await attempt('rename own file outside', () => fs.renameSync(path.join(__dirname, 'index.js'), path.join(${O}, 'moved')));
  await attempt('write into another package of the store', () => fs.writeFileSync(path.join(__dirname, '..', 'victim', 'index.js'), 'module.exports = "pwned"'));
  await attempt('write the store root', () => fs.writeFileSync(path.join(__dirname, '..', '..', 'package.json'), '{}'));`,
      ),
      script(
        'adv-symlink',
        `
  await attempt('symlink to a folder outside, then write through it', () => { fs.symlinkSync(${O}, 'out'); fs.writeFileSync('out/via-link', 'pwned'); });
  await attempt('relative symlink climbing out, then write through it', () => { fs.symlinkSync('../../../../../../../../../../..' + ${O}, 'rel'); fs.writeFileSync('rel/via-rel', 'pwned'); });
  await attempt('hard link to the canary, then write it', () => { fs.linkSync(path.join(${O}, 'canary.txt'), 'hard'); fs.writeFileSync('hard', 'pwned'); });
  await attempt('symlink to $HOME file', () => { fs.symlinkSync(${H}, 'homelink'); fs.writeFileSync('homelink', 'pwned'); });`,
      ),
      script(
        'adv-net',
        `
  await attempt('fetch', () => fetch(${url}));
  await attempt('http.get', () => settle(require('http').get(${url})));
  await attempt('net.connect', () => settle(require('net').connect(${port}, '127.0.0.1')));
  await attempt('tls.connect', () => settle(require('tls').connect(${port}, '127.0.0.1', { rejectUnauthorized: false })));
  await attempt('http with a custom lookup', () => settle(require('http').get(${url}, { lookup: (h, o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]) })));
  await attempt('udp send', () => new Promise((res, rej) => { const s = require('dgram').createSocket('udp4'); s.send('x', ${udpPort}, '127.0.0.1', (e) => (e ? rej(e) : res())); }));
  await attempt('dns lookup', () => require('dns').promises.lookup('localhost'));
  await attempt('dns/promises lookup', () => require('dns/promises').lookup('localhost'));
  await attempt('http2.connect', () => settle(require('http2').connect(${url})));
  await attempt('listen on a port', () => settle(require('net').createServer().listen(0, '127.0.0.1')));
  await attempt('WebSocket', () => new Promise((res, rej) => { const w = new WebSocket('ws://127.0.0.1:${port}/'); w.onopen = res; w.onerror = () => rej(new Error('ws error')); setTimeout(() => rej(new Error('no answer')), 1500); }));
  await attempt('process.binding tcp_wrap', () => process.binding('tcp_wrap'));`,
      ),
      script(
        'adv-spawn',
        `
  const cp = require('child_process');
  await attempt('execSync', () => cp.execSync('echo x > ' + path.join(${O}, 'spawned1')));
  await attempt('spawnSync', () => cp.spawnSync('/bin/sh', ['-c', 'echo x > ' + path.join(${O}, 'spawned2')]));
  await attempt('execFile', () => new Promise((res, rej) => cp.execFile('/bin/sh', ['-c', 'echo x > ' + path.join(${O}, 'spawned3')], (e) => (e ? rej(e) : res()))));
  await attempt('fork', () => cp.fork(__filename, [], { stdio: 'ignore' }));
  await attempt('process.binding spawn_sync', () => process.binding('spawn_sync').spawn({ file: '/bin/sh', args: ['/bin/sh', '-c', 'echo x > ' + path.join(${O}, 'spawned4')], stdio: [] }));
  await attempt('worker thread', () => new (require('worker_threads').Worker)('1', { eval: true }));
  await attempt('native addon', () => process.dlopen({ exports: {} }, path.join(__dirname, 'x.node')));
  await attempt('inspector', () => require('inspector').open(0));
  await attempt('SIGUSR1 to the installer (it would open a debugger)', () => process.kill(process.ppid, 'SIGUSR1'));
  await attempt('process._debugProcess on the installer', () => process._debugProcess(process.ppid));
  await attempt('probe another process with signal 0', () => process.kill(process.ppid, 0));`,
      ),
      script(
        'adv-env',
        `
  await attempt('the secret in process.env', () => { if (!process.env.CODA_ADV_SECRET) throw new Error('absent'); fs.writeFileSync('env', process.env.CODA_ADV_SECRET); });
  await attempt('an npm token in process.env', () => { const t = Object.entries(process.env).find(([k, v]) => /token/i.test(k) && v); if (!t) throw new Error('absent'); fs.writeFileSync('tok', t[1]); });
  await attempt('the real HOME', () => { if (process.env.HOME !== ${JSON.stringify(homedir())}) throw new Error('a private home'); });
  fs.writeFileSync('env.json', JSON.stringify(process.env));`,
      ),
      // scripts that are not a plain `node <file>`: shell commands, and Node flags that would widen the model
      { name: 'adv-shell', version: '1.0.0', scripts: { postinstall: `cat ${join(outside, 'canary.txt')} > leak.txt` } },
      { name: 'adv-shell-node', version: '1.0.0', scripts: { postinstall: `node -e "require('fs').writeFileSync('${join(outside, 'e')}', '')"` } },
      {
        name: 'adv-flags',
        version: '1.0.0',
        scripts: { postinstall: 'node --allow-fs-write=* attack.js' },
        files: { 'attack.js': `require('fs').writeFileSync(${JSON.stringify(join(outside, 'f'))}, '')` },
      },
      {
        name: 'adv-chain',
        version: '1.0.0',
        scripts: { preinstall: 'node ok.js', postinstall: 'node ok.js && touch ' + join(outside, 'chained') },
        files: { 'ok.js': '' },
      },
      { name: 'adv-escape-path', version: '1.0.0', scripts: { postinstall: 'node ../victim/index.js' } },
      {
        name: 'adv-osc',
        version: '1.0.0',
        scripts: { postinstall: 'node osc.js' },
        files: { 'osc.js': 'process.stderr.write("\\u001b]52;c;cHduZWQ=\\u0007\\u001b]0;pwned\\u0007\\u009b2J"); process.exit(1);' },
      },
      {
        name: 'adv-throws',
        version: '1.0.0',
        scripts: { postinstall: 'node attack.js' },
        files: { 'attack.js': `require('fs').readFileSync(${JSON.stringify(join(outside, 'canary.txt'))})` },
      },
      // a well-behaved script: it runs, confined, and does its work in its own folder
      {
        name: 'builds',
        version: '1.0.0',
        scripts: { postinstall: 'node build.js' },
        files: { 'build.js': 'require("fs").writeFileSync(require("path").join(__dirname, "built.js"), "module.exports = 42");' },
      },
    ]);
    writeFileSync(join(home, '.npmrc'), `registry=${registry.url}\n`);
    client = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js'), nodePath: node24 });
  });
  after(async () => {
    await client?.close();
    await registry?.close();
    server?.close();
    udp.close();
    rmSync(realHomeFile, { recursive: true, force: true });
    removeTempDir(home);
    rmSync(outside, { recursive: true, force: true });
    delete process.env.CODA_ADV_SECRET;
    delete process.env.NPM_TOKEN;
    delete process.env['npm_config_//registry.example/:_authToken'];
    console.log(`installs: ${attempts} attempts, ${crossings} crossings`);
  });

  it('the example: with permissions {} a postinstall cannot read a file outside the store', () => attack('adv-read', {}, 7));

  it('a locked re-run (the notebook brings its lock) runs the scripts confined the same way', async () => {
    const first = await client.install(params('/nb/locked-first.coda', { 'adv-read': '1.0.0' }, {}));
    const p = params('/nb/locked-again.coda', { 'adv-read': '1.0.0' }, {}, { lock: first.lock });
    const r = await client.install(p);
    const report = JSON.parse(readFileSync(join(r.modulePath, 'adv-read', 'report.json'), 'utf8')) as Attempt[];
    assert.equal(report.length, 7, 'the script ran again');
    attempts += report.length;
    for (const a of report) if (a.ok) cross(`locked re-run: ${a.name} succeeded`);
    if (allText(p.storeDir).includes(canary)) cross('locked re-run: the canary was read into the store');
  });

  it('cannot write to $HOME, outside the store, into another package or the store root', async () => {
    const victim = params('/nb/victim-first.coda', { victim: '1.0.0', 'adv-write': '1.0.0' }, {});
    const r = await client.install(victim);
    const report = JSON.parse(readFileSync(join(r.modulePath, 'adv-write', 'report.json'), 'utf8')) as Attempt[];
    assert.equal(report.length, 7);
    attempts += report.length;
    for (const a of report) if (a.ok) cross(`adv-write: ${a.name} succeeded`);
    if (existsSync(realHomeFile)) cross('adv-write wrote to the home folder');
    if (readFileSync(join(r.modulePath, 'victim', 'index.js'), 'utf8').includes('pwned')) cross('adv-write changed another package');
    if (readdirSync(outside).some((f) => f !== 'canary.txt' && f !== 'lib.js')) cross('adv-write wrote outside the store');
  });

  it('cannot write outside its folder through a symbolic or hard link', () => attack('adv-symlink', {}, 4));

  it('cannot reach the network (fetch, http, net, tls, udp, dns, listen, WebSocket, raw bindings)', () => attack('adv-net', { net: ['127.0.0.1'] }, 12));

  it('cannot start a program, a worker thread, a native addon or the inspector, nor signal another process', () => attack('adv-spawn', { run: ['git'] }, 11));

  it("never sees the notebook's secret or npm credentials, even when `env` grants the secret's name; HOME is private", () =>
    attack('adv-env', { env: ['CODA_ADV_SECRET', 'NPM_TOKEN'] }, 3, () => undefined));

  it('with no permissions declared, scripts run as npm runs them, but still without secrets and npm credentials', async () => {
    const p = params('/nb/open.coda', { 'adv-env': '1.0.0' }, undefined);
    const r = await client.install(p);
    const env = JSON.parse(readFileSync(join(r.modulePath, 'adv-env', 'env.json'), 'utf8')) as Record<string, string>;
    attempts += 2;
    if (Object.values(env).some((v) => v.includes(secret))) cross('the secret reached an unconfined script');
    if (Object.values(env).some((v) => v.includes(npmToken))) cross('an npm token reached an unconfined script');
    assert.equal(env.HOME, process.env.HOME, "unconfined scripts keep the user's home (documented)");
  });

  it('shell commands, inline code, Node flags, chained commands and files outside the package are refused, not run', async () => {
    await refused('adv-shell', {}, /adv-shell@1\.0\.0 .*starts programs through a shell.*"run": \["\*"\]/);
    await refused('adv-shell-node', { run: ['node'] }, /adv-shell-node/);
    await refused('adv-flags', { read: ['*'] }, /adv-flags/);
    await refused('adv-chain', {}, /adv-chain/);
    const p = params('/nb/adv-escape-path.coda', { 'adv-escape-path': '1.0.0' }, {});
    attempts++;
    await assert.rejects(client.install(p), (err: Error) => err.name === 'InstallScriptRefused' || /failed/.test(err.message));
    if (existsSync(p.storeDir)) cross('a script naming a file outside its package produced a store');
  });

  it('a well-behaved script runs confined and its work is installed', async () => {
    const r = await client.install(params('/nb/builds.coda', { builds: '1.0.0' }, {}));
    assert.equal(readFileSync(join(r.modulePath, 'builds', 'built.js'), 'utf8'), 'module.exports = 42');
  });

  it('a script that lets a denial escape fails the install with words that say why', async () => {
    const p = params('/nb/adv-throws.coda', { 'adv-throws': '1.0.0' }, {});
    attempts++;
    await assert.rejects(client.install(p), (err: Error) => {
      assert.equal(err.name, 'InstallFailed');
      assert.match(
        err.message,
        /The postinstall script of adv-throws@1\.0\.0 \(`node attack\.js`\) failed \(exit code 1\): it tried something the notebook's permissions do not allow install scripts\. Nothing was installed\./,
      );
      return true;
    });
    if (existsSync(p.storeDir)) cross('a failed script left a store');
  });

  it("a failing script's output cannot drive the terminal through the install error (OSC clipboard, title, CSI)", async () => {
    attempts++;
    await assert.rejects(client.install(params('/nb/adv-osc.coda', { 'adv-osc': '1.0.0' }, {})), (err: Error) => {
      assert.match(err.message, /52;c;cHduZWQ=/, 'the output is quoted');
      if (/[\u001b\u0007\u009b]/.test(err.message)) cross('control characters from a script reached the error text');
      return true;
    });
  });

  it('with run: ["*"] a shell command runs with the user\'s rights (granted, and said so in the docs)', async () => {
    const r = await client.install(params('/nb/adv-shell-open.coda', { 'adv-shell': '1.0.0' }, { run: ['*'] }));
    assert.equal(readFileSync(join(r.modulePath, 'adv-shell', 'leak.txt'), 'utf8'), canary, 'not confined: the notebook may start any program');
  });

  it("through `coda run`, with the notebook's own metadata (the CLI on any Node; scripts on the Node 24 it keeps)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-adv-cli-'));
    writeFileSync(join(dir, '.npmrc'), `registry=${registry.url}\n`);
    const file = join(dir, 'attack.coda');
    const metadata = { permissions: {}, allowInstallScripts: true, secrets: ['CODA_ADV_SECRET'] };
    writeFileSync(
      file,
      `${JSON.stringify({ coda: 1, metadata, cells: [{ kind: 'code', language: 'javascript', source: ['// @coda-dep adv-read@1.0.0 adv-env@1.0.0', '"ran"'] }] }, null, 2)}\n`,
    );
    const { spawn } = await import('node:child_process');
    const xdg = join(dir, 'xdg');
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', file], {
      env: { ...process.env, XDG_CACHE_HOME: xdg, CODA_RUNTIMES_DIR: join(ROOT, '.tools'), NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const status = await new Promise((res) => child.on('exit', res));
    assert.equal(status, 0, out);
    assert.match(out, /'ran'/);
    assert.match(
      out,
      /coda: install scripts are allowed and run confined: `node <file>` scripts under Node's permission model/,
      'coda run says how scripts run',
    );
    const { storeDir } = storeFor(join(xdg, 'codajs'), file);
    for (const pkg of ['adv-read', 'adv-env']) {
      const report = JSON.parse(readFileSync(join(storeDir, 'node_modules', pkg, 'report.json'), 'utf8')) as Attempt[];
      attempts += report.length;
      for (const a of report) if (a.ok) cross(`coda run: ${pkg}: ${a.name} succeeded`);
    }
    const store = allText(storeDir);
    if (store.includes(canary) || store.includes(secret) || out.includes(canary) || out.includes(secret)) cross('coda run: the canary or the secret leaked');
    removeTempDir(dir);
  });

  it('on a Node without the permission model, scripts of a notebook with permissions are refused, not run unconfined', async function () {
    const old = nodeBinaries()[0]!;
    if (process.allowedNodeEnvironmentFlags.has('--permission')) this.skip();
    const onOld = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js'), nodePath: old.path });
    try {
      attempts++;
      await assert.rejects(onOld.install(params('/nb/old-node.coda', { 'adv-read': '1.0.0' }, {})), (err: Error) => {
        assert.equal(err.name, 'InstallScriptRefused');
        assert.match(err.message, /permission model.*Node\.js 24/);
        return true;
      });
    } finally {
      onOld.dispose();
    }
  });
});
