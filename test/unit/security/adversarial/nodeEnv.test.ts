/**
 * Attacks on the `env` capability of a Node kernel with declared permissions: a variable that was not granted must
 * not be readable by any path — process.env, the process' initial environment block (/proc/self/environ, /proc/<pid>),
 * a diagnostic report, or a granted program reading its parent's environment.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import type { Permissions } from '../../../../protocol';
import { nodePermissionArgs } from '../../../../host/kernel/nodePermissionArgs';
import { nodePermissionSupport } from '../../../../host/kernel/nodePermissionSupport';
import { nodeBinaries, packageFixture, ROOT, startKernel, type TestKernel } from '../../helpers/testKernel';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HIDDEN = 'coda-hidden-value-7f3a9';

function canEnforce(node: string): boolean {
  return execFileSync(node, ['-p', 'process.allowedNodeEnvironmentFlags.has("--allow-inspector")'], { encoding: 'utf8' }).trim() === 'true';
}

describe('adversarial: environment variables on the Node runtime', function () {
  this.timeout(60_000);
  const bins = nodeBinaries().filter((b) => process.platform === 'linux' && canEnforce(b.path));
  if (!bins.length) return;
  let k: TestKernel;
  let attempts = 0;
  before(async () => {
    process.env.CODA_ADV_HIDDEN = HIDDEN;
    process.env.CODA_ADV_GRANTED = 'granted-value';
    const bin = bins[0]!;
    const cwd = packageFixture();
    const permissions: Permissions = { env: ['CODA_ADV_GRANTED'], read: ['/proc'], run: ['cat', 'sh', 'env'] };
    const support = await nodePermissionSupport(bin.path);
    const execArgv = nodePermissionArgs(permissions, { cwd, distDir: join(ROOT, 'dist'), support });
    k = await startKernel({ nodePath: bin.path, cwd, execArgv, init: { permissions } });
  });
  after(async () => {
    delete process.env.CODA_ADV_HIDDEN;
    delete process.env.CODA_ADV_GRANTED;
    await k?.kernel.dispose();
    console.log(`      node env: ${attempts} attempts, 0 crossings`);
  });

  const attacks: [string, string][] = [
    ['process.env', 'JSON.stringify(process.env)'],
    ['the initial environment block', `require('fs').readFileSync('/proc/self/environ', 'latin1')`],
    ['the environment block by pid', `require('fs').readFileSync('/proc/' + process.pid + '/environ', 'latin1')`],
    ['a diagnostic report', `JSON.stringify(process.report.getReport().environmentVariables)`],
    ['a granted program reading its parent', `require('child_process').execFileSync('cat', ['/proc/' + process.pid + '/environ']).toString('latin1')`],
    ['a granted program printing its own environment', `require('child_process').execFileSync('env').toString()`],
    ['a shell expanding the name', `require('child_process').execSync('echo "$CODA_ADV_HIDDEN"').toString()`],
  ];
  for (const [name, code] of attacks) {
    it(`${name} holds no variable that was not granted`, async () => {
      attempts++;
      const r = await k.run(code);
      const text = JSON.stringify(r);
      assert.ok(!text.includes(HIDDEN), `${name} revealed the hidden variable: ${text.slice(0, 300)}`);
    });
  }

  it('still sees the granted variable (the fix does not hide everything)', async () => {
    assert.equal(await k.value('process.env.CODA_ADV_GRANTED'), 'granted-value');
    assert.match(await k.value(`require('fs').readFileSync('/proc/self/environ', 'latin1')`), /CODA_ADV_GRANTED=granted-value/);
  });
});

describe("adversarial: the system resolver's variables on the Node runtime", function () {
  this.timeout(60_000);
  const bins = nodeBinaries().filter((b) => process.platform === 'linux' && canEnforce(b.path));
  if (!bins.length) return;
  let k: TestKernel;
  let attempts = 0;
  let envFile: string;
  before(async () => {
    const bin = bins[0]!;
    const cwd = packageFixture();
    envFile = join(mkdtempSync(join(tmpdir(), 'coda-envfile-')), 'steer.env');
    writeFileSync(envFile, 'HOSTALIASES=/tmp/aliases\nHARMLESS=1\n');
    const permissions: Permissions = { env: ['CODA_ADV_GRANTED'], read: [envFile], net: ['granted.test'] };
    const support = await nodePermissionSupport(bin.path);
    const execArgv = nodePermissionArgs(permissions, { cwd, distDir: join(ROOT, 'dist'), support });
    k = await startKernel({ nodePath: bin.path, cwd, execArgv, init: { permissions } });
  });
  after(async () => {
    await k?.kernel.dispose();
    console.log(`      node resolver env: ${attempts} attempts, 0 crossings`);
  });

  for (const [name, code] of [
    ['an assignment', 'process.env.HOSTALIASES = "/tmp/aliases"'],
    ['RES_OPTIONS', 'process.env.RES_OPTIONS = "ndots:0"'],
    ['LOCALDOMAIN through Object.assign', 'Object.assign(process.env, { LOCALDOMAIN: "attacker.example" })'],
    ['defineProperty', 'Object.defineProperty(process.env, "RES_OPTIONS", { value: "rotate", enumerable: true, configurable: true, writable: true })'],
    ['Reflect.set', 'Reflect.set(process.env, "LOCALDOMAIN", "attacker.example")'],
    ['replacing process.env itself', 'process.env = { ...process.env, HOSTALIASES: "/tmp/aliases" }; process.env.HOSTALIASES'],
  ] as const) {
    it(`${name} is denied, and the variable stays unset`, async () => {
      attempts++;
      const r = await k.run(code);
      const value = await k.value('JSON.stringify([process.env.HOSTALIASES, process.env.RES_OPTIONS, process.env.LOCALDOMAIN])');
      assert.equal(value, '[null,null,null]', `${name} set a resolver variable (${JSON.stringify(r)})`);
    });
  }

  it('process.loadEnvFile cannot set one either', async () => {
    attempts++;
    const r = await k.run(`process.loadEnvFile(${JSON.stringify(envFile)})`);
    assert.equal(r.status, 'error');
    assert.equal(await k.value('String(process.env.HOSTALIASES)'), 'undefined');
  });

  it('other variables can still be set', async () => {
    assert.equal(await k.value('process.env.MY_FLAG = "on"; process.env.MY_FLAG'), 'on');
  });
});
