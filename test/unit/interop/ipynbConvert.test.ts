/**
 * Reading a Jupyter notebook: which runtime and language its kernel means, what is refused (with the reason), and
 * `coda convert` on files.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCommand } from '../../../host/notebook/convertCommand';
import { readNotebook } from '../../../host/notebook/readNotebook';
import { codaToIpynb, ipynbToCoda, serializeIpynb } from '../../../host/notebook/ipynb';
import { parseCoda, serializeCoda, type CodaDocument } from '../../../protocol';

const notebook = (
  metadata: Record<string, unknown>,
  cells: unknown[] = [{ cell_type: 'code', metadata: {}, source: 'x', outputs: [], execution_count: null }],
) => JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata, cells });

function read(text: string): CodaDocument {
  const r = ipynbToCoda(text);
  if (!r.ok) assert.fail(JSON.stringify(r.problems));
  return r.doc;
}

const problem = (text: string) => {
  const r = ipynbToCoda(text);
  assert.ok(!r.ok, 'refused');
  return r.problems.map((p) => p.message).join('\n');
};

describe('interop: reading .ipynb', () => {
  const kernels: [string, Record<string, unknown>, string, string][] = [
    ['deno', { kernelspec: { name: 'deno', display_name: 'Deno', language: 'typescript' } }, 'deno', 'typescript'],
    ['tslab', { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, 'node', 'typescript'],
    ['jslab', { kernelspec: { name: 'jslab', display_name: 'JavaScript', language: 'javascript' } }, 'node', 'javascript'],
    ['ijavascript', { kernelspec: { name: 'javascript', display_name: 'Javascript (Node.js)', language: 'javascript' } }, 'node', 'javascript'],
    ['an unknown TypeScript kernel', { kernelspec: { name: 'ts-kernel-x', display_name: 'TS', language: 'TypeScript' } }, 'node', 'typescript'],
    ['no kernelspec, language_info only', { language_info: { name: 'javascript' } }, 'node', 'javascript'],
    ['no metadata at all', {}, 'node', 'javascript'],
  ];
  for (const [what, metadata, runtime, language] of kernels) {
    it(`${what} → runtime ${runtime}, ${language} cells`, () => {
      const doc = read(notebook(metadata));
      assert.equal(doc.metadata.runtime, runtime);
      assert.equal(doc.cells[0]!.language, language);
    });
  }

  it('a cell in the other language keeps it (VS Code Jupyter metadata.vscode.languageId)', () => {
    const doc = read(
      notebook({ kernelspec: { name: 'tslab', display_name: 'TypeScript' } }, [
        { cell_type: 'code', metadata: { vscode: { languageId: 'javascript' } }, source: 'a', outputs: [], execution_count: 1 },
        { cell_type: 'code', metadata: {}, source: 'b', outputs: [], execution_count: 2 },
      ]),
    );
    assert.deepEqual(
      doc.cells.map((c) => [c.language, c.execution?.order]),
      [
        ['javascript', 1],
        ['typescript', 2],
      ],
    );
  });

  it('refuses a notebook for another language, naming its kernel', () => {
    assert.match(
      problem(notebook({ kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } })),
      /"Python 3" kernel \(python\).*JavaScript and TypeScript/,
    );
  });

  it('refuses what is not a notebook, saying why', () => {
    assert.match(problem(''), /empty/);
    assert.match(problem('{"cells": [}'), /Invalid JSON/);
    assert.match(problem('[]'), /JSON object/);
    assert.match(problem(JSON.stringify({ nbformat: 5, cells: [] })), /nbformat 5 is newer/);
    assert.match(problem(JSON.stringify({ nbformat: 4, cells: {} })), /"cells" must be an array/);
    assert.match(problem(`{"nbformat":4,"cells":[],"metadata":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}`), /Nested more than/);
  });

  it('a raw cell or an unknown cell type shows as markdown and is written back as it was', () => {
    const cells = [
      { cell_type: 'raw', metadata: {}, source: ['---\n', 'title: x\n', '---'] },
      { cell_type: 'sql', metadata: {}, source: 'select 1' },
    ];
    const r = ipynbToCoda(notebook({ kernelspec: { name: 'deno', display_name: 'Deno' } }, cells));
    assert.ok(r.ok);
    assert.deepEqual(
      r.doc.cells.map((c) => c.kind),
      ['markup', 'markup'],
    );
    assert.match(r.warnings.join('\n'), /unknown cell_type "sql"/);
    assert.deepEqual(
      codaToIpynb(r.doc).cells.map((c) => c.cell_type),
      ['raw', 'sql'],
    );
  });

  it('an exported notebook names the kernel of its runtime and language (Bun and the Sandbox keep theirs in codajs)', () => {
    const doc = (runtime: string, language: 'javascript' | 'typescript'): CodaDocument => ({
      coda: 1,
      metadata: { runtime: runtime as never },
      cells: [{ kind: 'code', language, source: ['1'] }],
    });
    const spec = (d: CodaDocument) => {
      const nb = codaToIpynb(d);
      return [nb.metadata.kernelspec?.name, nb.metadata.language_info?.name, (nb.metadata.codajs as { runtime?: string } | undefined)?.runtime];
    };
    assert.deepEqual(spec(doc('deno', 'javascript')), ['deno', 'typescript', undefined]);
    assert.deepEqual(spec(doc('node', 'typescript')), ['tslab', 'typescript', undefined]);
    assert.deepEqual(spec(doc('node', 'javascript')), ['javascript', 'javascript', undefined]);
    assert.deepEqual(spec(doc('bun', 'typescript')), ['tslab', 'typescript', 'bun']);
    assert.deepEqual(read(serializeIpynb(codaToIpynb(doc('bun', 'typescript')))).metadata.runtime, 'bun');
  });

  it('exported cells have unique nbformat 4.5 ids, and the ids a Jupyter author gave are kept', () => {
    const doc: CodaDocument = { coda: 1, metadata: {}, cells: [1, 2, 3].map(() => ({ kind: 'code', language: 'javascript', source: ['same'] })) };
    doc.cells[2]!.metadata = { ipynb: { id: 'authors-id' } };
    const ids = codaToIpynb(doc).cells.map((c) => c.id);
    assert.equal(new Set(ids).size, 3);
    assert.ok(ids.every((id) => /^[a-zA-Z0-9-_]{1,64}$/.test(id!)));
    assert.equal(ids[2], 'authors-id');
  });

  it('error tracebacks keep their colours for GitHub, and read as plain text in CodaJS', () => {
    const red = '\x1b[31mTypeError\x1b[0m: boom';
    const doc = read(
      notebook({}, [
        {
          cell_type: 'code',
          metadata: {},
          source: 'x',
          execution_count: 1,
          outputs: [{ output_type: 'error', ename: 'TypeError', evalue: 'boom', traceback: [red, '    at <anonymous>:1:1'] }],
        },
      ]),
    );
    const items = doc.cells[0]!.outputs![0]!.items;
    assert.deepEqual(items[1], { mime: 'text/plain', data: 'TypeError: boom\n    at <anonymous>:1:1' });
    const back = codaToIpynb(doc).cells[0]!;
    assert.ok(back.cell_type === 'code');
    assert.deepEqual(back.outputs[0], { output_type: 'error', ename: 'TypeError', evalue: 'boom', traceback: [red, '    at <anonymous>:1:1'] });
  });

  it('a notebook re-run in Jupyter after export shows its new outputs, not the ones CodaJS kept', () => {
    const doc: CodaDocument = {
      coda: 1,
      metadata: { runtime: 'node' },
      cells: [
        {
          kind: 'code',
          language: 'javascript',
          source: ['console.warn("a")'],
          outputs: [{ items: [{ mime: 'application/vnd.codajs.console+json', data: { entries: [{ method: 'warn', level: 'warn', depth: 0, text: 'a' }] } }] }],
        },
      ],
    };
    const nb = codaToIpynb(doc);
    const cell = nb.cells[0]!;
    assert.ok(cell.cell_type === 'code');
    cell.outputs = [{ output_type: 'stream', name: 'stderr', text: ['b\n'] }]; // what Jupyter wrote on its run
    const entries = (read(serializeIpynb(nb)).cells[0]!.outputs![0]!.items[0]!.data as { entries: { text: string }[] }).entries;
    assert.deepEqual(
      entries.map((e) => e.text),
      ['b'],
    );
  });
});

describe('interop: coda convert', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'coda-convert-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('converts a .ipynb to a .coda and back', async () => {
    const ipynb = join(dir, 'a.ipynb');
    writeFileSync(ipynb, readFileSync(join(__dirname, '..', '..', 'fixtures', 'ipynb', 'deno-display.ipynb')));
    const first = await convertCommand(ipynb, join(dir, 'a.coda'));
    assert.deepEqual(first, { exitCode: 0, lines: [`wrote ${join(dir, 'a.coda')}`] });
    const coda = parseCoda(readFileSync(join(dir, 'a.coda'), 'utf8'));
    assert.ok(coda.ok && coda.doc.metadata.runtime === 'deno');
    assert.equal((await convertCommand(join(dir, 'a.coda'), join(dir, 'b.ipynb'))).exitCode, 0);
    assert.equal(JSON.parse(readFileSync(join(dir, 'b.ipynb'), 'utf8')).metadata.kernelspec.name, 'deno');
    assert.deepEqual(readdirSync(dir).sort(), ['a.coda', 'a.ipynb', 'b.ipynb'], 'no temporary file is left');
  });

  it('writes nothing when the input cannot be converted, and says why', async () => {
    writeFileSync(
      join(dir, 'py.ipynb'),
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
        cells: [],
      }),
    );
    const r = await convertCommand(join(dir, 'py.ipynb'), join(dir, 'py.coda'));
    assert.equal(r.exitCode, 2);
    assert.match(r.lines.join('\n'), /Python 3/);
    assert.ok(!existsSync(join(dir, 'py.coda')));
    // a permission declaration CodaJS would refuse to open is refused before anything is written
    writeFileSync(
      join(dir, 'bad.ipynb'),
      JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { codajs: { permissions: { net: 'everything' } } }, cells: [] }),
    );
    const bad = await convertCommand(join(dir, 'bad.ipynb'), join(dir, 'bad.coda'));
    assert.equal(bad.exitCode, 2);
    assert.match(bad.lines.join('\n'), /permissions/);
    assert.ok(!existsSync(join(dir, 'bad.coda')));
  });

  it('never replaces a file that exists unless asked (--force): it is left byte for byte, and nothing else is written', async () => {
    const ipynb = join(dir, 'a.ipynb');
    writeFileSync(ipynb, readFileSync(join(__dirname, '..', '..', 'fixtures', 'ipynb', 'deno-display.ipynb')));
    const mine = join(dir, 'mine.coda');
    for (const existing of ['{"important": true}', '']) {
      writeFileSync(mine, existing);
      const r = await convertCommand(ipynb, mine);
      assert.equal(r.exitCode, 2);
      assert.deepEqual(r.lines, [`${mine} exists: coda convert does not replace a file (--force replaces it)`]);
      assert.equal(readFileSync(mine, 'utf8'), existing, 'the file is untouched');
      assert.deepEqual(readdirSync(dir).sort(), ['a.ipynb', 'mine.coda'], 'no temporary file is left');
    }
    // a link to another file is a file that exists too: neither it nor what it points to changes
    symlinkSync(ipynb, join(dir, 'link.coda'));
    assert.equal((await convertCommand(ipynb, join(dir, 'link.coda'))).exitCode, 2);
    assert.equal(readFileSync(ipynb, 'utf8'), readFileSync(join(__dirname, '..', '..', 'fixtures', 'ipynb', 'deno-display.ipynb'), 'utf8'));
    const forced = await convertCommand(ipynb, mine, { force: true });
    assert.deepEqual(forced, { exitCode: 0, lines: [`wrote ${mine}`] });
    assert.ok(parseCoda(readFileSync(mine, 'utf8')).ok);
  });

  it('refuses to overwrite its input or to guess a format', async () => {
    assert.equal((await convertCommand(join(dir, 'a.coda'), join(dir, '.', 'a.coda'))).exitCode, 2);
    assert.match((await convertCommand(join(dir, 'a.txt'), join(dir, 'a.coda'))).lines[0]!, /usage/);
    assert.match((await convertCommand(join(dir, 'missing.ipynb'), join(dir, 'a.coda'))).lines[0]!, /ENOENT/);
  });

  it('serializes as Jupyter does (1-space indent, sorted keys), so a re-export diffs cleanly', () => {
    const text = serializeIpynb(codaToIpynb({ coda: 1, metadata: { runtime: 'node' }, cells: [{ kind: 'code', language: 'javascript', source: ['1'] }] }));
    assert.ok(text.startsWith('{\n "cells": [\n  {\n   "cell_type": "code",\n   "execution_count": null,\n   "id": '));
    assert.ok(text.endsWith('\n "nbformat": 4,\n "nbformat_minor": 5\n}\n'));
    assert.equal(serializeCoda(read(text)), serializeCoda(read(serializeIpynb(codaToIpynb(read(text))))));
  });
});

describe('interop: readNotebook (coda run notebook.ipynb, Open with CodaJS)', () => {
  it('reads a .ipynb as the CodaJS document it converts to, and a .coda as it is', () => {
    const text = readFileSync(join(__dirname, '..', '..', 'fixtures', 'ipynb', 'ijavascript-async.ipynb'), 'utf8');
    const r = readNotebook('/nb/async.IPYNB', text);
    assert.ok(r.ok);
    assert.equal(r.doc.metadata.runtime, 'node');
    assert.equal(r.doc.cells.filter((c) => c.kind === 'code').length, 6);
    assert.ok(!readNotebook('/nb/async.coda', text).ok, 'a .coda file is read as .coda');
    const refused = readNotebook(
      '/nb/py.ipynb',
      JSON.stringify({ nbformat: 4, metadata: { kernelspec: { name: 'ir', display_name: 'R', language: 'R' } }, cells: [] }),
    );
    assert.ok(!refused.ok);
    assert.deepEqual([refused.problems[0]!.line, refused.problems[0]!.column, refused.problems[0]!.path], [1, 1, 'metadata.kernelspec']);
  });
});
