/**
 * One bad import fails only the cells that import it: the others' packages are installed and they run, in the
 * extension (DependencyManager) and in `coda run` alike.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InstallerClient, storeFor } from '../../../host/deps/InstallerClient';
import { failingHost } from '../../../installer/install';
import { installForCells } from '../../../host/deps/installForCells';
import { nearPopularPackage } from '../../../host/deps/popularPackages';
import { isCodaError } from '../../../protocol';
import { ROOT } from '../helpers/testKernel';
import { homeWithNpmrc, startRegistry, type Registry } from './registryServer';
import { removeTempDir } from '../helpers/removeTempDir';

const client = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js') });

describe('install failures belong to the cells that import the package', function () {
  this.timeout(90_000);
  let registry: Registry;
  let home: string;

  before(async () => {
    registry = await startRegistry([
      { name: 'good', version: '1.0.0' },
      { name: 'other', version: '2.0.0' },
    ]);
    home = homeWithNpmrc(registry, 'coda-cells-');
  });
  after(async () => {
    await client.close();
    await registry.close();
    removeTempDir(home);
  });

  const install = (notebook: string) => {
    const { storeDir, cacheDir } = storeFor(join(home, 'cache'), notebook);
    return {
      storeDir,
      run: (cells: { cellId: string; code: string }[]) =>
        installForCells(cells, home, storeDir, (dependencies, store) =>
          client.install({ storeDir: store, cacheDir, dependencies, allowScripts: false, npmrcFrom: home }),
        ),
    };
  };

  it('a missing package fails its cell only; the good package is installed for the others', async () => {
    const { storeDir, run } = install(join(home, 'a.coda'));
    const out = await run([
      { cellId: 'uses-good', code: 'import g from "good"; g' },
      { cellId: 'uses-missing', code: 'const m = require("no-such-package-anywhere")' },
      { cellId: 'no-imports', code: '1 + 1' },
      { cellId: 'uses-other', code: 'await import("other")' },
      { cellId: 'uses-missing-too', code: 'import m from "no-such-package-anywhere"' },
    ]);
    assert.deepEqual([...out.cellErrors.keys()].sort(), ['uses-missing', 'uses-missing-too']);
    const error = out.cellErrors.get('uses-missing')!;
    assert.equal(error.name, 'PackageNotFound');
    assert.ok(isCodaError(error, 'PackageNotFound'), 'the code crossed from the installer process');
    assert.match(error.message, /the import of 'no-such-package-anywhere' \(line 1\) could not be installed, so this cell did not run/);
    assert.deepEqual(Object.keys(out.result?.installed ?? {}).sort(), ['good', 'other']);
    assert.ok(existsSync(join(storeDir, 'node_modules', 'good', 'package.json')));
  });

  it("a helper module's imports are installed with the cells'; one that fails names the helper and fails the cell importing it", async () => {
    const { storeDir, run } = install(join(home, 'helpers.coda'));
    mkdirSync(join(home, 'lib'), { recursive: true });
    writeFileSync(join(home, 'lib', 'uses.ts'), 'import g from "good";\nimport { x } from "./deeper.js";\nexport const f = () => g;\n');
    writeFileSync(join(home, 'lib', 'deeper.ts'), '// helper\nexport const x = require("no-such-package-anywhere");\n');
    const out = await run([
      { cellId: 'imports-helper', code: 'import { f } from "./lib/uses"; f()' },
      { cellId: 'plain', code: 'import o from "other"; o' },
    ]);
    assert.deepEqual([...out.cellErrors.keys()], ['imports-helper']);
    assert.match(
      out.cellErrors.get('imports-helper')!.message,
      /the import of 'no-such-package-anywhere' \(lib\/deeper\.ts, line 2, a module this cell imports\) could not be installed, so this cell did not run/,
    );
    assert.deepEqual(Object.keys(out.result?.installed ?? {}).sort(), ['good', 'other'], "the helper's good import is installed");
    assert.ok(existsSync(join(storeDir, 'node_modules', 'good', 'package.json')));
  });

  it('a version that does not exist (// @coda-dep) fails that cell; the same package imported elsewhere fails there too', async () => {
    const { run } = install(join(home, 'b.coda'));
    const out = await run([
      { cellId: 'pins', code: '// @coda-dep good@^9.0.0\nrequire("good")' },
      { cellId: 'fine', code: 'require("other")' },
    ]);
    assert.deepEqual([...out.cellErrors.keys()], ['pins']);
    assert.match(out.cellErrors.get('pins')!.message, /@coda-dep good/);
    assert.doesNotMatch(out.cellErrors.get('pins')!.message, /\.\./, 'one full stop, not two');
    assert.deepEqual(Object.keys(out.result?.installed ?? {}), ['other']);
  });

  it('a notebook whose only import is bad installs nothing and fails only that cell', async () => {
    const { run } = install(join(home, 'c.coda'));
    const out = await run([
      { cellId: 'bad', code: 'require("nope-nope-nope")' },
      { cellId: 'plain', code: '"hi"' },
    ]);
    assert.deepEqual([...out.cellErrors.keys()], ['bad']);
    assert.equal(out.result, undefined);
  });

  it('offline with a package the cache does not have: says to run once with the network', async () => {
    const { storeDir, cacheDir } = storeFor(join(home, 'fresh-cache'), join(home, 'offline.coda'));
    const out = await installForCells([{ cellId: 'c', code: 'require("other")' }], home, storeDir, (dependencies, store) =>
      client.install({ storeDir: store, cacheDir, dependencies, allowScripts: false, npmrcFrom: home, offline: true }),
    );
    assert.match(out.cellErrors.get('c')!.message, /the cache does not have other, and --offline forbids downloading\. Run once without --offline/i);
  });

  it('a network error names the host that failed, not the registry', () => {
    assert.equal(
      failingHost({ message: 'request to https://tarballs.example.net/pkg/-/pkg-1.0.0.tgz failed, reason: getaddrinfo ENOTFOUND tarballs.example.net' }),
      'https://tarballs.example.net',
    );
    assert.equal(failingHost({ uri: 'https://cdn.example.org/x.tgz' }), 'https://cdn.example.org');
    assert.equal(failingHost({ hostname: 'mirror.local' }), 'mirror.local');
    assert.equal(failingHost({ message: 'something else' }), undefined);
  });

  it('an import one keystroke from a popular package is not installed until a // @coda-dep confirms it', async () => {
    const { run } = install(join(home, 'typo.coda'));
    const before = registry.hits.get('/lodahs') ?? 0;
    const out = await run([
      { cellId: 'typo', code: 'const _ = require("lodahs")' },
      { cellId: 'fine', code: 'require("good")' },
    ]);
    assert.equal(out.cellErrors.get('typo')?.name, 'TyposquatSuspected');
    assert.match(out.cellErrors.get('typo')!.message, /'lodahs' is one letter away from the popular package 'lodash'.*\/\/ @coda-dep lodahs/);
    assert.equal(registry.hits.get('/lodahs') ?? 0, before, 'the suspected package was never asked for');
    assert.equal(out.cellErrors.has('fine'), false);
    const confirmed = await run([{ cellId: 'typo', code: '// @coda-dep lodahs\nconst _ = require("lodahs")' }]);
    assert.equal(confirmed.cellErrors.get('typo')?.name, 'PackageNotFound', 'confirmed: it was asked for (and this registry has no such package)');
  });

  it('knows the usual slips: a letter added, dropped, changed or two swapped', () => {
    assert.equal(nearPopularPackage('lodahs'), 'lodash');
    assert.equal(nearPopularPackage('expresss'), 'express');
    assert.equal(nearPopularPackage('axois'), 'axios');
    assert.equal(nearPopularPackage('chalc'), 'chalk');
    assert.equal(nearPopularPackage('momnet'), 'moment');
    assert.equal(nearPopularPackage('react'), undefined);
    assert.equal(nearPopularPackage('my-own-package'), undefined);
  });

  it('coda run: the other cells run, --json reports the failed cell, and --keep-going goes past it', async () => {
    const file = join(home, 'run.coda');
    writeFileSync(
      file,
      JSON.stringify({
        coda: 1,
        metadata: {},
        cells: [
          { kind: 'code', language: 'javascript', source: ['require("good").name'] },
          { kind: 'code', language: 'javascript', source: ['require("no-such-package-anywhere")'] },
          { kind: 'code', language: 'javascript', source: ['"after"'] },
        ],
      }),
    );
    const env = { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: join(home, 'xdg'), npm_config_userconfig: join(home, '.npmrc') };
    // not spawnSync: the registry answers from this process
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', file, '--json', '--keep-going'], { env, cwd: home });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    const doc = JSON.parse(r.stdout) as { cells: { status: string; value?: { value?: string }; error?: { name: string; message: string } }[] };
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(
      doc.cells.map((c) => c.status),
      ['ok', 'error', 'ok'],
      r.stderr,
    );
    assert.equal(doc.cells[0]!.value?.value, 'good');
    assert.equal(doc.cells[1]!.error?.name, 'PackageNotFound');
    assert.equal(doc.cells[2]!.value?.value, 'after');
  });
});
