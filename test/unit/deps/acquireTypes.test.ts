/**
 * Issue 14 item 3: `@types` packages for installed packages that ship no types, acquired by the installer process
 * from the loopback registry into the notebook's store, with scripts off, and found there by the editor's plugin.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { storeFacts, storeGeneration } from '../../../host/deps/atomicStore';
import { recordedLock } from '../../../host/deps/storeRecord';
import { installFromStores } from '../../../host/deps/storeReuse';
import { lockPackages, treeDirFor, treeKey } from '../../../host/deps/sharedTree';
import type { InstallParams } from '../../../protocol';
import { InstallerClient, storeFor } from '../../../host/deps/InstallerClient';
import { hasOwnTypes, typesPackageName } from '../../../installer/acquireTypes';
import { ROOT, startKernel } from '../helpers/testKernel';
import { messages, startServer } from '../types/tsserverHarness';
import { homeWithNpmrc, installedVersion, startRegistry, type Registry } from './registryServer';

const client = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js') });
const dts = (signature: string) => ({ 'index.d.ts': signature });

describe('types of installed packages (@types acquisition, loopback registry)', function () {
  this.timeout(60_000);
  let registry: Registry;
  let home: string;
  const params = (notebook: string, dependencies: Record<string, string>, over: Partial<InstallParams> = {}): InstallParams => {
    const { storeDir, cacheDir } = storeFor(join(home, 'cache'), notebook);
    return { storeDir, cacheDir, dependencies, allowScripts: false, npmrcFrom: home, ...over };
  };

  before(async () => {
    registry = await startRegistry([
      { name: 'chunky', version: '3.10.1', main: 'exports.chunk = (a, n) => [a.slice(0, n)];' },
      { name: 'chunky', version: '4.14.2', main: 'exports.chunk = (a, n) => [a.slice(0, n)];' },
      { name: 'chunky', version: '4.17.21', main: 'exports.chunk = (a, n) => [a.slice(0, n)];' },
      { name: '@types/chunky', version: '4.17.5', files: dts('export declare function chunk<T>(array: T[], size?: number): T[][];') },
      { name: '@types/chunky', version: '4.14.0', files: dts('export declare function chunk(array: unknown[]): unknown;') },
      { name: '@types/chunky', version: '3.10.0', files: dts('export declare function chunk(array: string): never;') },
      { name: 'self-typed', version: '1.0.0', files: dts('export declare const own: number;') },
      { name: '@types/self-typed', version: '1.0.0', files: dts('export declare const other: string;') },
      { name: 'untyped-alone', version: '1.0.0' },
      {
        name: '@types/scripted',
        version: '1.0.0',
        scripts: { postinstall: "node -e \"require('fs').writeFileSync('ran.txt', '')\"" },
        files: dts('export declare const s: 1;'),
      },
      { name: 'scripted', version: '1.0.0' },
    ]);
    home = homeWithNpmrc(registry, 'coda-types-');
  });
  after(async () => {
    await client.close();
    await registry.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('names and detects types as DefinitelyTyped and TypeScript do', () => {
    assert.equal(typesPackageName('lodash'), '@types/lodash');
    assert.equal(typesPackageName('@babel/core'), '@types/babel__core');
    const none = () => false;
    assert.equal(hasOwnTypes({ types: 'x.d.ts' }, none), true);
    assert.equal(hasOwnTypes({ exports: { '.': { types: './i.d.ts', default: './i.js' } } }, none), true);
    assert.equal(
      hasOwnTypes({ main: './lib/main.js' }, (f) => f === 'lib/main.d.ts'),
      true,
    );
    assert.equal(hasOwnTypes({ main: 'lib/main.js' }, none), false);
  });

  it('adds @types/<name> of the same major.minor to the store and the lock; the editor types the import from it', async () => {
    const r = await client.install(params('/nb/types.coda', { chunky: '*' }));
    assert.deepEqual(r.installed, { chunky: '4.17.21' });
    assert.equal(installedVersion(r.modulePath, '@types/chunky'), '4.17.5');
    assert.equal(r.lock['node_modules/@types/chunky']?.version, '4.17.5');
    assert.match(r.lock['node_modules/@types/chunky']!.integrity, /^sha512-/);

    const dir = mkdtempSync(join(home, 'ws-'));
    const server = startServer({ root: dir });
    try {
      server.configure({ notebooks: [{ uri: `file://${dir}/n.coda`, runtime: 'node', modulePaths: [r.modulePath] }] });
      const files = server.openNotebook(join(dir, 'n.coda'), ['import { chunk } from "chunky";', 'const n: number = chunk([1, 2], 1);']);
      assert.deepEqual(messages(server.errors(files[0]!)), []);
      assert.match(messages(server.errors(files[1]!)).join('\n'), /Type 'number\[\]\[\]' is not assignable to type 'number'/);
    } finally {
      server.dispose();
    }
  });

  it('a pinned older version gets the types of that version', async () => {
    const r = await client.install(params('/nb/pinned.coda', { chunky: '3.10.1' }));
    assert.equal(installedVersion(r.modulePath, '@types/chunky'), '3.10.0');
  });

  it('the lock decides the types version on the next install', async () => {
    const older = await client.install(params('/nb/older.coda', { chunky: '4.14.2' }));
    assert.equal(installedVersion(older.modulePath, '@types/chunky'), '4.14.0');
    const newer = await client.install(params('/nb/newer.coda', { chunky: '4.17.21' }));
    // a notebook saved when 4.14.0 was the types it got keeps them with the newer package
    const lock = { ...newer.lock, 'node_modules/@types/chunky': older.lock['node_modules/@types/chunky']! };
    const r = await client.install(params('/nb/locked.coda', { chunky: '4.17.21' }, { lock }));
    assert.equal(installedVersion(r.modulePath, '@types/chunky'), '4.14.0');
    assert.equal(r.lock['node_modules/@types/chunky']?.version, '4.14.0');
  });

  it('a package with its own types gets no @types package (none is even looked up); one without any installs alone', async () => {
    const r = await client.install(params('/nb/own.coda', { 'self-typed': '*', 'untyped-alone': '*' }));
    assert.deepEqual(r.installed, { 'self-typed': '1.0.0', 'untyped-alone': '1.0.0' });
    assert.equal(existsSync(join(r.modulePath, '@types')), false);
    assert.equal(registry.hits.get('@types/self-typed') ?? 0, 0);
    assert.ok((registry.hits.get('@types/untyped-alone') ?? 0) > 0, 'looked up, not found');
  });

  it('types guessed before the install that the installed tree contradicts are corrected (a lock naming types for a package with its own)', async () => {
    const typed = await client.install(params('/nb/guess-typed.coda', { 'self-typed': '1.0.0' }));
    const withTypes = await client.install(params('/nb/guess-types.coda', { '@types/self-typed': '1.0.0' }));
    // a lock that holds @types/self-typed beside self-typed (made by hand: CodaJS never wrote it)
    const lock = { ...typed.lock, 'node_modules/@types/self-typed': withTypes.lock['node_modules/@types/self-typed']! };
    const r = await client.install(params('/nb/guess-wrong.coda', { 'self-typed': '1.0.0' }, { lock }));
    assert.equal(r.lock['node_modules/@types/self-typed'], undefined);
    assert.equal(existsSync(join(r.modulePath, '@types')), false, 'installed once with the guess, then again without it');
  });

  describe('packages first, the editor types after (InstallParams.editorTypes, addsTypesTo)', () => {
    const generation = async (storeDir: string) => storeGeneration((await storeFacts(storeDir))!)!;
    const lookups = () => registry.hits.get('@types/chunky') ?? 0;

    it('an install without the types holds the packages alone, looks none up, keeps no record, and serves only installs without types', async () => {
      const before = lookups();
      const p = params('/nb/split.coda', { chunky: '4.17.21' }, { editorTypes: false });
      const first = await client.install(p);
      assert.deepEqual(first.installed, { chunky: '4.17.21' });
      assert.equal(installedVersion(first.modulePath, '@types/chunky'), undefined);
      assert.deepEqual(Object.keys(first.lock), ['node_modules/chunky']);
      assert.equal(lookups(), before, 'no @types package was looked up');
      assert.equal((await storeFacts(p.storeDir))?.types, false);
      assert.equal(await recordedLock(p.storeDir, p.dependencies, 'none'), undefined, 'a lock without the types is not kept');
      assert.equal(existsSync(treeDirFor(p.cacheDir, treeKey(lockPackages(first.lock))!)), false, 'nor is its tree shared');
      // the same install again is served by the store; one that wants the types is not
      assert.equal((await client.install({ ...p, lock: first.lock })).phases, undefined);
      assert.equal(await installFromStores({ ...p, lock: first.lock, editorTypes: true }), undefined);
    });

    it('the install that adds them over that store gives the same packages with their types, and keeps that lock', async () => {
      const p = params('/nb/split-then.coda', { chunky: '4.17.21' }, { editorTypes: false });
      const first = await client.install(p);
      const over = await generation(p.storeDir);
      const said: string[] = [];
      const r = await client.install({ ...p, lock: first.lock, editorTypes: true, addsTypesTo: over }, { onProgress: (m) => said.push(m) });
      assert.equal(r.superseded, undefined);
      // the types were guessed from the packages (the lock of an install without them says nothing of them): one tree
      assert.ok('types guess' in r.phases!);
      assert.deepEqual(
        said.filter((m) => m.startsWith('adding types')),
        [],
        'built once, with the types',
      );
      assert.equal(installedVersion(r.modulePath, '@types/chunky'), '4.17.5');
      assert.equal(r.lock['node_modules/chunky']?.integrity, first.lock['node_modules/chunky']?.integrity);
      assert.equal(r.lock['node_modules/@types/chunky']?.version, '4.17.5');
      assert.equal((await storeFacts(p.storeDir))?.types, true);
      assert.notEqual(await generation(p.storeDir), over);
      assert.deepEqual(await recordedLock(p.storeDir, p.dependencies, 'none'), r.lock);
      // a notebook that keeps this lock is served by the store, types and all
      assert.equal((await client.install(params('/nb/split-then.coda', { chunky: '4.17.21' }, { lock: r.lock }))).phases, undefined);
    });

    it('a package a cell loaded before the types came is the same one after, and one first loaded after works', async () => {
      const p = params('/nb/split-kernel.coda', { chunky: '4.17.21' }, { editorTypes: false });
      const first = await client.install(p);
      const k = await startKernel({ cwd: mkdtempSync(join(home, 'nb-')), modulePaths: [first.modulePath] });
      try {
        assert.equal(await k.value('globalThis.before = require("chunky"); before.mark = 7; typeof before.chunk'), 'function');
        await client.install({ ...p, lock: first.lock, editorTypes: true, addsTypesTo: await generation(p.storeDir) });
        assert.equal(installedVersion(first.modulePath, '@types/chunky'), '4.17.5', 'the store was replaced under the kernel');
        assert.equal(await k.value('require("chunky") === before && require("chunky").mark'), '7');
        assert.equal(await k.value('require("chunky/package.json").version'), '4.17.21');
      } finally {
        await k.kernel.dispose();
      }
    });

    it('the types a lock names are the ones added', async () => {
      const older = await client.install(params('/nb/split-older.coda', { chunky: '4.14.2' }));
      const p = params('/nb/split-locked.coda', { chunky: '4.17.21' }, { editorTypes: false });
      const first = await client.install(p);
      const lock = { ...first.lock, 'node_modules/@types/chunky': older.lock['node_modules/@types/chunky']! };
      const r = await client.install({ ...p, lock, editorTypes: true, addsTypesTo: await generation(p.storeDir) });
      assert.equal(installedVersion(r.modulePath, '@types/chunky'), '4.14.0');
      assert.equal(installedVersion(r.modulePath, 'chunky'), '4.17.21');
    });

    it('types for a store that a newer install replaced meanwhile are not committed: the newer store stays', async () => {
      const p = params('/nb/split-late.coda', { chunky: '4.17.21' }, { editorTypes: false });
      const first = await client.install(p);
      const over = await generation(p.storeDir);
      // the notebook's imports changed: a newer install replaced the store
      const newer = await client.install({ ...p, dependencies: { 'untyped-alone': '*' } });
      const r = await client.install({ ...p, lock: first.lock, editorTypes: true, addsTypesTo: over });
      assert.equal(r.superseded, true);
      assert.equal(installedVersion(newer.modulePath, 'untyped-alone'), '1.0.0');
      assert.equal(existsSync(join(newer.modulePath, 'chunky')), false);
      assert.equal(existsSync(join(newer.modulePath, '@types')), false);
      assert.equal(await recordedLock(p.storeDir, p.dependencies, 'none'), undefined);
      assert.deepEqual(
        readdirSync(dirname(p.storeDir)).filter((n) => n.includes(basename(p.storeDir)) && n !== basename(p.storeDir)),
        [],
        'its staging folder is gone',
      );
    });
  });

  it('an @types package never runs install scripts, even when the notebook allows scripts', async () => {
    const r = await client.install(params('/nb/scripts.coda', { scripted: '*' }, { allowScripts: true }));
    assert.equal(installedVersion(r.modulePath, '@types/scripted'), '1.0.0');
    assert.equal(existsSync(join(r.modulePath, '@types/scripted', 'ran.txt')), false);
  });
});
