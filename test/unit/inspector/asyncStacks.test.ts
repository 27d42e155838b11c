/**
 * Errors thrown from async work a cell started show the async stack back to the cell line that started it: a timer
 * callback (the timer's creation stack), a server's event handler (where it listened), a promise continuation (the
 * top-level statement that started it), a failure that came through a top-level await (that await), and an error
 * thrown deeper than the runtimes' 10 default frames. Each test fails if the starting cell line is missing. Where a
 * runtime cannot (Node 20 and Bun run unhandled-rejection handlers outside the async context; Deno answers errors of
 * node:net/node:http handlers itself, never reporting them), the case is not generated: docs/inspector.md says so.
 */
import { strict as assert } from 'node:assert';
import { connect } from 'node:net';
import type { SerializedError, StackFrame, WorkerEvents } from '../../../protocol';
import { kernelOn, nodeBinaries, startKernel, type TestKernel } from '../helpers/testKernel';

interface Target {
  name: string;
  start(ctx: Mocha.Context): Promise<TestKernel>;
  /** Continuations and I/O events run in the context that started them (AsyncLocalStorage on AsyncContextFrame). */
  continuations: boolean;
  /** The runtime reports an error thrown by a node:net connection handler (Deno handles it itself). */
  handlerErrors: boolean;
  /** A child process's events run in the context that spawned it. */
  childEvents: boolean;
}

const targets: Target[] = [
  ...nodeBinaries().map((n) => {
    const precise = Number(/(\d+)/.exec(n.name)?.[1] ?? 0) >= 24;
    return { name: n.name, start: () => startKernel({ nodePath: n.path }), continuations: precise, handlerErrors: precise, childEvents: precise };
  }),
  { name: 'deno', start: (ctx: Mocha.Context) => kernelOn(ctx, 'deno'), continuations: true, handlerErrors: false, childEvents: true },
  { name: 'bun', start: (ctx: Mocha.Context) => kernelOn(ctx, 'bun'), continuations: false, handlerErrors: true, childEvents: true },
];

/** The frame of the cell at that line, or a failure that shows the whole stack. */
function frameAt(error: SerializedError, cellId: string, line: number): StackFrame {
  const frame = error.frames?.find((f) => f.cellId === cellId && f.line === line);
  assert.ok(frame, `a frame at line ${line} of the cell in\n${error.stack}`);
  return frame;
}

for (const target of targets) {
  describe(`async stacks of errors (${target.name})`, function () {
    this.timeout(30_000);
    let k: TestKernel;
    let n = 0;
    before(async function () {
      k = await target.start(this);
    });
    after(async () => k?.kernel.dispose());

    /** Runs a cell with its own id and waits for the uncaught error with that message. */
    async function uncaught(code: string, message: string, after?: (value: string) => Promise<void>): Promise<{ cellId: string; error: SerializedError }> {
      const cellId = `async-${++n}`;
      const seen = k.waitFor('uncaught', (b: WorkerEvents['uncaught']) => b.error.message === message);
      const result = await k.run(code, { cellId });
      assert.equal(result.status, 'ok', JSON.stringify(result));
      await after?.(result.status === 'ok' && result.value?.type === 'number' ? result.value.text : '');
      const body = await seen;
      assert.equal(body.cellId, cellId, 'reported against the cell that started the work');
      return { cellId, error: body.error };
    }

    it('a timer callback: the setTimeout call and the cell line that called it', async () => {
      const { cellId, error } = await uncaught(
        "function later() { setTimeout(function tick() { throw new Error('boom in timer') }, 5) }\nlater();\n0",
        'boom in timer',
      );
      assert.equal(error.frames?.[0]?.functionName, 'tick');
      assert.match(error.stack ?? '', /at async setTimeout in later \(cell\[\d+\]:1:\d+\)/);
      frameAt(error, cellId, 2);
    });

    it('a timer set by a timer: both links, back to the cell line', async () => {
      const { cellId, error } = await uncaught(
        "function outer() { setTimeout(function inner() { setTimeout(() => { throw new Error('nested timers') }, 1) }, 1) }\n\nouter();\n0",
        'nested timers',
      );
      assert.equal((error.stack?.match(/at async setTimeout/g) ?? []).length, 2, error.stack);
      frameAt(error, cellId, 3);
    });

    it('an error thrown deeper than the default 10 frames still reaches the cell line', async () => {
      const cellId = `async-${++n}`;
      const result = await k.run("function deep(n) { if (n === 0) throw new Error('deep'); return deep(n - 1) }\ndeep(15)", { cellId });
      assert.ok(result.status === 'error', JSON.stringify(result));
      frameAt(result.error, cellId, 2);
    });

    it('a failure that came through a top-level await names that await', async () => {
      const cellId = `async-${++n}`;
      const result = await k.run(
        "async function slow() { await new Promise((r) => setTimeout(r, 5)); throw new Error('awaited') }\nasync function mid() { await slow() }\n\nawait mid()",
        { cellId },
      );
      assert.ok(result.status === 'error', JSON.stringify(result));
      frameAt(result.error, cellId, 4);
    });

    if (target.continuations) {
      it('a promise continuation nobody awaits: the top-level statement that started it', async () => {
        const { cellId, error } = await uncaught(
          "async function step() { await null; throw new Error('boom in continuation') }\n\nstep();\n0",
          'boom in continuation',
        );
        assert.equal(error.frames?.[0]?.functionName, 'step');
        frameAt(error, cellId, 3);
      });
    }

    if (target.handlerErrors) {
      it("a server's connection handler: where the server listened", async () => {
        const { cellId, error } = await uncaught(
          [
            "var srv = require('node:net').createServer(() => { throw new Error('boom in handler') });",
            'await new Promise((r) => srv.listen(0, "127.0.0.1", r));',
            'srv.address().port',
          ].join('\n'),
          'boom in handler',
          async (port) => {
            const socket = connect(Number(port), '127.0.0.1');
            socket.on('error', () => undefined);
            setTimeout(() => socket.destroy(), 500);
          },
        );
        assert.match(error.stack ?? '', /at async listen/);
        frameAt(error, cellId, 2);
        assert.ok(
          error.frames?.every((f) => f.cellId === cellId),
          `only the cell's frames (the runtime's own are dropped):\n${error.stack}`,
        );
        await k.value('srv.close(); 0');
      });
    }

    if (target.childEvents) {
      it("a child process's exit handler: the line that spawned it", async () => {
        const { cellId, error } = await uncaught(
          "var cp = require('node:child_process');\nvar child = cp.spawn(process.execPath, ['-e', '0']);\nchild.on('exit', () => { throw new Error('boom in exit handler') });\n0",
          'boom in exit handler',
        );
        frameAt(error, cellId, 2);
        assert.ok(
          error.frames?.every((f) => f.cellId === cellId),
          `only the cell's frames:\n${error.stack}`,
        );
      });
    }
  });
}
