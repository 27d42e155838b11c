import { strict as assert } from 'node:assert';
import { KernelHandover, notebookSignature } from '../../../extension/kernel/KernelHandover';

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
    assert.equal(h.closed('untitled:Untitled-1', sig('const x = 1'), 'kernel-A'), undefined);
    assert.equal(h.opened('file:///w/a.coda', { cells: sig('const x = 1') }), 'kernel-A');
  });

  it('Save As where VS Code opens the new document before closing the old one', () => {
    const doc = { cells: sig('x', 'y') };
    assert.equal(h.opened('file:///w/b.coda', doc), undefined);
    assert.equal(h.closed('untitled:Untitled-2', sig('x', 'y'), 'kernel-B'), doc);
  });

  it('a rename hands the kernel to the new name even when another open notebook has the same cells', () => {
    h.renaming('file:///w/old.coda', 'file:///w/new.coda');
    h.closed('file:///w/old.coda', sig('same'), 'kernel-old');
    assert.equal(h.opened('file:///w/other.coda', { cells: sig('different') }), undefined);
    assert.equal(h.opened('file:///w/new.coda', { cells: sig('same but edited on disk') }), 'kernel-old');
  });

  it('a saved document that opens empty and gets its cells a moment later still takes the kernel', () => {
    const doc = { cells: sig() };
    assert.equal(h.opened('file:///w/late.coda', doc), undefined);
    assert.equal(h.closed('untitled:Untitled-3', sig('kept'), 'kernel-L'), undefined);
    doc.cells = sig('kept');
    assert.equal(h.changed(doc), 'kernel-L');
  });

  it('moving a folder moves the kernels of the notebooks inside it', () => {
    h.renaming('file:///w/dir', 'file:///w/moved/dir');
    h.closed('file:///w/dir/n.coda', sig('a'), 'kernel-n');
    assert.equal(h.opened('file:///w/moved/dir/n.coda', { cells: sig('b') }), 'kernel-n');
  });

  it('a notebook that is really closed stops its kernel after the grace time, and nothing claims it later', async () => {
    h.closed('file:///w/c.coda', sig('c'), 'kernel-C');
    assert.deepEqual(expired, []);
    await wait(100);
    assert.deepEqual(expired, ['kernel-C']);
    assert.equal(h.opened('file:///w/c2.coda', { cells: sig('c') }), undefined);
  });

  it("a notebook with other cells never takes a closed notebook's kernel", () => {
    h.closed('file:///w/d.coda', sig('d'), 'kernel-D');
    assert.equal(h.opened('file:///w/e.coda', { cells: sig('e') }), undefined);
  });

  it('dispose stops every kernel still waiting', () => {
    h.closed('file:///w/f.coda', sig('f'), 'kernel-F');
    h.dispose();
    assert.deepEqual(expired, ['kernel-F']);
  });
});
