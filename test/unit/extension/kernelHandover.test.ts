import { strict as assert } from 'node:assert';
import { KernelHandover, notebookSignature, renamedKey } from '../../../extension/pure/KernelHandover';

const sig = (...texts: string[]) => notebookSignature(texts.map((text) => ({ kind: 2, language: 'javascript', text })));
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a kernel survives Save As, a rename and a move (KernelHandover)', () => {
  let expired: string[];
  let h: KernelHandover<string, { cells: string }>;
  beforeEach(() => {
    expired = [];
    h = new KernelHandover<string, { cells: string }>(
      (k) => expired.push(k),
      (d) => d.cells,
      60,
    );
  });
  afterEach(() => h.dispose());

  it('Save As of an untitled notebook: the saved document (same cells) takes the kernel, closed first', () => {
    assert.equal(h.closed(sig('const x = 1'), 'kernel-A'), undefined);
    assert.equal(h.opened({ cells: sig('const x = 1') }), 'kernel-A');
  });

  it('Save As where VS Code opens the new document before closing the old one', () => {
    const doc = { cells: sig('x', 'y') };
    assert.equal(h.opened(doc), undefined);
    assert.equal(h.closed(sig('x', 'y'), 'kernel-B'), doc);
  });

  it('a rename sends the notebook itself to its new name, and nothing else', () => {
    assert.equal(renamedKey('file:///w/old.coda', 'file:///w/old.coda', 'file:///w/new.coda'), 'file:///w/new.coda');
    assert.equal(renamedKey('file:///w/other.coda', 'file:///w/old.coda', 'file:///w/new.coda'), undefined);
  });

  it('a saved document that opens empty and gets its cells a moment later still takes the kernel', () => {
    const doc = { cells: sig() };
    assert.equal(h.opened(doc), undefined);
    assert.equal(h.closed(sig('kept'), 'kernel-L'), undefined);
    doc.cells = sig('kept');
    assert.equal(h.changed(doc), 'kernel-L');
  });

  it('moving a folder moves the notebooks inside it, not a folder whose name only starts the same', () => {
    assert.equal(renamedKey('file:///w/dir/n.coda', 'file:///w/dir', 'file:///w/moved/dir'), 'file:///w/moved/dir/n.coda');
    assert.equal(renamedKey('file:///w/dir2/n.coda', 'file:///w/dir', 'file:///w/moved/dir'), undefined);
  });

  it('a notebook that is really closed stops its kernel after the grace time, and nothing claims it later', async () => {
    h.closed(sig('c'), 'kernel-C');
    assert.deepEqual(expired, []);
    await wait(100);
    assert.deepEqual(expired, ['kernel-C']);
    assert.equal(h.opened({ cells: sig('c') }), undefined);
  });

  it("a notebook with other cells never takes a closed notebook's kernel", () => {
    h.closed(sig('d'), 'kernel-D');
    assert.equal(h.opened({ cells: sig('e') }), undefined);
  });

  it('dispose stops every kernel still waiting', () => {
    h.closed(sig('f'), 'kernel-F');
    h.dispose();
    assert.deepEqual(expired, ['kernel-F']);
  });
});
