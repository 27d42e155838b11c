import { strict as assert } from 'node:assert';
import type { DependencySpec, InstallResult, SerializedError } from '../../../protocol';
import type { CellsInstall } from '../../../host/deps/installForCells';
import { lockUpdate } from '../../../host/deps/lockUpdate';
import { InstallMemo } from '../../../extension/pure/InstallMemo';

const LOCK = { 'left-pad': { version: '1.3.0', resolved: 'https://registry.example/left-pad-1.3.0.tgz', integrity: 'sha512-x' } } as never;

function outcome(over: Partial<CellsInstall> = {}): CellsInstall {
  const pin: DependencySpec = { name: 'left-pad', range: '^1.3.0', from: { kind: 'magic', cellId: 'a', line: 1 } } as DependencySpec;
  const result: InstallResult = {
    lock: LOCK,
    modulePath: '/store/node_modules',
    installed: { 'left-pad': '1.3.0' },
    fetched: 1,
    durationMs: 5,
    offline: false,
  };
  return { needed: [pin], result, cellErrors: new Map(), failed: new Map(), ...over };
}

describe("a notebook's lock after an install (host/deps/lockUpdate)", () => {
  it('a complete install writes the pins and the resolved tree when they differ from what is saved', () => {
    assert.deepEqual(lockUpdate({}, outcome()), { dependencies: { 'left-pad': '^1.3.0' }, lock: LOCK });
  });

  it('nothing changes when both are as saved, or when a package failed this time (the lock keeps its entries)', () => {
    assert.equal(lockUpdate({ dependencies: { 'left-pad': '^1.3.0' }, lock: LOCK }, outcome()), undefined);
    const failed = new Map<string, SerializedError>([['nope', { name: 'InstallFailed', message: '404' }]]);
    assert.equal(lockUpdate({}, outcome({ failed })), undefined);
    assert.equal(lockUpdate({}, outcome({ result: undefined })), undefined);
  });

  it('a changed // @coda-dep pin alone is an update (coda run says the file is out of date)', () => {
    assert.deepEqual(lockUpdate({ dependencies: { 'left-pad': '^1.0.0' }, lock: LOCK }, outcome())?.dependencies, { 'left-pad': '^1.3.0' });
  });
});

describe('installs remembered per document in the editor (extension/pure/InstallMemo)', () => {
  it('a run whose imports did not change installs nothing while the store is complete; its cell errors come back', () => {
    const memo = new InstallMemo();
    const cellErrors = new Map([['b', { name: 'TyposquatSuspected', message: 'one letter from lodash' }]]);
    const key = InstallMemo.key({ specs: ['left-pad'] }, LOCK, 'none');
    memo.remember('nb.coda', key, outcome({ cellErrors }));
    assert.equal(
      memo.recall('nb.coda', key, () => true),
      cellErrors,
    );
    // the store went (cleared by hand): install again
    assert.equal(
      memo.recall('nb.coda', key, () => false),
      undefined,
    );
    // another import, another lock or another script mode: install again
    assert.equal(
      memo.recall('nb.coda', InstallMemo.key({ specs: ['left-pad', 'ms'] }, LOCK, 'none'), () => true),
      undefined,
    );
    assert.equal(
      memo.recall('nb.coda', InstallMemo.key({ specs: ['left-pad'] }, LOCK, 'confined'), () => true),
      undefined,
    );
  });

  it('a failed package is not remembered: the next run tries again (the network may be back)', () => {
    const memo = new InstallMemo();
    const key = InstallMemo.key({ specs: ['left-pad'] }, undefined, 'none');
    memo.remember('nb.coda', key, outcome({ failed: new Map([['left-pad', { name: 'RegistryUnreachable', message: 'offline' }]]) }));
    assert.equal(
      memo.recall('nb.coda', key, () => true),
      undefined,
    );
  });

  it('nothing to install (no imports) needs no store', () => {
    const memo = new InstallMemo();
    const key = InstallMemo.key({ specs: [] }, undefined, 'none');
    memo.remember('scratch.ts', key, outcome({ result: undefined, needed: [] }));
    assert.deepEqual(
      memo.recall('scratch.ts', key, () => false),
      new Map(),
    );
  });
});
