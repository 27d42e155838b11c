/**
 * atomicStore.commitStore with `over`: an install that adds the editor's types to a store commits only over the store
 * it started from; a newer store that came in meanwhile stays (InstallParams.addsTypesTo).
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPLETE_MARKER, commitStore, discardStaging, stagingDirFor, storeFacts, storeGeneration } from '../../../host/deps/atomicStore';
import { removeTempDir } from '../helpers/removeTempDir';

describe('a store committed over the store it started from', () => {
  let root: string;
  let store: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'coda-over-'));
    store = join(root, 'stores', 'nb');
    mkdirSync(join(root, 'stores'));
  });
  afterEach(() => removeTempDir(root));

  /** A staging folder holding one file that names it. */
  const staged = (name: string): string => {
    const dir = stagingDirFor(store);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'which'), name);
    return dir;
  };
  const which = () => readFileSync(join(store, 'which'), 'utf8');
  const generation = async () => storeGeneration((await storeFacts(store))!)!;

  it('each commit has its own generation, and one over the current store replaces it', async () => {
    assert.equal(await commitStore(staged('a'), store, { scripts: 'off', types: false }), true);
    const a = await generation();
    assert.equal(await commitStore(staged('b'), store, { scripts: 'off', types: true }, a), true);
    assert.equal(which(), 'b');
    assert.notEqual(await generation(), a);
    assert.equal((await storeFacts(store))?.types, true);
  });

  it('a commit over a store that was replaced meanwhile leaves the newer store and says so', async () => {
    await commitStore(staged('first'), store, { scripts: 'off', types: false });
    const first = await generation();
    await commitStore(staged('newer'), store, { scripts: 'off', types: false });
    const newer = await generation();
    const late = staged('types for first');
    assert.equal(await commitStore(late, store, { scripts: 'off', types: true }, first), false);
    await discardStaging(late);
    assert.equal(which(), 'newer');
    assert.equal(await generation(), newer);
    assert.deepEqual(readdirSync(join(root, 'stores')), ['nb'], 'nothing set aside or staged is left');
  });

  it('a commit over a store that is gone, or over a store while another commits at once, never wins over the newer one', async () => {
    const gone = staged('over nothing');
    assert.equal(await commitStore(gone, store, { scripts: 'off', types: true }, 'some-generation'), false);
    await discardStaging(gone);
    await commitStore(staged('first'), store, { scripts: 'off', types: false });
    const first = await generation();
    // both started before either renamed: the plain commit (a newer install) stays whichever order the renames land in
    for (let round = 0; round < 20; round++) {
      const from = await generation();
      const [, plain] = await Promise.all([
        commitStore(staged('types for first'), store, { scripts: 'off', types: true }, round ? from : first),
        commitStore(staged('newer'), store, { scripts: 'off', types: false }),
      ]);
      assert.equal(plain, true);
      assert.equal(which(), 'newer', `round ${round}`);
      assert.deepEqual(
        readdirSync(join(root, 'stores')).filter((n) => n.endsWith('.old')),
        [],
        'nothing set aside is left',
      );
    }
  });

  it('a store from before generations is known by the time it was committed', async () => {
    await commitStore(staged('old'), store, { scripts: 'off' });
    const marker = JSON.parse(readFileSync(join(store, COMPLETE_MARKER), 'utf8')) as { id?: string; completedAt: string };
    delete marker.id;
    writeFileSync(join(store, COMPLETE_MARKER), JSON.stringify(marker));
    assert.equal(await generation(), marker.completedAt);
    assert.equal(await commitStore(staged('new'), store, { scripts: 'off', types: true }, marker.completedAt), true);
    assert.equal(which(), 'new');
  });
});
