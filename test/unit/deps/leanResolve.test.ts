/**
 * Issue 17: the installer's own resolution (installer/leanResolve.ts) places packages as npm's hoisting does, and
 * hands every tree it cannot place plainly to arborist. Against an in-memory registry whose picks follow pacote's rule
 * (`latest` when it fits, else the highest that does). The same trees from real registries, against arborist's own
 * resolution, are checked end to end by fastPath.test.ts.
 */
import { strict as assert } from 'node:assert';
import semver from 'semver';
import { leanResolve, type LeanManifest } from '../../../installer/leanResolve';
import type { DependencyLock } from '../../../protocol';

type Fixture = Omit<LeanManifest, '_resolved' | '_integrity'> & { latest?: boolean; noSha512?: boolean };

function registry(fixtures: Fixture[]) {
  const asked: string[] = [];
  const manifestOf = async (name: string, spec: string): Promise<LeanManifest> => {
    asked.push(`${name}@${spec}`);
    const versions = fixtures.filter((f) => f.name === name);
    if (!versions.length) throw Object.assign(new Error(`404 ${name}`), { code: 'E404' });
    const latest = versions.find((f) => f.latest) ?? versions.reduce((a, b) => (semver.gt(a.version, b.version) ? a : b));
    const range = spec === '' || spec === 'latest' ? '*' : spec;
    const fits = semver.validRange(range) ? versions.filter((f) => semver.satisfies(f.version, range)) : [];
    const chosen = semver.satisfies(latest.version, range) ? latest : fits.sort((a, b) => semver.rcompare(a.version, b.version))[0];
    if (!chosen) throw Object.assign(new Error(`no ${name}@${spec}`), { code: 'ETARGET' });
    const { latest: _l, noSha512, ...m } = chosen;
    return {
      ...m,
      _resolved: `https://registry.test/${name}/-/${name}-${m.version}.tgz`,
      _integrity: noSha512 ? 'sha1-AAAA' : `sha512-${name}${m.version}`,
    };
  };
  return { manifestOf, asked };
}

/** location → version, from a lean result (fails the test on a problem). */
async function tree(deps: Record<string, string>, fixtures: Fixture[]): Promise<Record<string, string>> {
  const r = await leanResolve(deps, registry(fixtures).manifestOf);
  if ('problem' in r) assert.fail(`unexpected problem: ${r.problem}`);
  return Object.fromEntries(Object.entries(r.lock as DependencyLock).map(([k, v]) => [k, v.version]));
}

async function problem(deps: Record<string, string>, fixtures: Fixture[]): Promise<string> {
  const r = await leanResolve(deps, registry(fixtures).manifestOf);
  assert.ok('problem' in r, `expected arborist to be left the tree, got ${JSON.stringify('lock' in r && r.lock)}`);
  return r.problem;
}

describe('the installer resolves a plain tree as npm hoists it (leanResolve)', () => {
  it('hoists what packages share to the root, once, and writes the lock arborist loads', async () => {
    const fixtures: Fixture[] = [
      { name: 'a', version: '1.0.0', dependencies: { shared: '^1.0.0' } },
      { name: 'b', version: '1.0.0', dependencies: { shared: '^1.1.0' } },
      { name: 'shared', version: '1.0.0' },
      { name: 'shared', version: '1.2.0' },
    ];
    const r = await leanResolve({ a: '*', b: '*' }, registry(fixtures).manifestOf);
    assert.ok('lock' in r);
    assert.deepEqual(Object.keys(r.lock), ['node_modules/a', 'node_modules/b', 'node_modules/shared']);
    assert.deepEqual(r.lock['node_modules/a'], {
      version: '1.0.0',
      resolved: 'https://registry.test/a/-/a-1.0.0.tgz',
      integrity: 'sha512-a1.0.0',
      dependencies: { shared: '^1.0.0' },
    });
    assert.equal(r.lock['node_modules/shared']!.version, '1.2.0');
  });

  it('keeps the root for its own direct dependency and nests a conflicting copy as high as it can go', async () => {
    const fixtures: Fixture[] = [
      { name: 'c', version: '1.5.0' },
      { name: 'c', version: '2.0.0' },
      { name: 'a', version: '1.0.0', dependencies: { c: '^1.0.0', b: '2.0.0' } },
      { name: 'b', version: '1.0.0' },
      { name: 'b', version: '2.0.0', dependencies: { d: '^1.0.0' } },
      { name: 'd', version: '1.0.0' },
      { name: 'd', version: '3.0.0' },
    ];
    // the root holds c@2 and b@1 and d@3; a's b@2 is nested under a, and b's d@1 goes under a too (above b)
    assert.deepEqual(await tree({ c: '2', a: '*', b: '1', d: '3' }, fixtures), {
      'node_modules/a': '1.0.0',
      'node_modules/a/node_modules/b': '2.0.0',
      'node_modules/a/node_modules/c': '1.5.0',
      'node_modules/a/node_modules/d': '1.0.0',
      'node_modules/b': '1.0.0',
      'node_modules/c': '2.0.0',
      'node_modules/d': '3.0.0',
    });
  });

  it('reuses a copy already in sight when it fits, even when a newer one exists', async () => {
    const fixtures: Fixture[] = [
      { name: 'x', version: '1.0.0' },
      { name: 'x', version: '1.9.0' },
      { name: 'user', version: '1.0.0', dependencies: { x: '^1.0.0' } },
    ];
    assert.deepEqual(await tree({ x: '1.0.0', user: '*' }, fixtures), { 'node_modules/user': '1.0.0', 'node_modules/x': '1.0.0' });
  });

  it('never places a copy where a package already there would see a version it does not accept', async () => {
    // a@1 holds c@1 nested (the root has c@2); c@1 needs m@^2 from the root; a itself needs m@^1: a copy of m@1
    // under a would be seen by c too, and above a is the root's m@2: no place fits, arborist decides
    const fixtures: Fixture[] = [
      { name: 'a', version: '1.0.0', dependencies: { c: '^1.0.0', m: '^1.0.0' } },
      { name: 'c', version: '1.0.0', dependencies: { m: '^2.0.0' } },
      { name: 'c', version: '2.0.0' },
      { name: 'm', version: '1.0.0' },
      { name: 'm', version: '2.0.0' },
    ];
    assert.match(await problem({ a: '*', c: '2', m: '2' }, fixtures), /no place in the tree fits m@1\.0\.0/);
  });

  it('installs peers beside their dependent, shares one that fits, and leaves a conflict to arborist', async () => {
    const fixtures: Fixture[] = [
      { name: 'host', version: '1.0.0' },
      { name: 'host', version: '2.0.0' },
      { name: 'plugin', version: '1.0.0', peerDependencies: { host: '^1.0.0' } },
      { name: 'other-plugin', version: '1.0.0', peerDependencies: { host: '1' } },
      { name: 'wrapper', version: '1.0.0', dependencies: { plugin: '1.0.0', host: '2' } },
    ];
    // the peer nobody else names is installed at the root, beside its dependent; a second plugin shares it
    assert.deepEqual(await tree({ plugin: '*', 'other-plugin': '*' }, fixtures), {
      'node_modules/host': '1.0.0',
      'node_modules/other-plugin': '1.0.0',
      'node_modules/plugin': '1.0.0',
    });
    // the lock names the peers, so that a tree built from it keeps them
    const r = await leanResolve({ plugin: '*' }, registry(fixtures).manifestOf);
    assert.ok('lock' in r);
    assert.deepEqual(r.lock['node_modules/plugin']?.peerDependencies, { host: '^1.0.0' });
    // the notebook asks for host@2 itself: npm reports a conflict (ERESOLVE); arborist says so
    assert.match(await problem({ host: '2', plugin: '*' }, fixtures), /no place in the tree fits plugin@1\.0\.0/);
  });

  it('skips optional packages for another platform or engine, and ones the registry cannot give, with what only they need', async () => {
    const otherOs = process.platform === 'win32' ? 'linux' : 'win32';
    const fixtures: Fixture[] = [
      { name: 'tool', version: '1.0.0', optionalDependencies: { 'native-other': '1', 'native-here': '1', 'native-old': '1', missing: '1' } },
      { name: 'native-other', version: '1.0.0', os: [otherOs], dependencies: { 'only-for-other': '1' } },
      { name: 'only-for-other', version: '1.0.0' },
      { name: 'native-here', version: '1.0.0', os: [process.platform], cpu: [process.arch] },
      { name: 'native-old', version: '1.0.0', engines: { node: '<1' } },
    ];
    const r = await leanResolve({ tool: '*' }, registry(fixtures).manifestOf);
    assert.ok('lock' in r);
    assert.deepEqual(Object.keys(r.lock), ['node_modules/native-here', 'node_modules/tool']);
    // a required dependency that cannot be resolved is arborist's to report
    assert.match(await problem({ nothere: '*' }, fixtures), /nothere@\* could not be resolved/);
  });

  it('asks for no spec but registry ones: git, file, URL and alias specs leave the tree to arborist unfetched', async () => {
    for (const spec of ['github:owner/repo', 'file:../local', 'https://example.test/x.tgz', 'npm:other@1', 'git+ssh://git@example.test/x.git']) {
      const { manifestOf, asked } = registry([{ name: 'top', version: '1.0.0', dependencies: { odd: spec } }]);
      const r = await leanResolve({ top: '*' }, manifestOf);
      assert.ok('problem' in r && /odd@.* is not a registry range, version or tag/.test(r.problem), `${spec}: ${JSON.stringify(r)}`);
      assert.deepEqual(asked, ['top@*'], `${spec} was fetched`);
    }
    const direct = registry([]);
    assert.ok('problem' in (await leanResolve({ mine: 'file:./mine' }, direct.manifestOf)));
    assert.deepEqual(direct.asked, []);
  });

  it('leaves packages only arborist installs to it: bundled dependencies, shrinkwraps, bin folders, no sha512', async () => {
    const cases: [Fixture, RegExp][] = [
      [{ name: 'p', version: '1.0.0', bundleDependencies: ['q'] }, /bundles dependencies/],
      [{ name: 'p', version: '1.0.0', bundledDependencies: true }, /bundles dependencies/],
      [{ name: 'p', version: '1.0.0', _hasShrinkwrap: true }, /shrinkwrap/],
      [{ name: 'p', version: '1.0.0', directories: { bin: './bin' } }, /bin folder/],
      [{ name: 'p', version: '1.0.0', noSha512: true }, /no sha512/],
      [{ name: 'p', version: '1.0.0', acceptDependencies: { q: '2' } }, /accepts other dependencies/],
    ];
    for (const [fixture, message] of cases) assert.match(await problem({ p: '*' }, [fixture]), message);
    // also deep in the tree
    assert.match(await problem({ top: '*' }, [{ name: 'top', version: '1.0.0', dependencies: { p: '1' } }, cases[0]![0]]), /bundles dependencies/);
  });

  it('reads tags as npm does (any registry copy in sight fits) and leaves out optional peers nobody installs', async () => {
    const fixtures: Fixture[] = [
      { name: 'lib', version: '1.0.0' },
      { name: 'lib', version: '2.0.0', latest: true },
      { name: 'lib', version: '3.0.0-beta.1' },
      {
        name: 'uses-tag',
        version: '1.0.0',
        dependencies: { lib: 'latest' },
        peerDependencies: { extra: '*' },
        peerDependenciesMeta: { extra: { optional: true } },
      },
    ];
    assert.deepEqual(await tree({ lib: '1', 'uses-tag': '*' }, fixtures), { 'node_modules/lib': '1.0.0', 'node_modules/uses-tag': '1.0.0' });
    assert.deepEqual(await tree({ 'uses-tag': '*' }, fixtures), { 'node_modules/lib': '2.0.0', 'node_modules/uses-tag': '1.0.0' });
  });

  it('gives the same tree whatever order the registry answers in', async () => {
    const fixtures: Fixture[] = [
      { name: 'a', version: '1.0.0', dependencies: { z: '^1.0.0' } },
      { name: 'b', version: '1.0.0', dependencies: { z: '^2.0.0' } },
      { name: 'z', version: '1.0.0' },
      { name: 'z', version: '2.0.0' },
    ];
    const { manifestOf } = registry(fixtures);
    const trees = new Set<string>();
    for (let run = 0; run < 6; run++) {
      // each answer after a random delay: the picks race, the placement must not
      const slow = (name: string, spec: string) => new Promise<void>((r) => setTimeout(r, Math.random() * 5)).then(() => manifestOf(name, spec));
      const r = await leanResolve({ a: '*', b: '*' }, slow);
      assert.ok('lock' in r);
      trees.add(JSON.stringify(Object.entries(r.lock).map(([k, v]) => [k, v.version])));
    }
    // a comes first (npm's order), so its z@1 takes the root and b's z@2 is nested
    assert.deepEqual(
      [...trees],
      [
        JSON.stringify([
          ['node_modules/a', '1.0.0'],
          ['node_modules/b', '1.0.0'],
          ['node_modules/b/node_modules/z', '2.0.0'],
          ['node_modules/z', '1.0.0'],
        ]),
      ],
    );
  });
});
