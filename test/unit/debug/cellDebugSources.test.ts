/**
 * Cells shown as themselves while debugging: the sources js-debug sends for a notebook cell become the cell's URI.
 * The input is what js-debug 1.117 (VS Code 1.139, code-server) sent for the e2e notebook debug.coda, recorded by a
 * debug adapter tracker: a breakpoint in cell 1, paused in area() called from cell 2.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cellUriOfSourcePath, showCellSources } from '../../../extension/pure/cellDebugSources';
import { GOLDEN_ROOT, matchGolden } from '../helpers/golden';

const NOTEBOOK = 'vscode-notebook-cell://127.0.0.1:46197/tmp/coda-e2e-XGl2n8/workspace/debug.coda';
const CELL_1 = `${NOTEBOOK}#W0sdnNjb2RlLXJlbW90ZQ%3D%3D`;
const CELL_2 = `${NOTEBOOK}#W1sdnNjb2RlLXJlbW90ZQ%3D%3D`;
const labels = new Map([
  [CELL_1, 'debug.coda, cell 1'],
  [CELL_2, 'debug.coda, cell 2'],
]);
const label = (uri: string) => labels.get(uri);

type Source = { name?: string; path?: string; sourceReference?: number };
const recorded = (): Array<{ type: string; event?: string; command?: string; body: Record<string, unknown> }> =>
  JSON.parse(readFileSync(join(GOLDEN_ROOT, 'debug/jsdebug-cell-messages.json'), 'utf8'));

describe('cell sources while debugging', () => {
  it("reads a cell URI out of js-debug's file:// form of it (remote, local, Windows) and nothing else", () => {
    const remote = 'file://vscode-notebook-cell%3A//127.0.0.1%3A46197/tmp/coda-e2e-XGl2n8/workspace/debug.coda%23W0sdnNjb2RlLXJlbW90ZQ%253D%253D';
    assert.equal(cellUriOfSourcePath(remote), CELL_1);
    assert.equal(
      cellUriOfSourcePath('file://vscode-notebook-cell%3A/work/demo.coda%23W0sZmlsZQ%253D%253D'),
      'vscode-notebook-cell:/work/demo.coda#W0sZmlsZQ%3D%3D',
    );
    // js-debug on Windows keeps the first segment as it is and writes file:///
    assert.equal(
      cellUriOfSourcePath('file:///vscode-notebook-cell:/c%3A/work/demo.coda%23W0sZmlsZQ%253D%253D'),
      'vscode-notebook-cell:/c:/work/demo.coda#W0sZmlsZQ%3D%3D',
    );
    assert.equal(cellUriOfSourcePath(CELL_1), CELL_1, 'a cell URI as it is');
    for (const other of [
      '/tmp/coda-e2e-XGl2n8/workspace/__coda_cell_2__.js',
      '<node_internals>/vm',
      'file:///work/vscode-notebook-cell/a.js',
      'file://vscode-notebook-cell%3A/bad%E0%A4%A',
      '',
    ])
      assert.equal(cellUriOfSourcePath(other), undefined, other);
  });

  it('rewrites every cell source of the recorded messages to the cell, and leaves the kernel and Node sources (golden)', () => {
    const messages = recorded();
    const counts = messages.map((m) => showCellSources(m, label));
    // loadedSource of cell 1, the wrapper script's loadedSource, setBreakpoints, the breakpoint event, the stack
    // (frames in cell 1 and cell 2; the wrapper, vm and worker.js frames stay), the scope of area()
    assert.deepEqual(counts, [1, 0, 1, 1, 2, 1]);
    const frames = (messages[4]!.body.stackFrames as Array<{ name: string; line: number; source: Source }>).slice(0, 3);
    assert.deepEqual(
      frames.map((f) => [f.name, f.line, f.source.name, f.source.path, f.source.sourceReference]),
      [
        ['global.area', 4, 'debug.coda, cell 1', CELL_1, undefined],
        ['<anonymous>', 1, 'debug.coda, cell 2', CELL_2, undefined],
        ['<anonymous>', 3, '__coda_cell_2__.js', '/tmp/coda-e2e-XGl2n8/workspace/__coda_cell_2__.js', 950392982],
      ],
    );
    matchGolden('debug/jsdebug-cell-messages.shown.json', JSON.stringify(messages, null, 2) + '\n');
  });

  it('leaves a cell it does not know (its notebook was closed): VS Code shows its read-only copy as before', () => {
    const messages = recorded();
    assert.deepEqual(
      messages.map((m) => showCellSources(m, () => undefined)),
      [0, 0, 0, 0, 0, 0],
    );
    assert.deepEqual(messages, recorded());
  });

  it('leaves requests, failed responses and messages without sources alone', () => {
    const source = () => ({ name: 'x', path: CELL_1 });
    const request = { type: 'request', command: 'setBreakpoints', arguments: { source: source() }, body: { breakpoints: [{ source: source() }] } };
    assert.equal(showCellSources(request, label), 0);
    assert.equal(showCellSources({ type: 'response', command: 'stackTrace', success: false, body: { stackFrames: [{ source: source() }] } }, label), 0);
    assert.equal(showCellSources({ type: 'event', event: 'stopped', body: { reason: 'breakpoint', threadId: 0 } }, label), 0);
    assert.equal(
      showCellSources(
        { type: 'response', command: 'stackTrace', success: true, body: { stackFrames: [{ id: 1, name: 'await', presentationHint: 'label' }] } },
        label,
      ),
      0,
    );
    assert.equal(showCellSources(undefined, label), 0);
  });

  it('rewrites output locations, loaded-sources lists and location responses too', () => {
    const jsDebugForm = 'file://' + CELL_2.split('/').map(encodeURIComponent).join('/');
    const src = (): Source => ({ name: jsDebugForm, path: jsDebugForm, sourceReference: 7 });
    const output = { type: 'event', event: 'output', body: { category: 'stdout', output: 'hi\n', source: src(), line: 1 } };
    const list = {
      type: 'response',
      command: 'loadedSources',
      success: true,
      body: { sources: [src(), { name: 'vm', path: '<node_internals>/vm', sourceReference: 3 }] },
    };
    const location = { type: 'response', command: 'locations', success: true, body: { source: src(), line: 2 } };
    assert.equal(showCellSources(output, label), 1);
    assert.equal(showCellSources(list, label), 1);
    assert.equal(showCellSources(location, label), 1);
    assert.deepEqual(output.body.source, { name: 'debug.coda, cell 2', path: CELL_2 });
    assert.deepEqual(list.body.sources[1], { name: 'vm', path: '<node_internals>/vm', sourceReference: 3 });
  });
});
