/**
 * The plugin inside a real TypeScript server, with notebook cells opened under the names VS Code gives them:
 * one program in cell order, REPL truths, one voice, and every answer in the cell's own coordinates.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';
import { EXPORT_MESSAGE } from '../../../tsplugin/core/replDiagnostics';
import type { CodaDocument } from '../../../protocol/codaFile';
import { cellText } from '../../../protocol/codaFormat';
import { notebookToScript } from '../../../host/notebook/scriptNotebook';
import { cellPath, cellUri, messages, startServer, type Server } from './tsserverHarness';

const REPO_TYPES = resolve(__dirname, '../../../node_modules/@types');

describe('types: a notebook is one program to the TypeScript server', function () {
  this.timeout(60_000);
  let dir: string;
  let server: Server;
  let nb: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'coda-types-'));
    nb = join(dir, 'a.coda');
    server = startServer({ root: dir });
    server.configure({ defaultTypeRoots: [REPO_TYPES], cacheDir: join(dir, 'cache') });
  });
  afterEach(() => {
    server.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const pos = (text: string, needle: string, after = 0) => text.indexOf(needle) + after;
  const quickInfo = (f: string, text: string, needle: string) => {
    const q = server.ls(f).getQuickInfoAtPosition(f, pos(text, needle));
    return q ? ts.displayPartsToString(q.displayParts) : '';
  };

  it('completes and hovers names of an earlier module cell, and goes to their definition in that cell', () => {
    const cells = ['import { basename } from "node:path";\nexport const greeting = { hello: "world" };', 'greeting.', 'basename("/a/b")'];
    const [c0, c1, c2] = server.openNotebook(nb, cells);
    assert.ok(server.completions(c1!, cells[1]!, 'greeting.').includes('hello'));
    assert.match(quickInfo(c2!, cells[2]!, 'basename'), /basename\(path: string, suffix\?: string\): string/);
    const def = server.ls(c1!).getDefinitionAndBoundSpan(c1!, 1)!;
    assert.deepEqual(def.textSpan, { start: 0, length: 'greeting'.length });
    assert.deepEqual(
      def.definitions!.map((d) => [d.fileName, d.textSpan.start, d.textSpan.length]),
      [[c0, pos(cells[0]!, 'greeting ='), 'greeting'.length]],
    );
  });

  it("checks decorators as the kernel runs them: standard ones, or the tsconfig.json's experimentalDecorators", () => {
    const legacy = 'function Column(): PropertyDecorator { return (target, key) => {}; }\nclass User { @Column() name = ""; }';
    const standard = 'function logged(fn: Function, ctx: ClassMethodDecoratorContext) {}\nclass S { @logged m() {} accessor n = 1; }';
    const [l] = server.openNotebook(nb, [legacy]);
    // standard decorators: a property decorator of the older kind does not fit a field
    assert.ok(
      messages(server.errors(l!)).some((m) => /decorator/i.test(m)),
      'the standard check flags the older kind',
    );
    const [s1] = server.openNotebook(join(dir, 'b.coda'), [standard]);
    assert.deepEqual(messages(server.errors(s1!)), []);
    // a project's tsconfig.json above the notebook turns experimentalDecorators on
    const project = join(dir, 'nest');
    mkdirSync(project);
    writeFileSync(
      join(project, 'tsconfig.json'),
      '{\n  // as NestJS writes it\n  "compilerOptions": { "experimentalDecorators": true, "emitDecoratorMetadata": true, },\n}',
    );
    const [l2] = server.openNotebook(join(project, 'c.coda'), [legacy]);
    assert.deepEqual(messages(server.errors(l2!)), []);
  });

  it('does not flag a re-declared const, let, class or function; uses see the latest declaration', () => {
    const cells = [
      'const x = 1;\nlet y = 1;\nclass C { a = 1 }\nfunction f() { return 1; }',
      'const x = "text";\nlet y = "text";\nclass C { b = "b" }\nfunction f() { return "s"; }',
      'x.toUpperCase(); y.toUpperCase(); new C().b; f().toUpperCase();',
    ];
    const files = server.openNotebook(nb, cells);
    for (const f of files) assert.deepEqual(messages(server.errors(f)), [], f);
    assert.match(quickInfo(files[2]!, cells[2]!, 'x.'), /const x: "text"/);
  });

  it('accepts top-level await in TypeScript and JavaScript cells', () => {
    const ts1 = server.openNotebook(nb, ['const r = await Promise.resolve(1);\nfor await (const v of [r]) v;']);
    const js = server.openNotebook(join(dir, 'js.coda'), ['const r = await fetch("https://example.com");\nawait r.text();'], 'js');
    assert.deepEqual(messages(server.errors(ts1[0]!)), []);
    assert.deepEqual(messages(server.errors(js[0]!)), []);
  });

  it('reports a real type error across cells in the cell and range where it is, once', () => {
    const cells = ['const count: number = 1;', 'import { sep } from "node:path";\nconst label = sep;', 'const n: number = label;\nn + count;'];
    const files = server.openNotebook(nb, cells);
    assert.deepEqual(messages(server.errors(files[0]!)), []);
    assert.deepEqual(messages(server.errors(files[1]!)), []);
    const errs = server.errors(files[2]!);
    assert.equal(errs.length, 1, messages(errs).join('\n'));
    assert.equal(errs[0]!.code, 2322);
    assert.equal(errs[0]!.start, pos(cells[2]!, 'n: number'));
    assert.equal(errs[0]!.length, 1);
  });

  it("flags `export` with the kernel's own words, and a missing relative module, but not a package the first run installs", () => {
    const cells = ['export const a = 1;', 'import _ from "lodash-not-installed-yet";\nimport { x } from "./missing-file";'];
    const files = server.openNotebook(nb, cells);
    const e0 = server.errors(files[0]!);
    assert.deepEqual(
      e0.map((d) => [ts.flattenDiagnosticMessageText(d.messageText, ''), d.start, d.length]),
      [[EXPORT_MESSAGE, 0, 6]],
    );
    assert.deepEqual(
      server.errors(files[1]!).map((d) => d.code),
      [2307],
    );
    assert.equal(server.errors(files[1]!)[0]!.start, pos(cells[1]!, '"./missing-file"'));
  });

  it('keeps JavaScript cells unchecked except for names that do not exist at run time', () => {
    const cells = ['const o = {};\no.added = 1;\nfunction f(a) { return a.whatever; }', 'o.added + f(1); undefinedName;'];
    const files = server.openNotebook(nb, cells, 'js');
    assert.deepEqual(messages(server.errors(files[0]!)), []);
    const codes = server.errors(files[1]!).map((d) => d.code);
    assert.equal(codes.length, 1);
    assert.ok([2304, 2552].includes(codes[0]!), `codes: ${codes}`);
  });

  it('answers each completion once, with entries from earlier cells and none from the program around them', () => {
    const cells = ['const alpha = 1;', 'import "node:path";\nconst alpha = 2;\nconst beta = alpha;', ''];
    const files = server.openNotebook(nb, cells);
    const entries = server.ls(files[2]!).getCompletionsAtPosition(files[2]!, 0, {}, {})!.entries;
    const names = entries.map((e) => e.name);
    assert.equal(names.filter((n) => n === 'alpha').length, 1);
    assert.ok(names.includes('beta'));
    // (TypeScript itself offers `module` both as a keyword and as Node's variable: name and kind together are unique)
    const keys = entries.map((e) => `${e.name}:${e.kind}`);
    assert.equal(new Set(keys).size, keys.length, 'no entry twice');
    assert.ok(!names.some((n) => n.startsWith('__coda')), 'nothing of the program around the cells');
  });

  it('renames a name in every cell that uses it', () => {
    const cells = ['import { sep } from "node:path";\nlet total = sep.length;', 'total += 1;', 'console.log(total);'];
    const files = server.openNotebook(nb, cells);
    const locs = server.ls(files[2]!).findRenameLocations(files[2]!, pos(cells[2]!, 'total'), false, false, {}) ?? [];
    assert.deepEqual(
      locs.map((l) => [l.fileName, l.textSpan.start]).sort(),
      [
        [files[0], pos(cells[0]!, 'total')],
        [files[1], 0],
        [files[2], 12],
      ].sort(),
    );
  });

  it('stays exact after an edit in the middle of the notebook', () => {
    const cells = ['import { sep } from "node:path";\nconst a = 1;', 'const b = a;', 'const c: string = b;'];
    const files = server.openNotebook(nb, cells);
    assert.equal(server.errors(files[2]!)[0]?.start, 6);
    server.edit(files[1]!, 0, 0, '// a comment that moves later cells in the program\nconst extra = 2;\n');
    const after = server.errors(files[2]!);
    assert.equal(after.length, 1);
    assert.equal(after[0]!.start, 6);
    assert.match(quickInfo(files[2]!, cells[2]!, 'b;'), /const b: 1/);
  });

  it('follows the cell order the extension sends, not the order cells were created in', () => {
    // cell handle 1 was inserted above cell handle 0: the latest declaration of `v` is the one in handle 0
    const cells = ['const v = "latest";', 'const v = 1;', 'v;'];
    const files = server.openNotebook(nb, cells);
    server.configure({
      defaultTypeRoots: [REPO_TYPES],
      notebooks: [{ uri: `file://${nb}`, runtime: 'node', cells: [cellUri(nb, 1), cellUri(nb, 0), cellUri(nb, 2)] }],
    });
    for (const f of files) assert.deepEqual(messages(server.errors(f)), []);
    assert.equal(files[0], cellPath(nb, 0));
    assert.match(quickInfo(files[2]!, cells[2]!, 'v'), /const v: "latest"/);
  });

  it('treats a `// %%` scratch file the same way: re-declarations, top-level await, exact positions', () => {
    const file = join(dir, 'scratch.ts');
    const text = 'const x = 1;\n// %% second\nconst x = "s";\nconst y = await Promise.resolve(x);\n// %%\nconst z: number = y;\n';
    server.configure({ defaultTypeRoots: [REPO_TYPES], notebooks: [{ uri: `file://${file}`, runtime: 'node', scratch: true }] });
    server.open(file, text);
    const errs = server.errors(file);
    assert.deepEqual(
      errs.map((d) => [d.code, d.start]),
      [[2322, text.indexOf('z: number')]],
    );
    assert.match(quickInfo(file, text, 'y = await'), /const y: string/);
    const names = server.completions(file, text, 'const z: number = ');
    assert.ok(names.includes('x') && names.includes('y'));
  });

  it('checks a notebook exported with JS and TS cells as the notebook was checked: its `// %% [javascript]` cells as JavaScript', () => {
    const doc: CodaDocument = {
      coda: 1,
      metadata: { runtime: 'node' },
      cells: [
        { kind: 'code', language: 'typescript', source: ['const n: number = 1;'] },
        { kind: 'code', language: 'javascript', source: ['let s = n;', "s = 'text';"] },
        { kind: 'code', language: 'typescript', source: ['const t: string = n;'] },
      ],
    };
    doc.cells.forEach((c, i) => server.open(cellPath(nb, i), cellText(c), c.language === 'typescript' ? 'ts' : 'js'));
    const inNotebook = doc.cells.map((_, i) => server.errors(cellPath(nb, i)).map((d) => d.code));
    assert.deepEqual(inNotebook, [[], [], [2322]]);
    const file = join(dir, 'exported.ts');
    const text = notebookToScript(doc);
    server.configure({ defaultTypeRoots: [REPO_TYPES], notebooks: [{ uri: `file://${file}`, runtime: 'node', scratch: true }] });
    server.open(file, text);
    assert.deepEqual(
      server.errors(file).map((d) => [d.code, d.start]),
      [[2322, text.indexOf('t: string')]],
    );
  });

  it("colours a cell's names by what they are in the program (semantic tokens), in the cell's coordinates", () => {
    const cells = ['import { join } from "node:path";\nclass Point { x = 1 }', 'const p = new Point();\njoin("a");'];
    const files = server.openNotebook(nb, cells);
    const tokens = (f: string, text: string) => {
      const s = server.ls(f).getEncodedSemanticClassifications(f, { start: 0, length: text.length }, ts.SemanticClassificationFormat.TwentyTwenty).spans;
      const out: string[] = [];
      for (let i = 0; i < s.length; i += 3) out.push(`${text.slice(s[i]!, s[i]! + s[i + 1]!)}:${(s[i + 2]! >> 8) - 1}`);
      return out;
    };
    // 2020 format: type index + 1 in the high bits (0 class, 7 variable, 9 property, 11 function)
    assert.deepEqual(tokens(files[0]!, cells[0]!), ['Point:0', 'x:9']);
    assert.deepEqual(tokens(files[1]!, cells[1]!), ['p:7', 'Point:0', 'join:11']);
  });

  it('keeps the cells after a half-typed one quiet, and completes inside the half-typed one', () => {
    const cells = ['const a = 1;', 'function f() {\n  if (a) {\n    a.', 'const b: number = a;\nb;'];
    const files = server.openNotebook(nb, cells);
    assert.deepEqual(messages(server.errors(files[2]!)), []);
    assert.ok(server.completions(files[1]!, cells[1]!, '    a.').includes('toFixed'));
    // the half-typed cell's own syntax errors are reported once each, at its end, as for a file ending there
    assert.deepEqual(
      server.errors(files[1]!).map((d) => [d.code, d.start]),
      [
        [1003, cells[1]!.length],
        [1005, cells[1]!.length],
      ],
    );
    // and while it is open, its names still stay out of other notebooks (the cell is closed, then a module)
    const [other] = server.openNotebook(join(dir, 'other.coda'), ['f;']);
    assert.deepEqual(
      server.errors(other!).map((d) => d.code),
      [2304],
    );
  });

  it('shows inlay hints for calls to functions of earlier cells', () => {
    const cells = ['import "node:path";\nfunction area(width: number, height: number) { return width * height; }', 'area(2, 3);'];
    const files = server.openNotebook(nb, cells);
    const hints = server.ls(files[1]!).provideInlayHints(files[1]!, { start: 0, length: cells[1]!.length }, { includeInlayParameterNameHints: 'all' });
    assert.deepEqual(
      hints.map((h) => [h.text, h.position]),
      [
        ['width:', 5],
        ['height:', 8],
      ],
    );
  });

  it('forgets a closed notebook, and a notebook reopened with other content is checked afresh', () => {
    const first = server.openNotebook(nb, ['const v: number = 1;', 'v;']);
    assert.deepEqual(messages(server.errors(first[1]!)), []);
    for (const f of first) server.close(f);
    const again = server.openNotebook(nb, ['const v: string = 1;', 'v;']);
    assert.deepEqual(
      server.errors(again[0]!).map((d) => d.code),
      [2322],
    );
    assert.match(quickInfo(again[1]!, 'v;', 'v'), /const v: string/);
  });
});
