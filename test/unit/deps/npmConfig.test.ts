import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchOptions, loadNpmConfig, parseNpmrc, projectRoot } from '../../../host/deps/npmConfig';

const CERT_A = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
const CERT_B = '-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----';

/** A home with a user .npmrc and a workspace tree under it; no global npmrc unless asked. */
function tree(userNpmrc = ''): { home: string; env: NodeJS.ProcessEnv } {
  const home = mkdtempSync(join(tmpdir(), 'coda-npmrc-'));
  if (userNpmrc) writeFileSync(join(home, '.npmrc'), userNpmrc);
  return { home, env: { HOME: home, npm_config_globalconfig: join(home, 'no-global-npmrc') } };
}

describe('npm config read as npm reads it', () => {
  it('reads values as ini does: JSON double quotes, single quotes, inline comments, escapes, bare keys', () => {
    const cfg = parseNpmrc(
      [
        'a = "quoted ; not a comment"',
        "b = 'single # kept'",
        'c = value ; trailing comment',
        'd = value # hash comment',
        'e = semi\\;colon',
        'strict-ssl',
        '[section]',
        'ignored = yes',
      ].join('\n'),
      {},
    );
    assert.deepEqual(cfg, { a: 'quoted ; not a comment', b: 'single # kept', c: 'value', d: 'value', e: 'semi;colon', 'strict-ssl': 'true' });
  });

  it('expands ${VAR} and ${VAR?} like npm: an unset plain variable stays as written, an escaped one is literal', () => {
    const cfg = parseNpmrc('t = ${SET}\nu = ${UNSET}\nv = x${UNSET?}y\nw = \\${SET}\n', { SET: 'tok' });
    assert.deepEqual(cfg, { t: 'tok', u: '${UNSET}', v: 'xy', w: '${SET}' });
  });

  it('reads only the project root .npmrc (nearest package.json), not every ancestor', async () => {
    const { home, env } = tree('registry=https://user.example/\n');
    const outer = join(home, 'outer');
    const project = join(outer, 'project');
    const notebooks = join(project, 'notebooks');
    mkdirSync(notebooks, { recursive: true });
    writeFileSync(join(outer, '.npmrc'), 'registry=https://outer.example/\nhttps-proxy=http://outer:1\n');
    writeFileSync(join(project, 'package.json'), '{}');
    writeFileSync(join(project, '.npmrc'), 'registry=https://project.example/\n');
    writeFileSync(join(notebooks, '.npmrc'), 'registry=https://notebooks.example/\n');
    assert.equal(projectRoot(notebooks), project);
    const cfg = await loadNpmConfig(notebooks, env);
    assert.equal(cfg.registry, 'https://project.example/');
    assert.equal(cfg['https-proxy'], undefined, 'an ancestor above the project root is not read');
  });

  it('uses the notebook folder as the project root when no package.json or node_modules is above it', async () => {
    const { home, env } = tree('registry=https://user.example/\n');
    const folder = join(home, 'loose');
    mkdirSync(folder);
    writeFileSync(join(folder, '.npmrc'), 'registry=https://loose.example/\n');
    assert.equal((await loadNpmConfig(folder, env)).registry, 'https://loose.example/');
  });

  it('ranks global < user < project < npm_config_* and keeps a leading underscore in variable names', async () => {
    const { home, env } = tree('registry=https://user.example/\nfetch-timeout=1000\n');
    writeFileSync(join(home, 'global-npmrc'), 'registry=https://global.example/\nnoproxy=internal\nfetch-timeout=5\n');
    const project = join(home, 'p');
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    writeFileSync(join(project, '.npmrc'), 'registry=https://project.example/\n');
    const cfg = await loadNpmConfig(project, {
      ...env,
      npm_config_globalconfig: join(home, 'global-npmrc'),
      npm_config__auth: 'b64',
      NPM_CONFIG_STRICT_SSL: 'false',
    });
    assert.equal(cfg.registry, 'https://project.example/');
    assert.equal(cfg.noproxy, 'internal', 'the global file is read');
    assert.equal(cfg['fetch-timeout'], '1000', 'the user file beats the global one');
    assert.equal(cfg._auth, 'b64');
    assert.equal(cfg['strict-ssl'], 'false');
  });

  it('never lets a project file move the config files or the cache (location keys)', async () => {
    const { home, env } = tree('');
    const project = join(home, 'p');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{}');
    writeFileSync(join(project, '.npmrc'), 'userconfig=/tmp/evil\nglobalconfig=/tmp/evil\ncache=/tmp/evil\nprefix=/tmp/evil\n');
    const cfg = await loadNpmConfig(project, env);
    for (const key of ['userconfig', 'globalconfig', 'cache', 'prefix']) assert.equal(cfg[key], undefined, key);
  });

  it('reads cafile (relative to the project root) into ca, one entry per certificate; ca[] lines add up', async () => {
    const { home, env } = tree('');
    const project = join(home, 'p');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{}');
    writeFileSync(join(project, 'certs.pem'), `${CERT_A}\n${CERT_B}\n`);
    writeFileSync(join(project, '.npmrc'), 'cafile=certs.pem\n');
    assert.deepEqual(fetchOptions(await loadNpmConfig(project, env)).ca, [CERT_A, CERT_B]);
    assert.deepEqual(fetchOptions(parseNpmrc(`ca[]="${CERT_A.replace(/\n/g, '\\n')}"\nca[]="${CERT_B.replace(/\n/g, '\\n')}"\n`, {})).ca, [CERT_A, CERT_B]);
  });

  it('says which cafile cannot be read instead of connecting without it', async () => {
    const { home, env } = tree('cafile=/nonexistent/ca.pem\n');
    await assert.rejects(loadNpmConfig(home, env), /cafile \/nonexistent\/ca\.pem.*cannot be read/);
  });

  it('leaves the cafile unread for a caller that makes no connection (a store reuse needs only the registries)', async () => {
    const { home, env } = tree('cafile=/nonexistent/ca.pem\nregistry=https://mirror.example/npm/\n');
    const cfg = await loadNpmConfig(home, env, { readCafile: false });
    assert.equal(cfg.ca, undefined);
    assert.equal(fetchOptions(cfg).registry, 'https://mirror.example/npm/');
    // a readable one is not read either
    const project = join(home, 'p');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{}');
    writeFileSync(join(project, 'certs.pem'), `${CERT_A}\n`);
    writeFileSync(join(project, '.npmrc'), 'cafile=certs.pem\n');
    assert.equal(fetchOptions(await loadNpmConfig(project, env, { readCafile: false })).ca, undefined);
    assert.deepEqual(fetchOptions(await loadNpmConfig(project, env)).ca, [CERT_A]);
  });
});
