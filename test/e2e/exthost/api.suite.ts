// The extension API (extension/api/codaApi.ts) and the .ipynb commands, inside the real extension host.
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { MIME_VALUE, type ValueOutput } from '../../../protocol';
import type { CodaApi, CodaCellExecution } from '../../../api/codajs';
import { item, notebookOn, runCells, waitFor, workspaceFile } from './notebook.suite';

export function apiSuite(): void {
  suite('CodaJS extension API and .ipynb commands', () => {
    let api: CodaApi;
    suiteSetup(async () => {
      api = (await vscode.extensions.getExtension<CodaApi>('codajs.codajs')!.activate())!;
    });

    test('apiVersion 1: a registered plugin formats values, executions are observed, code runs in the kernel', async () => {
      assert.equal(api.apiVersion, 1);
      const plugin = api.registerKernelPlugin(workspaceFile('money-plugin.js').fsPath);
      const seen: CodaCellExecution[] = [];
      const sub = api.onDidExecuteCell((e) => seen.push(e));
      try {
        const nb = await notebookOn('codajs-node', {}, ['new Money("USD", 500)']);
        await runCells(nb, 0);
        const value = item<ValueOutput>(nb.cellAt(0), MIME_VALUE)?.value;
        assert.ok(value?.type === 'object' && value.preview === '5.00 USD', JSON.stringify(value));
        await waitFor(() => seen.length > 0, 'onDidExecuteCell');
        assert.equal(seen[0]!.notebook.toString(), nb.uri.toString());
        assert.equal(seen[0]!.success, true);
        const r = await api.runInKernel(nb.uri, 'new Money("EUR", 199)');
        assert.deepEqual({ status: r.status, value: r.value }, { status: 'ok', value: '1.99 EUR' });
      } finally {
        sub.dispose();
        plugin.dispose();
      }
    });

    test('runInKernel without a running kernel says so; a notebook just opened has one (coda.kernel.startOnOpen)', async () => {
      const config = vscode.workspace.getConfiguration('coda');
      await config.update('kernel.startOnOpen', false, vscode.ConfigurationTarget.Global);
      try {
        const nb = await notebookOn('codajs-node', {}, ['1']);
        await assert.rejects(api.runInKernel(nb.uri, '1'), /no running CodaJS kernel/);
      } finally {
        await config.update('kernel.startOnOpen', undefined, vscode.ConfigurationTarget.Global);
      }
      // the default: opening the notebook starts its kernel, before any run
      const warm = await notebookOn('codajs-node', {}, ['2']);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const r = await api.runInKernel(warm.uri, '40 + 2').catch((err: unknown) => err as Error);
        if (!(r instanceof Error)) {
          assert.deepEqual({ status: r.status, value: r.value }, { status: 'ok', value: '42' });
          break;
        }
        if (Date.now() > deadline) throw r;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.equal(warm.cellAt(0).executionSummary?.executionOrder, undefined, 'no cell ran');
    });

    test('a scratch file loads the plugins its // @coda-plugin lines name, after the registered ones', async () => {
      const write = (name: string, text: string) => vscode.workspace.fs.writeFile(workspaceFile(name), new TextEncoder().encode(text));
      await write(
        'scratch-plugin.js',
        `module.exports = { name: 'scratch-stamp', setup(ctx) { ctx.globals.stamp = 'stamped on ' + ctx.runtime + (globalThis.registered ? ' after registered' : ''); } };`,
      );
      await write('registered-plugin.js', `module.exports = { name: 'registered', setup(ctx) { ctx.globals.registered = true; } };`);
      await write('plugin-scratch.js', `// @coda-plugin ./scratch-plugin.js\nrequire('node:fs').writeFileSync('plugin-scratch.out', stamp);\n`);
      const registration = api.registerKernelPlugin(workspaceFile('registered-plugin.js').fsPath);
      try {
        // the command resolves once the run is done
        await vscode.commands.executeCommand('codajs.runScratch', workspaceFile('plugin-scratch.js'));
        const out = new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceFile('plugin-scratch.out')));
        assert.equal(out, 'stamped on node after registered');
      } finally {
        registration.dispose();
      }
    });

    test('Open with CodaJS converts an .ipynb to a .coda beside it; Export writes it back as .ipynb', async () => {
      const source = workspaceFile('hello.ipynb');
      await vscode.commands.executeCommand('codajs.openIpynb', source);
      const coda = workspaceFile('hello.coda');
      const nb = await waitFor(() => vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === coda.toString()), 'hello.coda to open');
      assert.equal(nb.notebookType, 'codajs-notebook');
      assert.match(nb.cellAt(1).document.getText(), /greeting\.toUpperCase\(\)/);
      await vscode.workspace.fs.delete(source);
      await vscode.window.showNotebookDocument(nb);
      await vscode.commands.executeCommand('codajs.exportIpynb');
      const written = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(source))) as { nbformat: number; cells: unknown[] };
      assert.equal(written.nbformat, 4);
      assert.equal(written.cells.length, 2);
    });

    test('a display with a display id is replaced in place, from a later cell and from a timer after its cell ended; the export holds the last state', async () => {
      const file = workspaceFile('display-ids.coda');
      const cells = [
        // tslab.newDisplay(): a display id of its own; its later calls replace the first output. The timer sends its
        // update 2 s after the second cell sent its own (2.5 s after the first cell ran once fired first on a loaded CI
        // machine, and the second cell's update then replaced it)
        'const bar = require("tslab").newDisplay();\nbar.text("progress 0%");\nlet halfway = 0;\nconst timer = setInterval(() => { if (halfway && Date.now() - halfway > 2000) { clearInterval(timer); bar.text("progress 100%"); } }, 50);',
        'bar.text("progress 50%");\nhalfway = Date.now();\n"cell 2"',
      ];
      const doc = { coda: 1, metadata: {}, cells: cells.map((c) => ({ kind: 'code', language: 'javascript', source: c.split('\n') })) };
      await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify(doc)));
      const nb = await vscode.workspace.openNotebookDocument(file);
      const editor = await vscode.window.showNotebookDocument(nb);
      await vscode.commands.executeCommand('notebook.selectKernel', { editor, id: 'codajs-node', extension: 'codajs.codajs' });
      // the text of each display output (a cell's value output aside)
      const texts = (i: number) =>
        nb
          .cellAt(i)
          .outputs.filter((o) => !o.items.some((x) => x.mime === MIME_VALUE))
          .flatMap((o) => o.items.filter((x) => x.mime === 'text/plain').map((x) => new TextDecoder().decode(x.data)));
      await runCells(nb, 0);
      assert.deepEqual(texts(0), ['progress 0%']);
      const order = nb.cellAt(0).executionSummary?.executionOrder;
      await runCells(nb, 1);
      await waitFor(() => texts(0)[0] === 'progress 50%', 'the second cell to update the first cell’s output');
      assert.deepEqual(texts(1), [], 'the update added no output to the cell that sent it');
      assert.equal(nb.cellAt(1).outputs.length, 1, 'only its value');
      await waitFor(() => texts(0)[0] === 'progress 100%', 'the timer to update the output after its cell ended', 10_000);
      assert.equal(texts(0).length, 1, 'replaced, not added');
      assert.equal(nb.cellAt(0).executionSummary?.executionOrder, order, 'the cell keeps its execution number');
      await vscode.commands.executeCommand('codajs.exportIpynb');
      const ipynb = workspaceFile('display-ids.ipynb');
      const written = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(ipynb))) as {
        cells: { outputs: { output_type: string; data?: Record<string, string[]>; metadata?: { codajs?: { displayId?: string } } }[] }[];
      };
      const [first] = written.cells[0]!.outputs;
      assert.equal(first?.output_type, 'display_data');
      assert.deepEqual(first?.data?.['text/plain'], ['progress 100%']);
      assert.match(first?.metadata?.codajs?.displayId ?? '', /^[0-9a-f]{16}$/);
    });
  });
}
