import { strict as assert } from 'node:assert';
import type { PropertyPage, WorkItem } from '../../../protocol';
import { nextPage, propertyRow, variableRow, VARIABLES_PAGE_SIZE, workGroups } from '../../../extension/inspect/inspectRows';

const handle = { kernelId: 'k', id: 7 };

describe('inspect view rows', () => {
  it('shows a binding with its type and a short preview; objects expand by their handle', () => {
    assert.deepEqual(variableRow({ name: 'n', cellId: 'c', value: { type: 'number', text: '42' } }), {
      label: 'n',
      description: 'number 42',
      tooltip: 'n: number\n42',
    });
    const map = variableRow({
      name: 'm',
      cellId: 'c',
      value: { type: 'object', subtype: 'map', className: 'Map', preview: 'Map(2) {1 => 2, 3 => 4}', size: 2, handle },
    });
    assert.equal(map.description, 'Map(2) {1 => 2, 3 => 4}');
    assert.equal(map.handleId, 7);
    assert.match(map.tooltip, /^m: Map\n/);
    const long = variableRow({ name: 's', cellId: 'c', value: { type: 'string', value: 'x'.repeat(500), length: 500 } });
    assert.ok(long.description.length <= 120 && long.description.endsWith('…'));
  });

  it('reports an accessor as one (its getter is never run) and Map entries by key', () => {
    assert.equal(variableRow({ name: 'g', cellId: 'c', accessor: 'get' }).accessor, 'get');
    assert.equal(propertyRow({ name: 'x', accessor: 'get/set' }).accessor, 'get/set');
    const entry = propertyRow({ name: '0', key: { type: 'string', value: 'k', length: 1 }, value: { type: 'number', text: '1' } });
    assert.equal(entry.label, "'k' =>");
    assert.equal(propertyRow({ name: '[[Prototype]]', internal: true, value: { type: 'null' } }).dimmed, true);
  });

  it('pages as the object inspector does', () => {
    const page = (start: number, n: number, total: number): PropertyPage => ({
      handle,
      start,
      total,
      items: Array.from({ length: n }, (_, i) => ({ name: String(start + i), value: { type: 'number', text: '0' } })),
    });
    assert.deepEqual(nextPage(page(0, VARIABLES_PAGE_SIZE, 250)), { start: 100, count: 100 });
    assert.deepEqual(nextPage(page(200, 50, 250)), undefined);
    assert.deepEqual(nextPage(page(100, 100, 250)), { start: 200, count: 50 });
  });

  it('groups pending work by the cell that started it, labelled as its stack names the cell', () => {
    const item = (id: string, cellId: string, line?: number): WorkItem => ({
      id,
      kind: 'interval',
      description: 'setInterval 10 ms',
      cellId,
      executionId: 1,
      cancellable: true,
      ...(line ? { location: { cellId, cellLabel: '[2]', line, column: 1 } } : {}),
    });
    const groups = workGroups([item('t1', 'a'), item('t2', 'b', 3), item('t3', 'a', 5)]);
    assert.deepEqual(
      groups.map((g) => [g.cellId, g.label, g.items.map((i) => i.id)]),
      [
        ['a', '[2]', ['t1', 't3']],
        ['b', '[2]', ['t2']],
      ],
    );
    assert.equal(workGroups([item('t9', 'z')])[0]!.label, 'z');
  });
});
