/** `console.log('label', obj)`: the object is shown once, where it stands in the line, not as text and again as a tree. */
import { strict as assert } from 'node:assert';
import { ConsoleFormatter } from '../../../worker/inspect/ConsoleFormatter';
import { HandleRegistry } from '../../../worker/inspect/HandleRegistry';

describe('console arguments, one by one (segments)', () => {
  const formatter = () => new ConsoleFormatter({ registry: new HandleRegistry('k1') });
  const ctx = { cellId: 'c', executionId: 1, time: 0 };

  it('a label and an object: the label as text, the object as a slot for its value', () => {
    const e = formatter().format('log', ['user', { name: 'ada', tags: ['x'] }, 42, 'end'], ctx)!;
    assert.equal(e.text, "user { name: 'ada', tags: [ 'x' ] } 42 end");
    assert.deepEqual(e.segments, ['user', ' ', { value: 0 }, ' 42', ' end']);
    assert.equal(e.values?.length, 1);
  });

  it('objects and functions take their slots in order', () => {
    const e = formatter().format('error', [new Map([[1, 2]]), 'and', function f() {}], ctx)!;
    assert.deepEqual(e.segments, [{ value: 0 }, ' and', ' ', { value: 1 }]);
  });

  it('a format string keeps the text alone (its arguments are not where they stand)', () => {
    assert.equal(formatter().format('log', ['%s has %o', 'ada', { n: 1 }], ctx)!.segments, undefined);
  });

  it('no objects, no segments', () => {
    assert.equal(formatter().format('log', ['plain', 1, true], ctx)!.segments, undefined);
  });
});
