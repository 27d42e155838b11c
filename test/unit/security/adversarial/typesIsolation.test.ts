/**
 * Issue 19.3: one notebook's names stay in that notebook. VS Code's TypeScript service puts every script cell of
 * every open notebook in one global scope; with the CodaJS plugin, each notebook (and scratch file) is its own
 * program and its cells add nothing to the scope plain files share. Each attempt declares a name in notebook A the
 * way an author (or a hostile notebook) could, and looks for it from notebook B, a scratch file and a plain file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';
import { cellUri, messages, startServer, type Server } from '../../types/tsserverHarness';

const REPO_TYPES = resolve(__dirname, '../../../../node_modules/@types');
const tally = { attempts: 0, crossings: 0 };

describe("types isolation: a notebook's names never reach another notebook or file", function () {
  this.timeout(120_000);
  let dir: string;
  let server: Server;
  let nbA: string;
  let nbB: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'coda-isolation-'));
    nbA = join(dir, 'a.coda');
    nbB = join(dir, 'b.coda');
  });
  beforeEach(() => {
    server = startServer({ root: dir });
  });
  afterEach(() => server.dispose());
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    console.log(`types isolation: ${tally.attempts} attempts, ${tally.crossings} crossings`);
  });

  const configure = (extra: Record<string, unknown>[] = []) =>
    server.configure({
      defaultTypeRoots: [REPO_TYPES],
      notebooks: [{ uri: `file://${nbA}`, runtime: 'node' }, { uri: `file://${nbB}`, runtime: 'node' }, ...extra],
    });

  /** One look from `fileName` for `name`: offered as a completion, or used without an error, is a crossing. */
  function look(what: string, fileName: string, text: string, name: string, kind: 'ts' | 'js' = 'ts'): void {
    tally.attempts++;
    const use = `${text}\n${name};`;
    server.open(fileName, use, kind);
    const offered = server
      .ls(fileName)
      .getCompletionsAtPosition(fileName, use.length - 1 - name.length, {}, {})
      ?.entries.some((e) => e.name === name);
    const errors = server.errors(fileName).filter((d) => d.start === use.length - 1 - name.length);
    // an unchecked plain JavaScript file reports no unknown names at all: there only the completion list tells
    const known = kind === 'ts' && errors.length === 0;
    server.close(fileName);
    if (!offered && !known) return;
    tally.crossings++;
    assert.fail(`${what}: ${name} ${offered ? 'is offered' : 'resolves'} in ${fileName}`);
  }

  const attacks: { name: string; decl: string; lookup: string; kind?: 'ts' | 'js' }[] = [
    { name: "a plain const (the issue's example)", decl: 'const secretName = 1;', lookup: 'secretName' },
    { name: 'a var (global in a script)', decl: 'var leakedVar = "x";', lookup: 'leakedVar' },
    { name: 'a function declaration', decl: 'function leakedFn() {}', lookup: 'leakedFn' },
    { name: 'a class', decl: 'class LeakedClass {}', lookup: 'LeakedClass' },
    { name: 'a namespace', decl: 'namespace LeakedNs { export const a = 1; }', lookup: 'LeakedNs' },
    { name: 'declare global', decl: 'declare global { var leakedGlobal: string }\nexport {};', lookup: 'leakedGlobal' },
    { name: 'declare global with odd spacing', decl: 'declare \t global { function leakedGlobalFn(): void }', lookup: 'leakedGlobalFn' },
    { name: 'a declare var', decl: 'declare var leakedAmbient: number;', lookup: 'leakedAmbient' },
    { name: 'a JavaScript var', decl: 'var leakedJs = 1;\nglobalThis.leakedExpando = 2;', lookup: 'leakedJs', kind: 'js' },
  ];

  for (const a of attacks)
    it(`${a.name} in notebook A is not seen by notebook B, a scratch file or a plain file`, () => {
      configure([{ uri: `file://${join(dir, 'scratch.ts')}`, runtime: 'node', scratch: true }]);
      server.openNotebook(nbA, [a.decl], a.kind ?? 'ts');
      server.openNotebook(nbB, ['const own = 1;']);
      look(a.name, `^/vscode-notebook-cell/ts-nul-authority${nbB}#W1sZmlsZQ==`, 'const more = 2;', a.lookup);
      look(a.name, join(dir, 'scratch.ts'), '// %%\nconst s = 1;\n// %%', a.lookup);
      look(a.name, join(dir, 'plain.ts'), 'const p = 1;', a.lookup);
      look(a.name, join(dir, 'plain.js'), 'const p = 1;', a.lookup, 'js');
    });

  it('a global interface merged in notebook A does not change types in notebook B', () => {
    configure();
    server.openNotebook(nbA, ['interface Array<T> { leakedMethod(): T }\ninterface String { leakedProp: 1 }']);
    const [b] = server.openNotebook(nbB, ['[1].leakedMethod();\n"s".leakedProp;']);
    tally.attempts++;
    const codes = server.errors(b!).map((d) => d.code);
    if (codes.filter((c) => c === 2339).length !== 2) {
      tally.crossings++;
      assert.fail(`B sees A's interface members: ${messages(server.errors(b!))}`);
    }
  });

  it("a name declared in both notebooks keeps each notebook's own type, with no re-declaration error", () => {
    configure();
    const [a] = server.openNotebook(nbA, ['const shared: number = 1;']);
    const [b] = server.openNotebook(nbB, ['const shared = "in b";\nshared.toUpperCase();']);
    tally.attempts++;
    const q = server.ls(b!).getQuickInfoAtPosition(b!, 'const shared = "in b";\n'.length);
    const crossing = server.errors(a!).length + server.errors(b!).length > 0 || !/"in b"/.test(ts.displayPartsToString(q?.displayParts));
    if (crossing) tally.crossings++;
    assert.ok(!crossing, "the two notebooks' declarations met");
  });

  it('go to definition and rename from notebook B never land in notebook A', () => {
    configure();
    const [a] = server.openNotebook(nbA, ['let counter = 0;']);
    const [b] = server.openNotebook(nbB, ['let counter = 1;\ncounter++;']);
    for (const at of [4, 'let counter = 1;\n'.length]) {
      tally.attempts++;
      const defs = server.ls(b!).getDefinitionAtPosition(b!, at) ?? [];
      const renames = server.ls(b!).findRenameLocations(b!, at, false, false, {}) ?? [];
      const reached = [...defs, ...renames].some((l) => l.fileName === a);
      if (reached) tally.crossings++;
      assert.ok(!reached, 'an answer in B pointed into A');
    }
  });

  it("a configuration that lists notebook A's cells under notebook B does not merge the two", () => {
    // the message crosses a process: a malformed or hostile one must not join two notebooks' programs
    const aCell = cellUri(nbA, 0);
    server.configure({
      defaultTypeRoots: [REPO_TYPES],
      notebooks: [
        { uri: `file://${nbB}`, runtime: 'node', cells: [aCell, cellUri(nbB, 0), cellUri(nbB, 1)] },
        { uri: `file://${nbA}`, runtime: 'sandbox', cells: 'not a list', typeRoots: ['relative/path', 42], denoPath: 'deno' },
        { uri: 42 },
        null,
      ],
    });
    server.openNotebook(nbA, ['const fromA = 1;']);
    server.openNotebook(nbB, ['const fromB = 1;']);
    look('cells of A listed under B', `^/vscode-notebook-cell/ts-nul-authority${nbB}#W1sZmlsZQ==`, '', 'fromA');
    look('cells of A listed under B (other way)', `^/vscode-notebook-cell/ts-nul-authority${nbA}#W1sZmlsZQ==`, '', 'fromB');
  });
});
