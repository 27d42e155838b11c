/**
 * The cell-to-program mapping (tsplugin/core): positions both ways, edits in the middle, module cells,
 * re-declarations and top-level await, checked with TypeScript's own parser and checker on the built program.
 */
import assert from 'node:assert/strict';
import * as ts from 'typescript';
import { buildProgram, type CellSource } from '../../../tsplugin/core/buildProgram';
import { cellClosers } from '../../../tsplugin/core/cellClosers';
import { scratchCells } from '../../../tsplugin/core/scratchCells';

const tsCell = (text: string): CellSource => ({ text, isTs: true });

/** Every offset of every cell maps into the program onto the same character, and back to where it came from. */
function assertRoundTrip(cells: CellSource[]): void {
  const { map } = buildProgram(ts, cells);
  cells.forEach((c, cell) => {
    for (let offset = 0; offset <= c.text.length; offset++) {
      const p = map.toProgram(cell, offset);
      assert.notEqual(p, undefined, `cell ${cell} offset ${offset} has no program position`);
      // blanked text (an `export` keyword, the cell's copy of a hoisted import) is spaces; everything else is verbatim
      if (offset < c.text.length && map.text[p!] !== ' ') assert.equal(map.text[p!], c.text[offset], `cell ${cell} offset ${offset}`);
      assert.deepEqual(map.toCell(p!), { cell, offset }, `back from program ${p}`);
    }
  });
}

/** Type-checks a program text as the plugin does (a module, ES2022) and returns its diagnostics' codes. */
function check(text: string): { codes: number[]; typeAt: (needle: string, nth?: number) => string } {
  const file = '/nb.program.ts';
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    strict: true,
    noEmit: true,
    lib: ['lib.es2023.d.ts'],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (f, v) => (f === file ? ts.createSourceFile(f, text, v) : read(f, v));
  const program = ts.createProgram([file], options, host);
  const sf = program.getSourceFile(file)!;
  const checker = program.getTypeChecker();
  const codes = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => d.code);
  const typeAt = (needle: string, nth = 0) => {
    let at = -1;
    for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
    const node = (function find(n: ts.Node): ts.Node | undefined {
      if (n.getStart(sf) === at && ts.isIdentifier(n)) return n;
      return ts.forEachChild(n, find);
    })(sf);
    return checker.typeToString(checker.getTypeAtLocation(node!));
  };
  return { codes, typeAt };
}

describe('types: cell-to-program mapping', () => {
  it('maps every position of every cell to the program and back (script, module, export, TLA cells)', () => {
    assertRoundTrip([
      tsCell('const a = 1;\nlet b: string = "x"'),
      tsCell('import { readFile } from "node:fs";\nimport * as path from "node:path"\nconst c = a + 1;'),
      tsCell(''),
      tsCell('export const d = await Promise.resolve(2);\r\nexport default d'),
      { text: 'function f(x) { return x }\nf(1)', isTs: false },
    ]);
  });

  it('keeps the other cells exact when a cell in the middle is edited', () => {
    const before = [tsCell('const a = 1;'), tsCell('const b = a;'), tsCell('const c = b * 2;\nc')];
    const after = [before[0]!, tsCell('// a longer cell now\nconst b = a + 41;\nconst extra = [b];'), before[2]!];
    const m1 = buildProgram(ts, before).map;
    const m2 = buildProgram(ts, after).map;
    assertRoundTrip(after);
    // cell 0 has not moved; cell 2 moved by exactly the growth of cell 1, and still maps onto its own text
    assert.equal(m2.toProgram(0, 6), m1.toProgram(0, 6));
    const grow = after[1]!.text.length - before[1]!.text.length;
    assert.equal(m2.toProgram(2, 6), m1.toProgram(2, 6)! + grow);
    assert.equal(m2.text.slice(m2.toProgram(2, 0)!, m2.toProgram(2, 0)! + 16), 'const c = b * 2;');
  });

  it("hoists a module cell's imports to the top, and a position in the import maps to the hoisted copy", () => {
    const cells = [tsCell('const x = 1;'), tsCell('const y = x;\nimport { join } from "node:path";\njoin')];
    const { map } = buildProgram(ts, cells);
    const at = cells[1]!.text.indexOf('join }');
    const p = map.toProgram(1, at)!;
    assert.ok(p < map.toProgram(0, 0)!, 'the import is above the first cell');
    assert.equal(map.text.slice(p, p + 4), 'join');
    // the cell's own copy of the import is blanked (spaces), so the program declares `join` once
    assert.equal(map.text.split('import { join }').length, 2);
  });

  it('gives a re-declaration its own scope: no error, later cells see the latest type, earlier cells the old one', () => {
    const cells = [
      tsCell('const x = 1;\nclass K { a = 1 }\nfunction f(): number { return 1 }'),
      tsCell('const early = x;\nconst k1 = new K().a;\nconst f1 = f();'),
      tsCell('const x = "now a string";\nclass K { b = "b" }\nfunction f(): string { return "s" }\nlet early = 0;'),
      tsCell('const late = x;\nconst k2 = new K().b;\nconst f2 = f();'),
    ];
    const built = buildProgram(ts, cells);
    const { codes, typeAt } = check(built.map.text);
    assert.deepEqual(codes, []);
    assert.equal(typeAt('early'), '1');
    assert.equal(typeAt('late'), '"now a string"');
    assert.equal(typeAt('k2'), 'string');
    assert.equal(typeAt('f2'), 'string');
    assert.deepEqual([...built.redeclared].sort(), ['K', 'early', 'f', 'x']);
    assert.deepEqual(
      built.cells.map((c) => c.depth),
      [0, 0, 1, 1],
    );
  });

  it('still reports a re-declaration inside one cell (the kernel refuses it too)', () => {
    const { codes } = check(buildProgram(ts, [tsCell('const x = 1;\nconst x = 2;')]).map.text);
    assert.ok(codes.includes(2451), `codes: ${codes}`);
  });

  it('accepts top-level await in any cell, also after a re-declaration opened a block', () => {
    const cells = [tsCell('const v = await Promise.resolve(1);'), tsCell('const v = await Promise.resolve("s");\nfor await (const c of [1]) c;')];
    const { codes, typeAt } = check(buildProgram(ts, cells).map.text);
    assert.deepEqual(codes, []);
    assert.equal(typeAt('v = await', 1), 'string');
  });

  it('blanks `export` (the kernel refuses it) but keeps the declaration for later cells', () => {
    const cells = [tsCell('export const shared = 1;\nexport default shared;\nexport { shared as again };'), tsCell('const use = shared;')];
    const built = buildProgram(ts, cells);
    assert.equal(built.cells[0]!.analysis.exportKeywords.length, 2);
    assert.equal(built.cells[0]!.analysis.exportStatements.length, 1);
    const { codes, typeAt } = check(built.map.text);
    assert.deepEqual(codes, []);
    assert.equal(typeAt('use'), '1');
  });

  it('lets a later cell use a binding an earlier cell imported, and re-importing a name is not an error', () => {
    const cells = [tsCell('import { strict } from "node:assert";'), tsCell('strict;'), tsCell('import { strict } from "node:assert";')];
    const built = buildProgram(ts, cells);
    assert.ok(built.redeclared.has('strict'));
    assert.ok(built.map.toProgram(1, 0)! > built.map.toProgram(2, 9)!, 'both imports sit above the cells');
  });

  it('maps spans back only inside one cell, and separators to no cell', () => {
    const cells = [tsCell('const a = 1'), tsCell('a')];
    const { map } = buildProgram(ts, cells);
    const endOfA = map.toProgram(0, cells[0]!.text.length)!;
    assert.deepEqual(map.spanToCell(map.toProgram(0, 6)!, 100), { cell: 0, start: 6, length: cells[0]!.text.length - 6 });
    assert.equal(map.toCell(endOfA + 2), undefined, 'the separator between cells is no cell');
  });

  it('finds the code cells of a `// %%` scratch file (markers and markdown cells belong to none)', () => {
    const text = 'const a = 1;\n// %% second\nconst b = a;\n// %% [markdown]\n// # Title\n// %%\r\nb\n';
    const cells = scratchCells(text).map((r) => text.slice(r.start, r.end));
    assert.deepEqual(cells, ['const a = 1;\n', 'const b = a;\n', 'b\n']);
  });

  it('closes what a half-typed cell leaves open, so the cells after it stay themselves', () => {
    const cases: [string, string][] = [
      ['function f() {\n  if (x) {', '}}'],
      ['foo(bar[1, {a: ', '}])'],
      ['/* a comment { not a block', '*/'],
      ['const s = `a${b({', '})}`'],
      ['const s = `text { not a block', '`'],
      ['const t = `a${1}b', '`'],
      ['const re = /[{(]/; f(', ')'],
      ['const ok = { a: [1, 2], b: `x${1}y` };', ''],
      ['"a string with { and ("; // a comment with {', ''],
    ];
    for (const [text, closers] of cases) assert.equal(cellClosers(ts, text), closers, text);
    // a later cell is untouched by an earlier half-typed one: its names stay at the top level
    const cells = [tsCell('const first = 1;'), tsCell('function typing() {\n  const inner = ['), tsCell('const later: number = first;'), tsCell('later;')];
    const { map } = buildProgram(ts, cells);
    const { typeAt } = check(map.text);
    assert.equal(typeAt('later;'), 'number');
    assertRoundTrip(cells);
  });
});
