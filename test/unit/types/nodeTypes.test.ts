/**
 * Which shipped `@types/node` a Node notebook gets for the Node major that runs it.
 */
import assert from 'node:assert/strict';
import { majorOf, nodeTypesMajor } from '../../../tsplugin/core/nodeTypes';

describe("types: the @types/node of the notebook's Node major", () => {
  const shipped = [24, 20, 26, 22];

  it('gives a shipped major its own types', () => {
    for (const m of [20, 22, 24, 26]) assert.equal(nodeTypesMajor(shipped, m), m);
  });

  it('gives an odd or newer major the newest shipped major not above it, an older one the oldest', () => {
    assert.deepEqual(
      [21, 23, 25, 27, 40, 18, 0].map((m) => nodeTypesMajor(shipped, m)),
      [20, 22, 24, 26, 26, 20, 20],
    );
  });

  it('gives a notebook whose Node is not found the newest, and nothing when no types ship', () => {
    assert.equal(nodeTypesMajor(shipped, undefined), 26);
    assert.equal(nodeTypesMajor([], 22), undefined);
  });

  it("reads the major of Node's and Bun's process.version", () => {
    assert.deepEqual(['v24.11.1', 'v26.3.0\n', '20.19.0', 'bun 1.4.5', ''].map(majorOf), [24, 26, 20, undefined, undefined]);
  });
});
