import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scriptJobs } from '../../../installer/runInstallScripts';
import { planScript, scriptEnv } from '../../../host/deps/scriptPlan';

describe('install script plans (which scripts run, how confined, with what environment)', () => {
  it('runs `node <file>` scripts directly under the model when permissions are declared', () => {
    assert.deepEqual(planScript('node install.js', {}), { kind: 'node', file: 'install.js', args: [], childProcesses: false, network: false });
    assert.deepEqual(planScript('node ./lib/post.js --quiet=1', { run: ['*'], net: ['*'] }), {
      kind: 'node',
      file: './lib/post.js',
      args: ['--quiet=1'],
      childProcesses: true,
      network: true,
    });
    assert.equal(
      (planScript('node install.js', { net: ['registry.npmjs.org'], run: ['git'] }) as { network: boolean }).network,
      false,
      'only "*" opens the network or programs to scripts',
    );
  });

  it('refuses anything a shell would interpret, Node flags, inline code and parent paths unless run is "*"', () => {
    for (const cmd of [
      'node-gyp rebuild',
      'node install.js && curl x',
      'node --allow-fs-read=* x.js',
      'node -e "1"',
      'node ../x.js',
      'node $(echo x).js',
      'node x.js; rm -rf ~',
      'node x.js > /etc/x',
      'prebuild-install || node-gyp rebuild',
    ]) {
      assert.equal(planScript(cmd, {}).kind, 'refused', cmd);
      assert.deepEqual(planScript(cmd, { run: ['*'] }), { kind: 'shell', command: cmd }, cmd);
    }
  });

  it('runs every script through the shell, as npm does, when no permissions are declared', () => {
    assert.deepEqual(planScript('node-gyp rebuild', undefined), { kind: 'shell', command: 'node-gyp rebuild' });
  });

  it('gives a confined script only granted, non-secret variables, never npm credentials, and a private HOME', () => {
    const env = {
      PATH: '/bin',
      HOME: '/home/me',
      API: 'a',
      SECRET: 's',
      NPM_TOKEN: 't',
      'npm_config_//r/:_authToken': 't',
      NODE_OPTIONS: '--require x',
      // the installer's compile cache (the user's own): a script never writes compiled code CodaJS's processes run
      NODE_COMPILE_CACHE: '/home/me/.cache/codajs/compile-cache',
      OTHER: 'o',
    };
    const npm = { PATH: '/store/.bin:/bin', npm_lifecycle_event: 'postinstall' };
    const confined = scriptEnv({
      permissions: { env: ['API', 'SECRET', 'NPM_TOKEN', 'NODE_OPTIONS', 'NODE_COMPILE_CACHE'] },
      secretNames: ['SECRET'],
      env,
      npm,
      home: '/priv',
      platform: 'linux',
    });
    assert.deepEqual(confined, {
      API: 'a',
      HOME: '/priv',
      USERPROFILE: '/priv',
      TMPDIR: '/priv',
      TMP: '/priv',
      TEMP: '/priv',
      PATH: '/store/.bin:/bin',
      npm_lifecycle_event: 'postinstall',
    });
    const open = scriptEnv({ permissions: undefined, secretNames: ['SECRET'], env, npm, home: '/priv', platform: 'linux' });
    assert.deepEqual(Object.keys(open).sort(), ['API', 'HOME', 'OTHER', 'PATH', 'npm_lifecycle_event']);
    assert.equal(open.HOME, '/home/me');
  });

  it("orders scripts as npm does and adds node-gyp's default install for a binding.gyp", () => {
    const gyp = mkdtempSync(join(tmpdir(), 'coda-gyp-'));
    writeFileSync(join(gyp, 'binding.gyp'), '{}');
    const node = (location: string, depth: number, scripts: Record<string, string>, path = `/s/${location}`) => ({
      path,
      location,
      depth,
      package: { name: location.split('/').pop(), version: '1.0.0', scripts },
    });
    const jobs = scriptJobs([
      { ...node('', 0, {}), isRoot: true },
      node('node_modules/b', 1, { postinstall: 'node b.js', preinstall: 'node pre.js' }),
      node('node_modules/a/node_modules/c', 2, { install: 'node c.js' }),
      node('node_modules/a', 1, { postinstall: 'node a.js' }),
      node('node_modules/native', 1, {}, gyp),
      { ...node('node_modules/linked', 1, { postinstall: 'node l.js' }), isLink: true },
    ]);
    assert.deepEqual(
      jobs.map((j) => `${j.event} ${j.node.location} ${j.command}`),
      [
        'preinstall node_modules/b node pre.js',
        'install node_modules/native node-gyp rebuild',
        'install node_modules/a/node_modules/c node c.js',
        'postinstall node_modules/a node a.js',
        'postinstall node_modules/b node b.js',
      ],
    );
  });
});
