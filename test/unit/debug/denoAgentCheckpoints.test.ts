/**
 * Checkpoints inside the Deno agent, driven by frames as the worker writes them: when the worker is busy, several
 * frames reach the agent in one read, so a second replacement of a document's checkpoints arrives before Deno's
 * in-process inspector session has answered the first (it answers on a later turn of the event loop). The last
 * replacement must hold: its breakpoint placed and recorded, the earlier one gone.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckpointHits, HostRequestMethod, HostRequests, InitParams } from '../../../protocol';
import { encodeFrame, FRAME_MARKER, type FromAgentFrame } from '../../../protocol/sidecar';
import { sidecarCommand, SIDECAR_AGENT } from '../../../worker/sidecar/sidecarCommand';
import { requireRuntimes, runtimeBinary } from '../../runtimeBinaries';
import { ROOT } from '../helpers/testKernel';

let id = 0;
const request = <M extends HostRequestMethod>(method: M, params: HostRequests[M]['params']) =>
  encodeFrame({ kind: 'request', id: ++id, method, params } as never, false);

describe('checkpoints in the Deno agent', function () {
  this.timeout(30_000);

  for (const permissions of [undefined, { net: [] }])
    it(`a replacement that arrives with the one it replaces holds (${permissions ? 'permissions declared' : 'no permissions'})`, async function () {
      const deno = runtimeBinary('deno');
      if (!deno) {
        if (requireRuntimes) throw new Error('deno is not in the runtime store: run `coda runtimes fetch deno`');
        this.skip();
      }
      const cwd = mkdtempSync(join(tmpdir(), 'coda-agent-cp-'));
      const init: InitParams = { cwd, documentPath: join(cwd, 'a.coda'), runtime: 'deno', runtimePath: deno, permissions };
      const { command, args, env } = sidecarCommand('deno', init, join(ROOT, 'dist', SIDECAR_AGENT));
      const child = spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'ignore'] });
      const frames: FromAgentFrame[] = [];
      let rest = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        const lines = (rest + d).split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) if (l.startsWith(FRAME_MARKER)) frames.push(JSON.parse(l.slice(FRAME_MARKER.length)) as FromAgentFrame);
      });
      const hits = (): CheckpointHits[] => frames.flatMap((f) => (f.kind === 'event' && f.event === 'checkpointHits' ? f.body.checkpoints : []));
      try {
        const uri = 'file:///work/together.js';
        const cell = (n: number, code: string) =>
          request('execute', { cellId: `c${n}`, cellLabel: `[${n}]`, executionId: n, code, language: 'javascript', source: { uri } });
        const { runtimePath: _binary, ...agentInit } = init;
        const answered = (n: number) => frames.filter((f) => f.kind === 'response').length >= n;
        const answers = async (n: number) => {
          for (let t = 0; !answered(n) && t < 1000; t++) await new Promise((r) => setTimeout(r, 10));
          assert.ok(answered(n), `the agent answered ${frames.filter((f) => f.kind === 'response').length} of ${n} requests`);
        };
        child.stdin.write(request('init', agentInit) + cell(1, 'var v = 0;\nfunction bump() {\n  v += 1;\n}'));
        await answers(2);
        // one write, read in one chunk: both replacements are handled in one turn, over the line cell 1's script has
        child.stdin.write(
          request('setCheckpoints', { uri, checkpoints: [{ id: 'one', line: 2, expression: '"first"' }] }) +
            request('setCheckpoints', { uri, checkpoints: [{ id: 'two', line: 2, expression: 'v * 10' }] }),
        );
        await answers(4);
        // the line is in cell 1's script (a function it defined): placed by the replacements, not by a new script
        child.stdin.write(cell(2, 'v = 4;\nbump();'));
        for (let t = 0; !hits().length && t < 300; t++) await new Promise((r) => setTimeout(r, 10));
        assert.deepEqual(
          hits().map((c) => [c.id, c.recent.map((h) => h.text)]),
          [['two', ['40']]],
        );
      } finally {
        child.kill();
      }
    });
});
