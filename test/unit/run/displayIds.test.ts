/** Where a kernel's display ids are shown (host/run/DisplayIds.ts): what a display or an update replaces and adds. */
import { strict as assert } from 'node:assert';
import { DisplayIds } from '../../../host/run/DisplayIds';

describe('display ids (host/run/DisplayIds)', () => {
  it('a display with an id adds an output and replaces the ones shown with it; an update only replaces', () => {
    const ids = new DisplayIds<string>();
    assert.deepEqual(ids.route({}), { replace: [], add: true }, 'no id: a new output');
    assert.deepEqual(ids.route({ displayId: 'p', update: true }), { replace: [], add: false }, 'an update of an id never shown: nothing');
    assert.deepEqual(ids.route({ displayId: 'p' }), { replace: [], add: true });
    ids.add('p', 'cell 1 output');
    const again = ids.route({ displayId: 'p' });
    assert.deepEqual(again, { replace: ['cell 1 output'], add: true });
    ids.add('p', 'cell 2 output');
    assert.deepEqual(again.replace, ['cell 1 output'], 'what a route returned does not change afterwards');
    assert.deepEqual(ids.route({ displayId: 'p', update: true }), { replace: ['cell 1 output', 'cell 2 output'], add: false });
  });

  it('forgets outputs that are no longer shown, and everything on clear()', () => {
    const gone = new Set<string>();
    const ids = new DisplayIds<string>((t) => !gone.has(t));
    ids.add('c', 'a');
    ids.add('c', 'b');
    gone.add('a');
    assert.deepEqual(ids.route({ displayId: 'c', update: true }).replace, ['b']);
    gone.delete('a');
    assert.deepEqual(ids.route({ displayId: 'c', update: true }).replace, ['b'], 'once forgotten, for good');
    ids.clear();
    assert.deepEqual(ids.route({ displayId: 'c', update: true }).replace, []);
  });
});
