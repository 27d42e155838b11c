/**
 * The plugin in a real tsserver process started as VS Code starts it (`--globalPlugins codajs-tsplugin
 * --pluginProbeLocations <extension folder>`, the folder unzipped from the VSIX), spoken to over its stdio protocol with the requests VS Code sends for
 * notebook cells: the closest check to the editor short of the e2e.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageVsix } from '../helpers/packagedVsix';
import { cellPath } from './tsserverHarness';

const REPO = resolve(__dirname, '../../..');
const TSSERVER = join(REPO, 'node_modules/typescript/lib/tsserver.js');
/** A request that takes longer than this means the server is stuck. */
const REQUEST_TIMEOUT_MS = 30_000;

class TsServer {
  private seq = 0;
  private buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, (body: { success: boolean; body?: unknown; message?: string }) => void>();
  readonly proc: ChildProcessWithoutNullStreams;

  constructor(probe: string) {
    this.proc = spawn(
      process.execPath,
      [
        TSSERVER,
        '--globalPlugins',
        'codajs-tsplugin',
        '--pluginProbeLocations',
        probe,
        '--disableAutomaticTypingAcquisition',
        '--useInferredProjectPerProjectRoot',
      ],
      {
        stdio: 'pipe',
      },
    );
    this.proc.stdout.on('data', (d: Buffer) => this.read(d));
  }

  private read(d: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, d]);
    for (;;) {
      const head = this.buffer.indexOf('\r\n\r\n');
      if (head < 0) return;
      const length = Number(/Content-Length: (\d+)/.exec(this.buffer.subarray(0, head).toString())?.[1]);
      if (this.buffer.length < head + 4 + length) return;
      const msg = JSON.parse(this.buffer.subarray(head + 4, head + 4 + length).toString());
      this.buffer = this.buffer.subarray(head + 4 + length);
      if (msg.type === 'response') this.pending.get(msg.request_seq)?.(msg);
    }
  }

  send(command: string, args: unknown, expectResponse = true): Promise<{ success: boolean; body?: unknown; message?: string }> {
    const seq = ++this.seq;
    this.proc.stdin.write(`${JSON.stringify({ seq, type: 'request', command, arguments: args })}\n`);
    if (!expectResponse) return Promise.resolve({ success: true });
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`tsserver: ${command} timed out`)), REQUEST_TIMEOUT_MS);
      this.pending.set(seq, (m) => {
        clearTimeout(timer);
        resolvePromise(m);
      });
    });
  }

  close(): void {
    this.proc.kill();
  }
}

describe('types: the plugin in a tsserver process, as VS Code talks to it', function () {
  this.timeout(120_000);

  it('answers completions and diagnostics of notebook cells in their own coordinates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-tsserver-'));
    // the extension folder as installed from the VSIX
    const server = new TsServer(packageVsix(join(dir, 'vsix')).extension);
    try {
      const nb = join(dir, 'n.coda');
      await server.send('configurePlugin', {
        pluginName: 'codajs-tsplugin',
        configuration: { defaultTypeRoots: [join(REPO, 'node_modules/@types')], notebooks: [{ uri: `file://${nb}`, runtime: 'node' }] },
      });
      const cells = ['import { sep } from "node:path";\nconst greeting = { hello: sep };', 'const greeting = 1;\nconst bad: string = greeting;', 'greeting.'];
      const files = cells.map((_, i) => cellPath(nb, i));
      for (const [i, text] of cells.entries())
        await server.send('updateOpen', { openFiles: [{ file: files[i], fileContent: text, scriptKindName: 'TS', projectRootPath: dir }] });
      // VS Code ignores the semantic channel of notebook cells: their errors come with the suggestions, once
      const semantic = await Promise.all(files.map((file) => server.send('semanticDiagnosticsSync', { file })));
      assert.deepEqual(
        semantic.map((d) => d.body),
        [[], [], []],
      );
      const diags = await Promise.all(files.map((file) => server.send('suggestionDiagnosticsSync', { file })));
      assert.deepEqual(diags[0]!.body, []);
      assert.deepEqual(
        (diags[1]!.body as { code: number; start: { line: number; offset: number } }[]).map((d) => [d.code, d.start]),
        [[2322, { line: 2, offset: 7 }]],
      );
      const syntax = await server.send('syntacticDiagnosticsSync', { file: files[2] });
      assert.deepEqual(
        (syntax.body as { code: number }[]).map((d) => d.code),
        [1003],
      );
      const completions = await server.send('completionInfo', { file: files[2], line: 1, offset: 'greeting.'.length + 1 });
      const names = (completions.body as { entries: { name: string }[] }).entries.map((e) => e.name);
      assert.ok(names.includes('toFixed'), `completions: ${names.slice(0, 10)}`);
      assert.ok(!names.includes('hello'), 'the re-declared greeting is a number now');
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
