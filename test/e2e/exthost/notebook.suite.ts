// Runs inside the real extension host (code-server): serializer round trips, controller outputs, commands.
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { MIME_CONSOLE, MIME_ERROR, MIME_VALUE, type ConsoleOutput, type ErrorOutput, type ValueOutput } from '../../../protocol';

const EXTENSION_ID = 'codajs.codajs';
const decoder = new TextDecoder();

export async function waitFor<T>(fn: () => T | undefined | false, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function workspaceFile(name: string): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, name);
}

export function item<T>(cell: vscode.NotebookCell, mime: string): T | undefined {
  for (const o of cell.outputs) for (const i of o.items) if (i.mime === mime) return JSON.parse(decoder.decode(i.data)) as T;
  return undefined;
}

async function notebookWith(...sources: [string, string?][]): Promise<vscode.NotebookDocument> {
  return notebookOn('codajs-node', {}, ...sources);
}

export async function notebookOn(kernelId: string, metadata: Record<string, unknown>, ...sources: [string, string?][]): Promise<vscode.NotebookDocument> {
  const cells = sources.map(([src, lang]) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, src, lang ?? 'javascript'));
  const data = new vscode.NotebookData(cells);
  data.metadata = metadata;
  const nb = await vscode.workspace.openNotebookDocument('codajs-notebook', data);
  const editor = await vscode.window.showNotebookDocument(nb);
  await vscode.commands.executeCommand('notebook.selectKernel', { editor, id: kernelId, extension: EXTENSION_ID });
  return nb;
}

export async function runCells(nb: vscode.NotebookDocument, ...indexes: number[]): Promise<void> {
  for (const i of indexes) {
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: i, end: i + 1 }], document: nb.uri });
    await waitFor(() => nb.cellAt(i).executionSummary?.success !== undefined, `cell ${i} to finish`);
  }
}

export function notebookSuite(): void {
  suite('CodaJS in the extension host', () => {
    suiteSetup(async () => {
      await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    });

    test('runs on the side of the files (extensionKind workspace: code-server runs this host on the server)', () => {
      assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.extensionKind, vscode.ExtensionKind.Workspace);
    });

    test('opens a .coda file, and saving it without edits writes the same bytes', async () => {
      const uri = workspaceFile('roundtrip.coda');
      const before = await vscode.workspace.fs.readFile(uri);
      const nb = await vscode.workspace.openNotebookDocument(uri);
      assert.equal(nb.notebookType, 'codajs-notebook');
      assert.deepEqual(
        nb.getCells().map((c) => [c.kind, c.document.languageId]),
        [
          [vscode.NotebookCellKind.Markup, 'markdown'],
          [vscode.NotebookCellKind.Code, 'javascript'],
          [vscode.NotebookCellKind.Code, 'typescript'],
        ],
      );
      const edit = new vscode.WorkspaceEdit();
      edit.set(uri, [vscode.NotebookEdit.updateNotebookMetadata({ ...nb.metadata })]);
      await vscode.workspace.applyEdit(edit);
      assert.ok(await nb.save(), 'saved');
      const after = await vscode.workspace.fs.readFile(uri);
      assert.equal(decoder.decode(after), decoder.decode(before));
    });

    test('refuses a broken file with its line and field, and leaves it untouched', async () => {
      const uri = workspaceFile('broken.coda');
      const before = decoder.decode(await vscode.workspace.fs.readFile(uri));
      await assert.rejects(Promise.resolve(vscode.workspace.openNotebookDocument(uri)), /cells\[0\]\.language/);
      assert.equal(decoder.decode(await vscode.workspace.fs.readFile(uri)), before);
    });

    test('runs cells: console output, a value to inspect, state across cells, TypeScript', async () => {
      const nb = await notebookWith(
        ['console.log("from the host test"); console.error("bad"); const shared = { n: 41 }; shared'],
        ['shared.n + 1'],
        ['const t: number = 3;\nt * 2', 'typescript'],
      );
      await runCells(nb, 0, 1, 2);
      const out = item<ConsoleOutput>(nb.cellAt(0), MIME_CONSOLE)!;
      assert.deepEqual(
        out.entries.map((e) => [e.level, e.text]),
        [
          ['log', 'from the host test'],
          ['error', 'bad'],
        ],
      );
      const value = item<ValueOutput>(nb.cellAt(0), MIME_VALUE)!.value;
      assert.ok(value.type === 'object' && value.handle, 'the result can be expanded');
      assert.deepEqual(item<ValueOutput>(nb.cellAt(1), MIME_VALUE)!.value, { type: 'number', text: '42' });
      assert.deepEqual(item<ValueOutput>(nb.cellAt(2), MIME_VALUE)!.value, { type: 'number', text: '6' });
      assert.equal(nb.cellAt(1).executionSummary?.executionOrder, 2);
    });

    test('a TypeScript cell with decorators, an accessor and a namespace runs (compiled in the kernel the VSIX ships)', async () => {
      const nb = await notebookWith([
        'function loud(fn: any, ctx: ClassMethodDecoratorContext) { return function (this: any) { return String(fn.call(this)).toUpperCase(); }; }\nclass Greeter { accessor who = "vsix"; @loud hi() { return "hi " + this.who; } }\nnamespace Tools { export const greeter = new Greeter(); }\nTools.greeter.hi()',
        'typescript',
      ]);
      await runCells(nb, 0);
      assert.deepEqual(
        item<ValueOutput>(nb.cellAt(0), MIME_VALUE)?.value,
        { type: 'string', value: 'HI VSIX', length: 7 },
        JSON.stringify(item<ErrorOutput>(nb.cellAt(0), MIME_ERROR)),
      );
    });

    test('text written without a line end shows under its cell, one line with what continues it; a cell imports JSON and reads import.meta', async () => {
      await vscode.workspace.fs.writeFile(workspaceFile('e2e-data.json'), new TextEncoder().encode('{ "x": 7 }'));
      const nb = await notebookWith(
        [
          'for (let i = 0; i < 3; i++) { process.stdout.write("."); await new Promise((r) => setTimeout(r, 150)) }\nprocess.stdout.write(" done\\n"); process.stdout.write("tail")',
        ],
        ['import data from "./e2e-data.json" with { type: "json" };\n[data.x, import.meta.dirname === __dirname, import.meta.url.startsWith("untitled:")]'],
      );
      await runCells(nb, 0, 1);
      assert.deepEqual(
        item<ConsoleOutput>(nb.cellAt(0), MIME_CONSOLE)!.entries.map((e) => e.text),
        ['... done', 'tail'],
      );
      assert.equal(item<ConsoleOutput>(nb.cellAt(1), MIME_CONSOLE), undefined, 'nothing of the first cell shows under the second');
      const value = item<ValueOutput>(nb.cellAt(1), MIME_VALUE)!.value;
      assert.ok(value.type === 'object' && value.preview === '[ 7, true, true ]', JSON.stringify(value));
    });

    test('a promise a cell returns shows pending, then settled in the same output; its later rejection fails the cell in words', async () => {
      const nb = await notebookWith(
        ['new Promise((resolve) => setTimeout(() => resolve({ answer: 42 }), 1000))'],
        ['(async () => {\n  await new Promise((r) => setTimeout(r, 1000));\n  throw new Error("late failure");\n})()'],
      );
      const preview = (i: number) => {
        const v = item<ValueOutput>(nb.cellAt(i), MIME_VALUE)?.value;
        return v?.type === 'object' ? v.preview : undefined;
      };
      await runCells(nb, 0);
      assert.equal(preview(0), 'Promise { <pending> }');
      const order = nb.cellAt(0).executionSummary?.executionOrder;
      await waitFor(() => preview(0) === 'Promise { { answer: 42 } }', 'the result to show the settled promise', 10_000);
      assert.equal(nb.cellAt(0).outputs.length, 1, 'replaced, not added');
      assert.equal(nb.cellAt(0).executionSummary?.executionOrder, order, 'the cell keeps its execution number');
      await runCells(nb, 1);
      await waitFor(() => item<ErrorOutput>(nb.cellAt(1), MIME_ERROR), 'the rejection to show in the cell', 10_000);
      assert.equal(item<ErrorOutput>(nb.cellAt(1), MIME_ERROR)!.error.message, 'late failure');
      await waitFor(() => preview(1)?.startsWith('Promise { <rejected> Error: late failure'), 'the result to show the rejected promise', 10_000);
    });

    test('shows an error in the cell, mapped to the cell line', async () => {
      const nb = await notebookWith(['const a = 1;\nnull.boom']);
      await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: nb.uri });
      await waitFor(() => nb.cellAt(0).executionSummary?.success === false, 'the cell to fail');
      const err = item<ErrorOutput>(nb.cellAt(0), MIME_ERROR)!;
      assert.equal(err.error.name, 'TypeError');
      assert.equal(err.error.location?.line, 2);
    });

    test('frames name cells by the execution count in their gutter, at the TypeScript column written', async () => {
      const ts =
        'function explode(n: number): Record<string, never> {\n  const box: { v?: { n: number } } = {}; return (box.v as { n: number }).n ? {} : {};\n}';
      const nb = await notebookWith(['explode(1)'], [ts, 'typescript']);
      await runCells(nb, 1, 0);
      assert.equal(nb.cellAt(1).executionSummary?.executionOrder, 1);
      assert.equal(nb.cellAt(0).executionSummary?.executionOrder, 2);
      const err = item<ErrorOutput>(nb.cellAt(0), MIME_ERROR)!;
      const frames = err.error.frames ?? [];
      const inner = frames.find((f) => f.functionName === 'explode');
      assert.equal(inner?.cellLabel, '[1]', JSON.stringify(frames));
      assert.equal(inner?.column, ts.split('\n')[1]!.indexOf('.n ?') + 2);
      assert.equal(frames.find((f) => f.functionName === '')?.cellLabel, '[2]');
      assert.match(err.error.stack ?? '', /cell\[1\]:2:/);
    });

    test('renaming and moving a .coda file keeps its kernel and variables', async () => {
      const first = workspaceFile('rename-me.coda');
      await vscode.workspace.fs.writeFile(
        first,
        new TextEncoder().encode(
          JSON.stringify({
            coda: 1,
            metadata: {},
            cells: [{ kind: 'code', language: 'javascript', source: ['globalThis.runs = (globalThis.runs ?? 0) + 1'] }],
          }),
        ),
      );
      let nb = await vscode.workspace.openNotebookDocument(first);
      const editor = await vscode.window.showNotebookDocument(nb);
      await vscode.commands.executeCommand('notebook.selectKernel', { editor, id: 'codajs-node', extension: EXTENSION_ID });
      await runCells(nb, 0);
      assert.deepEqual(item<ValueOutput>(nb.cellAt(0), MIME_VALUE)!.value, { type: 'number', text: '1' });
      for (const target of [workspaceFile('renamed.coda'), workspaceFile('moved/renamed.coda')]) {
        const edit = new vscode.WorkspaceEdit();
        edit.renameFile(nb.uri, target);
        assert.ok(await vscode.workspace.applyEdit(edit), `renamed to ${target.path}`);
        nb = await waitFor(() => vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === target.toString()), `the notebook at ${target.path}`);
        await vscode.window.showNotebookDocument(nb);
        const expected = target.path.endsWith('moved/renamed.coda') ? '3' : '2';
        const before = nb.cellAt(0).executionSummary?.executionOrder;
        await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: nb.uri });
        await waitFor(
          () => nb.cellAt(0).executionSummary?.executionOrder !== before && nb.cellAt(0).executionSummary?.success !== undefined,
          `the run after the move to ${target.path}`,
        );
        // a fresh kernel would count 1 again
        const value = item<ValueOutput>(nb.cellAt(0), MIME_VALUE)?.value;
        assert.equal(value?.type === 'number' ? value.text : JSON.stringify(value), expected);
      }
    });

    test('one import that cannot be installed fails its cell only; the others run', async () => {
      const nb = await notebookWith(['"before"'], ['require("codajs-e2e-no-such-package-7f3a")'], ['"after"']);
      for (const i of [0, 1, 2]) {
        await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: i, end: i + 1 }], document: nb.uri });
        await waitFor(() => nb.cellAt(i).executionSummary?.success !== undefined, `cell ${i} to finish`, 120_000);
      }
      assert.deepEqual(
        [0, 1, 2].map((i) => nb.cellAt(i).executionSummary?.success),
        [true, false, true],
      );
      const err = item<ErrorOutput>(nb.cellAt(1), MIME_ERROR)!;
      assert.match(err.error.message, /the import of 'codajs-e2e-no-such-package-7f3a' \(line 1\) could not be installed/);
    });

    test("a notebook's cell runs once its packages are in; the editor's types follow, and the notebook keeps a lock with both", async () => {
      const nb = await notebookWith(['const _ = require("lodash"); _.chunk([1, 2, 3], 2).length']);
      await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: nb.uri });
      await waitFor(() => nb.cellAt(0).executionSummary?.success !== undefined, 'the cell to finish', 120_000);
      const value = item<ValueOutput>(nb.cellAt(0), MIME_VALUE)?.value;
      assert.equal(value?.type === 'number' ? value.text : JSON.stringify(value), '2');
      // the lock comes from the install that added the types (DependencyManager.addTypes)
      const lock = await waitFor(
        () => {
          const l = nb.metadata.lock as Record<string, { version: string }> | undefined;
          return l?.['node_modules/@types/lodash'] && l;
        },
        'the lock with @types/lodash',
        120_000,
      );
      assert.ok(lock['node_modules/lodash']?.version);
    });

    test('a saved notebook keeps no run bookkeeping, kernel handle, cell URI or home folder, and display.json reopens as shown', async () => {
      const uri = workspaceFile('saved-clean.coda');
      await vscode.workspace.fs.writeFile(
        uri,
        new TextEncoder().encode(
          JSON.stringify({
            coda: 1,
            metadata: {},
            cells: [{ kind: 'code', language: 'javascript', source: ['console.log("line", { n: 1 }); display.json({ a: [1, 2] }); ({ kept: true })'] }],
          }),
        ),
      );
      const nb = await vscode.workspace.openNotebookDocument(uri);
      const editor = await vscode.window.showNotebookDocument(nb);
      await vscode.commands.executeCommand('notebook.selectKernel', { editor, id: 'codajs-node', extension: EXTENSION_ID });
      await runCells(nb, 0);
      // the logged object is shown once, in its place in the line (the renderer draws segments)
      const live = item<ConsoleOutput>(nb.cellAt(0), MIME_CONSOLE)!;
      assert.deepEqual(live.entries[0]?.segments, ['line', ' ', { value: 0 }]);
      const shown = nb
        .cellAt(0)
        .outputs.flatMap((o) => o.items)
        .find((i) => i.mime === 'application/json')!;
      assert.ok(await nb.save(), 'saved');
      const saved = decoder.decode(await vscode.workspace.fs.readFile(uri));
      for (const leak of ['vscode-notebook-cell', 'kernelId', 'executionId', '"time"', '"handle"'])
        assert.ok(!saved.includes(leak), `the saved file holds ${leak}`);
      // a copy is read from disk (the saved document itself may stay open in memory)
      const copy = workspaceFile('saved-clean-copy.coda');
      await vscode.workspace.fs.writeFile(copy, new TextEncoder().encode(saved));
      const reopened = await vscode.workspace.openNotebookDocument(copy);
      const again = reopened
        .cellAt(0)
        .outputs.flatMap((o) => o.items)
        .find((i) => i.mime === 'application/json')!;
      assert.equal(decoder.decode(again.data), decoder.decode(shown.data));
    });

    test('interrupts a looping cell, keeps the state, and restart clears it', async () => {
      const nb = await notebookWith(['const kept = "yes"'], ['while (true) {}'], ['kept'], ['typeof kept']);
      await runCells(nb, 0);
      void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 1, end: 2 }], document: nb.uri });
      await new Promise((r) => setTimeout(r, 1000));
      await vscode.commands.executeCommand('codajs.interruptKernel');
      await waitFor(() => nb.cellAt(1).executionSummary?.success === false, 'the loop to be interrupted');
      assert.equal(item<ErrorOutput>(nb.cellAt(1), MIME_ERROR)?.interrupted, true);
      await runCells(nb, 2);
      assert.deepEqual(item<ValueOutput>(nb.cellAt(2), MIME_VALUE)!.value, { type: 'string', value: 'yes', length: 3 });
      await vscode.commands.executeCommand('codajs.restartKernel');
      await runCells(nb, 3);
      assert.deepEqual(item<ValueOutput>(nb.cellAt(3), MIME_VALUE)!.value, { type: 'string', value: 'undefined', length: 9 });
    });

    // the identity cell tells the runtimes apart: Deno and Bun have their globals, the sandbox has no `process`
    for (const [kernelId, runtime, identity, expected] of [
      ['codajs-deno', 'deno', 'typeof Deno', 'object'],
      ['codajs-bun', 'bun', 'typeof Bun', 'object'],
      ['codajs-sandbox', 'sandbox', 'typeof process', 'undefined'],
    ] as const) {
      test(`runs cells on the ${runtime} kernel and records it in the notebook`, async () => {
        const nb = await notebookOn(kernelId, {}, ['const a = [1, 2, 3];\nconsole.log("sum", a.reduce((x, y) => x + y))'], ['a.length * 2'], [identity]);
        await runCells(nb, 0, 1, 2);
        const out = item<ConsoleOutput>(nb.cellAt(0), MIME_CONSOLE);
        assert.deepEqual(
          out?.entries.map((e) => e.text),
          ['sum 6'],
          JSON.stringify(nb.cellAt(0).outputs.map((o) => o.items.map((i) => decoder.decode(i.data)))),
        );
        assert.deepEqual(item<ValueOutput>(nb.cellAt(1), MIME_VALUE)!.value, { type: 'number', text: '6' });
        assert.deepEqual(item<ValueOutput>(nb.cellAt(2), MIME_VALUE)!.value, { type: 'string', value: expected, length: expected.length });
        await waitFor(() => (nb.metadata as { runtime?: string }).runtime === runtime, 'the runtime in the notebook metadata');
      });
    }

    test('the sandbox denies the network unless granted, with an error naming the capability', async () => {
      const nb = await notebookOn('codajs-sandbox', {}, ['await fetch("http://example.invalid/")']);
      await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: nb.uri });
      await waitFor(() => nb.cellAt(0).executionSummary?.success === false, 'the cell to fail');
      const err = item<ErrorOutput>(nb.cellAt(0), MIME_ERROR)!;
      assert.equal(err.error.name, 'PermissionDenied');
      assert.match(err.error.message, /network access to "example\.invalid/);
    });

    test('a secret from the .env file is injected, and the saved notebook holds only its mask', async () => {
      const uri = workspaceFile('secrets.coda');
      const nb = await vscode.workspace.openNotebookDocument(uri);
      const editor = await vscode.window.showNotebookDocument(nb);
      await vscode.commands.executeCommand('notebook.selectKernel', { editor, id: 'codajs-node', extension: EXTENSION_ID });
      await runCells(nb, 0);
      const out = item<ConsoleOutput>(nb.cellAt(0), MIME_CONSOLE)!;
      assert.deepEqual(
        out.entries.map((e) => e.text),
        ['key: ••••••'],
      );
      assert.ok(await nb.save(), 'saved');
      const saved = decoder.decode(await vscode.workspace.fs.readFile(uri));
      assert.ok(!saved.includes('e2e-secret-9f8e7d6c5b'), 'the saved notebook leaked the secret');
      assert.match(saved, /key: ••••••/);
      assert.match(saved, /length: 21/, 'the cell could use the secret (its length is shown)');
    });

    test('"New CodaJS Notebook" opens an untitled notebook with a JavaScript cell', async () => {
      const nb = await vscode.commands.executeCommand<vscode.NotebookDocument>('codajs.newNotebook');
      assert.equal(nb.notebookType, 'codajs-notebook');
      assert.equal(nb.isUntitled, true);
      assert.equal(nb.cellAt(0).document.languageId, 'javascript');
    });
  });
}
