/**
 * Install failures are recognised by their catalogue code, never by their name or words: a cancelled install stops
 * the cells' install (and is not blamed on a package), an error about the whole install is not probed package by
 * package, and anything without a code reads InstallFailed.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { codaErrorObject, isCodaError, type InstallResult } from '../../../protocol';
import { InstallerClient } from '../../../host/deps/InstallerClient';
import { installForCells, type Install } from '../../../host/deps/installForCells';
import { ROOT } from '../helpers/testKernel';

const CELLS = [
  { cellId: 'a', code: 'require("left-pad")' },
  { cellId: 'b', code: 'require("right-pad")' },
];

function recording(fail: (deps: Record<string, string>) => unknown): { install: Install; calls: string[][] } {
  const calls: string[][] = [];
  const install: Install = async (deps) => {
    calls.push(Object.keys(deps));
    const err = fail(deps);
    if (err) throw err;
    return { lock: {}, modulePath: '', installed: {}, fetched: 0, durationMs: 0 } as InstallResult;
  };
  return { install, calls };
}

describe('install errors are recognised by code', () => {
  it('a cancelled install (code Cancelled) is rethrown, not given to the cells', async () => {
    const { install } = recording(() => codaErrorObject('Cancelled', { what: 'Installing left-pad, right-pad' }));
    await assert.rejects(installForCells(CELLS, undefined, '/nowhere', install), (err: unknown) => isCodaError(err, 'Cancelled'));
  });

  it('an error that is only named Cancelled is an install failure of the cells, not a cancellation', async () => {
    const { install } = recording(() => Object.assign(new Error('left-pad was cancelled.'), { name: 'Cancelled' }));
    const out = await installForCells(CELLS, undefined, '/nowhere', install);
    assert.equal(out.cellErrors.get('a')?.name, 'InstallFailed');
    assert.ok(isCodaError(out.cellErrors.get('a'), 'InstallFailedOther'));
  });

  it('an unreachable registry (by code) fails every importing cell without probing each package', async () => {
    const { install, calls } = recording(() => codaErrorObject('RegistryUnreachable', { host: 'https://left-pad.example', errno: 'ENOTFOUND' }));
    const out = await installForCells(CELLS, undefined, '/nowhere', install);
    assert.deepEqual(calls, [['left-pad', 'right-pad']], 'one install, no probes, though the message names left-pad');
    assert.ok(isCodaError(out.cellErrors.get('a'), 'RegistryUnreachable'));
    assert.ok(isCodaError(out.cellErrors.get('b'), 'RegistryUnreachable'));
    assert.match(
      out.cellErrors.get('b')!.message,
      /the import of 'right-pad' \(line 1\) could not be installed, so this cell did not run: https:\/\/left-pad\.example cannot be reached/,
    );
  });

  it('a package error keeps its code on the cell that imports it; the other cell installs', async () => {
    const { install } = recording((deps) =>
      'left-pad' in deps ? codaErrorObject('PackageNotFound', { pkg: 'left-pad', registry: 'https://r.example' }) : undefined,
    );
    const out = await installForCells(CELLS, undefined, '/nowhere', install);
    assert.deepEqual([...out.cellErrors.keys()], ['a']);
    assert.ok(isCodaError(out.cellErrors.get('a'), 'PackageNotFound'));
    assert.equal(out.cellErrors.get('a')!.props?.package, '"left-pad"');
  });

  it('the package an error is about is read from props.package, not from its words', async () => {
    const { install, calls } = recording((deps) =>
      'right-pad' in deps
        ? Object.assign(codaErrorObject('VersionNotFound', { detail: 'No matching version found for left-pad@^9 (a message that names the wrong one).' }), {
            props: { package: JSON.stringify('right-pad') },
          })
        : undefined,
    );
    const out = await installForCells(CELLS, undefined, '/nowhere', install);
    assert.deepEqual(calls, [['left-pad', 'right-pad'], ['left-pad']], 'no probes: the error said which package');
    assert.deepEqual([...out.cellErrors.keys()], ['b']);
    assert.ok(isCodaError(out.cellErrors.get('b'), 'VersionNotFound'));
  });

  it('an install cancelled before it starts rejects with code Cancelled (no installer is started)', async () => {
    const client = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js') });
    try {
      const abort = new AbortController();
      abort.abort();
      await assert.rejects(
        client.install(
          { storeDir: '/nowhere', cacheDir: '/nowhere', dependencies: { 'left-pad': '*' }, allowScripts: false, npmrcFrom: '/nowhere' },
          { signal: abort.signal },
        ),
        (err: unknown) => isCodaError(err, 'Cancelled') && /was cancelled\.$/.test((err as Error).message),
      );
    } finally {
      await client.close();
    }
  });
});
