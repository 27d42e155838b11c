import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DependencyLock, InstallParams } from '../../../protocol';
import { InstallerClient, storeFor } from '../../../host/deps/InstallerClient';
import { badLocations, lockEntryProblem, lockProblems, lockRefusedMessage, sanitizeLock } from '../../../host/deps/lockPolicy';
import { storeMatches } from '../../../host/deps/storeReuse';
import { ROOT } from '../helpers/testKernel';
import { startRegistry, type Registry } from './registryServer';

/** The installer process as the extension and `coda run` use it; every lock below is what a notebook could carry. */
const client = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js') });

describe('lock entries CodaJS cannot verify are refused (issue 11 item 12)', function () {
  this.timeout(60_000);
  let registry: Registry;
  let home: string;
  let good: DependencyLock;
  const params = (notebook: string, lock: DependencyLock, over: Partial<InstallParams> = {}): InstallParams => {
    const { storeDir, cacheDir } = storeFor(join(home, 'cache'), notebook);
    return { storeDir, cacheDir, dependencies: { leaf: '1.0.0' }, lock, allowScripts: false, npmrcFrom: home, ...over };
  };
  const withLeaf = (entry: Partial<DependencyLock[string]>): DependencyLock => ({ 'node_modules/leaf': { ...good['node_modules/leaf']!, ...entry } });
  const refused = async (notebook: string, lock: DependencyLock, reason: RegExp) => {
    const p = params(notebook, lock);
    await assert.rejects(client.install(p), (err: Error) => {
      assert.equal(err.name, 'LockRefused', err.message);
      assert.match(err.message, reason);
      assert.match(err.message, /allowUnverifiedLock/, 'the error names the opt-in');
      return true;
    });
    assert.equal(existsSync(join(p.storeDir, 'node_modules', 'leaf')), false, 'nothing was installed');
  };

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'coda-lock-'));
    // a folder of the user's that a published package names as a `file:` dependency
    mkdirSync(join(home, 'private'));
    writeFileSync(join(home, 'private', 'package.json'), '{"name":"private","version":"1.0.0"}');
    registry = await startRegistry([
      { name: 'leaf', version: '1.0.0' },
      { name: 'other', version: '1.0.0' },
      { name: 'old', version: '1.0.0', sha1Only: true },
      { name: 'linker', version: '1.0.0', dependencies: { private: `file:${join(home, 'private')}` } },
      // an npm: alias, as @isaacs/cliui (under glob) declares "string-width-cjs": "npm:string-width@^4.2.0"
      { name: 'aliaser', version: '1.0.0', dependencies: { 'leaf-alias': 'npm:leaf@1.0.0' } },
    ]);
    writeFileSync(join(home, '.npmrc'), `registry=${registry.url}\n`);
    good = (await client.install(params('/nb/good.coda', {}, { lock: undefined }))).lock;
    assert.equal(good['node_modules/leaf']!.resolved, registry.tarballUrl('leaf', '1.0.0'));
  });
  after(async () => {
    await client.close();
    await registry.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('the example: an entry without integrity', () => refused('/nb/no-integrity.coda', withLeaf({ integrity: '' }), /leaf has no integrity checksum/));

  it('an entry with only a sha1 checksum', () =>
    refused('/nb/sha1.coda', withLeaf({ integrity: 'sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=' }), /leaf has only a weak checksum \(sha1\)/));

  it('a file: tarball', () => refused('/nb/file.coda', withLeaf({ resolved: 'file:../../../tmp/leaf-1.0.0.tgz' }), /leaf comes from file:/));

  it('a git URL', () => refused('/nb/git.coda', withLeaf({ resolved: 'git+https://github.com/evil/leaf.git#deadbeef' }), /leaf comes from git\+https/));

  it('plain http to a host that is not the registry', () =>
    refused(
      '/nb/http.coda',
      withLeaf({ resolved: 'http://evil.example/leaf/-/leaf-1.0.0.tgz' }),
      /downloaded from http:\/\/evil\.example, not from http:\/\/127\.0\.0\.1/,
    ));

  it('another registry than .npmrc names (the public one)', () =>
    refused(
      '/nb/public.coda',
      withLeaf({ resolved: 'https://registry.npmjs.org/leaf/-/leaf-1.0.0.tgz' }),
      /registry\.npmjs\.org, not from http:\/\/127\.0\.0\.1/,
    ));

  it("the registry's tarball of another package", () =>
    refused(
      '/nb/swap.coda',
      withLeaf({ resolved: registry.tarballUrl('other', '1.0.0') }),
      /leaf@1\.0\.0 would be downloaded from .*other-1\.0\.0\.tgz, which is not that package's tarball/,
    ));

  it('a lock path that climbs out of the store, even when unverified entries are allowed', async () => {
    const lock = { ...good, 'node_modules/../../escaped': { ...good['node_modules/leaf']! } };
    const p = params('/nb/climb.coda', lock, { allowUnverifiedLock: true });
    await assert.rejects(
      client.install(p),
      (err: Error) => err.name === 'LockRefused' && /"node_modules\/\.\.\/\.\.\/escaped" is not a package folder/.test(err.message),
    );
    assert.equal(existsSync(join(home, 'cache', 'escaped')), false);
  });

  it('a store that already holds the package does not make an entry without integrity acceptable', async () => {
    const p = params('/nb/store-first.coda', good);
    await client.install(p);
    await assert.rejects(client.install({ ...p, lock: withLeaf({ integrity: '' }) }), (err: Error) => err.name === 'LockRefused');
  });

  it('a tampered lock whose sha512 does not match the tarball stops the install and leaves no store', async () => {
    const wrong = `sha512-${Buffer.alloc(64, 7).toString('base64')}`;
    const p = params('/nb/tampered.coda', withLeaf({ integrity: wrong }));
    await assert.rejects(client.install(p), (err: Error) => {
      assert.equal(err.name, 'IntegrityError', err.message);
      return true;
    });
    assert.equal(existsSync(p.storeDir), false, 'no store, half or whole');
  });

  it('an old package the registry lists with only a sha1 gets a sha512 of its checked bytes, which later installs check', async () => {
    const p = params('/nb/old.coda', {}, { dependencies: { old: '1.0.0' }, lock: undefined });
    const first = await client.install(p);
    const integrity = first.lock['node_modules/old']!.integrity;
    const bytes = Buffer.from(await (await fetch(registry.tarballUrl('old', '1.0.0'))).arrayBuffer());
    const { createHash } = await import('node:crypto');
    assert.equal(integrity, `sha512-${createHash('sha512').update(bytes).digest('base64')} sha1-${createHash('sha1').update(bytes).digest('base64')}`);
    assert.ok(await storeMatches(p.storeDir, { old: '1.0.0' }, first.lock), 'the store is recognised as holding that lock');
    const again = await client.install(params('/nb/old-again.coda', {}, { dependencies: { old: '1.0.0' }, lock: first.lock }));
    assert.equal(again.installed.old, '1.0.0', 'the lock it wrote is accepted');
    registry.tamper('old');
    try {
      const fresh = params('/nb/old-tampered.coda', {}, { dependencies: { old: '1.0.0' }, lock: first.lock });
      // nothing to copy from: another cache root, with no store that already holds the package
      Object.assign(fresh, storeFor(join(home, 'elsewhere'), '/nb/old-tampered.coda'));
      await assert.rejects(client.install(fresh), (err: Error) => err.name === 'IntegrityError');
    } finally {
      registry.untamper('old');
    }
  });

  it('a registry package whose own dependency is a `file:` folder (a link into the store) is refused', async () => {
    const p = params('/nb/linker.coda', {}, { dependencies: { linker: '1.0.0' }, lock: undefined });
    await assert.rejects(client.install(p), (err: Error) => {
      assert.equal(err.name, 'LockRefused', err.message);
      assert.match(err.message, /links to the local folder/);
      return true;
    });
    assert.equal(existsSync(p.storeDir), false);
  });

  it('accepts an npm: alias a package declares, locked and re-run, and refuses one nothing declares', async () => {
    const first = await client.install(params('/nb/alias.coda', {}, { dependencies: { aliaser: '1.0.0' }, lock: undefined }));
    assert.deepEqual(
      [first.lock['node_modules/leaf-alias']?.name, first.lock['node_modules/leaf-alias']?.resolved],
      ['leaf', registry.tarballUrl('leaf', '1.0.0')],
    );
    const again = await client.install(params('/nb/alias-again.coda', {}, { dependencies: { aliaser: '1.0.0' }, lock: first.lock }));
    assert.equal(again.installed.aliaser, '1.0.0');
    const swapped = { 'node_modules/leaf': { ...good['node_modules/leaf']!, name: 'other', resolved: registry.tarballUrl('other', '1.0.0') } };
    await refused('/nb/undeclared-alias.coda', swapped, /node_modules\/leaf holds other, an alias no locked package declares/);
  });

  it('installs an unverified entry when the notebook says "allowUnverifiedLock": true', async () => {
    const r = await client.install(params('/nb/allowed.coda', withLeaf({ integrity: '' }), { allowUnverifiedLock: true }));
    assert.equal(r.installed.leaf, '1.0.0');
  });
});

describe('lock entry checks (pure)', () => {
  const reg = 'https://registry.example/npm/';
  const sha512 = `sha512-${Buffer.alloc(64, 1).toString('base64')}`;
  const problem = (location: string, resolved: string, version = '1.2.3') => lockEntryProblem(location, { version, resolved, integrity: sha512 }, () => reg);

  it("accepts npm's layout, an encoded scope, and a layout naming the package then its version (GitHub Packages)", () => {
    assert.equal(problem('node_modules/leaf', `${reg}leaf/-/leaf-1.2.3.tgz`), undefined);
    assert.equal(problem('node_modules/@s/leaf', `${reg}@s/leaf/-/leaf-1.2.3.tgz`), undefined);
    assert.equal(problem('node_modules/@s/leaf', `${reg}@s%2fleaf/-/leaf-1.2.3.tgz`), undefined);
    assert.equal(problem('node_modules/a/node_modules/@s/leaf', `${reg}download/@s/leaf/1.2.3/0123abcd`), undefined);
  });

  it('refuses another package, another version, look-alike names and climbing paths', () => {
    for (const url of [
      `${reg}other/-/other-1.2.3.tgz`,
      `${reg}leaf/-/leaf-9.9.9.tgz`,
      `${reg}leaf-extra/-/leaf-extra-1.2.3.tgz`,
      `${reg}other/../leaf/-/leaf-1.2.3.tgz`,
      `${reg}other%2f..%2fleaf/-/leaf-1.2.3.tgz`,
      `${reg}download/@s/leafy/1.2.3/x`,
    ]) {
      assert.match(problem('node_modules/leaf', url) ?? '', /not that package's tarball|not from/, url);
    }
    assert.match(problem('node_modules/@s/leaf', `${reg}download/@s/leaf/9.9.9/x`) ?? '', /not that package's tarball/);
  });

  it('quotes what a lock holds without terminal control characters', () => {
    const lock = { 'node_modules/\u001b]52;c;eA==\u0007x': { version: '1', resolved: `${reg}x/-/x-1.tgz\u009b2J`, integrity: '' } };
    const message = lockRefusedMessage([...badLocations(lock), ...lockProblems(lock, () => reg)], 'lock');
    assert.match(message, /52;c;eA==/);
    assert.doesNotMatch(message, /[\u001b\u0007\u009b]/);
  });

  it('keeps only the known fields of a lock entry', () => {
    const lock = sanitizeLock({ 'node_modules/leaf': { version: '1', resolved: 'r', integrity: 'i', link: true, hasInstallScript: true } as never });
    assert.deepEqual(lock, { 'node_modules/leaf': { version: '1', resolved: 'r', integrity: 'i' } });
  });

  it("keeps a package's peers as arborist reads them: specs, and optional flags, nothing else", () => {
    const lock = sanitizeLock({
      'node_modules/plugin': {
        version: '1',
        resolved: 'r',
        integrity: 'i',
        peerDependencies: { host: '^1', bad: 42, worse: { toString: 'x' } },
        peerDependenciesMeta: { extra: { optional: true, script: 'rm -rf /' }, other: { optional: 'yes' }, odd: null },
      } as never,
      'node_modules/broken': { version: '1', resolved: 'r', integrity: 'i', peerDependencies: 'host', peerDependenciesMeta: [1] } as never,
    });
    assert.deepEqual(lock['node_modules/plugin'], {
      version: '1',
      resolved: 'r',
      integrity: 'i',
      peerDependencies: { host: '^1' },
      peerDependenciesMeta: { extra: { optional: true } },
    });
    assert.deepEqual(lock['node_modules/broken']?.peerDependencies, {});
    assert.deepEqual(lock['node_modules/broken']?.peerDependenciesMeta, {});
  });
});
