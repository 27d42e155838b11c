/**
 * A request to a process that goes away fails with the catalogue's KernelGone, recognisable by code on both sides of
 * a process boundary; RequestError.unwrap() throws the other side's error with its code and without the method.
 */
import { strict as assert } from 'node:assert';
import { CodaError, codaError, createChannel, isCodaError, RequestError, type ResponseFrame, type Transport } from '../../../protocol';

type Requests = { ping: { params: Record<string, never>; result: string } };

function fakeTransport() {
  let onClose: (reason: string) => void = () => undefined;
  let onMessage: (frame: ResponseFrame) => void = () => undefined;
  const transport = {
    send: () => undefined,
    onMessage: (l: (frame: ResponseFrame) => void) => ((onMessage = l), () => undefined),
    onClose: (l: (reason: string) => void) => ((onClose = l), () => undefined),
  };
  return { transport, close: (reason: string) => onClose(reason), reply: (frame: ResponseFrame) => onMessage(frame) };
}

describe('channel errors carry catalogue codes', () => {
  it('a pending request and a later one fail with KernelGone when the other side dies', async () => {
    const t = fakeTransport();
    const channel = createChannel<Requests, Record<string, never>>(t.transport as unknown as Transport<never, never>);
    const pending = channel.request('ping', {});
    t.close('The kernel ran out of memory (heap limit 4096 MB).');
    for (const p of [pending, channel.request('ping', {})]) {
      await assert.rejects(p, (err: unknown) => {
        assert.ok(err instanceof RequestError);
        assert.equal(err.message, 'ping failed: The kernel ran out of memory (heap limit 4096 MB).');
        assert.ok(isCodaError(JSON.parse(JSON.stringify(err.data)), 'KernelGone'));
        const thrown = err.unwrap();
        assert.ok(thrown instanceof CodaError && isCodaError(thrown, 'KernelGone'));
        assert.equal(thrown.message, 'The kernel ran out of memory (heap limit 4096 MB).');
        return true;
      });
    }
  });

  it('a request the transport cannot send fails with SendFailed, saying why', async () => {
    const t = fakeTransport();
    const transport = {
      ...t.transport,
      send: () => {
        throw new Error('the kernel process is not connected');
      },
    };
    const channel = createChannel<Requests, Record<string, never>>(transport as unknown as Transport<never, never>);
    await assert.rejects(
      channel.request('ping', {}),
      (err: RequestError) =>
        isCodaError(err.data, 'SendFailed') && err.message === 'ping failed: The request could not be sent: the kernel process is not connected',
    );
  });

  it("the other side's catalogue error keeps its code through unwrap; a plain one keeps its name", async () => {
    const t = fakeTransport();
    const channel = createChannel<Requests, Record<string, never>>(t.transport as unknown as Transport<never, never>);
    const coded = channel.request('ping', {});
    t.reply({ kind: 'response', id: 1, ok: false, error: codaError('LockRefused', { detail: 'no' }) } as ResponseFrame);
    await assert.rejects(coded, (err: RequestError) => isCodaError(err.unwrap(), 'LockRefused') && err.unwrap().name === 'LockRefused');
    const plain = channel.request('ping', {});
    t.reply({ kind: 'response', id: 2, ok: false, error: { name: 'TypeError', message: 'x is not a function' } } as ResponseFrame);
    await assert.rejects(plain, (err: RequestError) => !isCodaError(err.unwrap()) && err.unwrap().name === 'TypeError');
  });
});

describe('a channel keeps a response before the events sent after it', () => {
  type Events = { console: { n: number } };
  const event = (n: number) => ({ kind: 'event', event: 'console', body: { n } }) as unknown as ResponseFrame;
  const pong = (id: number) => ({ kind: 'response', id, ok: true, result: 'pong' }) as ResponseFrame;
  const turn = () => new Promise((r) => setTimeout(r, 5));

  function channelWithLog() {
    const t = fakeTransport();
    const channel = createChannel<Requests, Events>(t.transport as unknown as Transport<never, never>);
    const log: string[] = [];
    channel.onEvent('console', ({ n }) => log.push(`event ${n}`));
    return { t, channel, log };
  }

  it('code awaiting a response (through async functions) runs before the events that came after it in the same read; earlier events come first', async () => {
    const { t, channel, log } = channelWithLog();
    // as runNotebook awaits a cell: an async function awaiting one that awaits the request
    const execute = async () => await channel.request('ping', {});
    const cell = (async () => log.push(`result ${await execute()}`))();
    // one read of the pipe: output during the cell, its result, then a timer's late output
    for (const f of [event(1), pong(1), event(2), event(3)]) t.reply(f);
    assert.deepEqual(log, ['event 1']);
    // an event that arrives in a later read, before the held ones went out, keeps its place behind them
    queueMicrotask(() => t.reply(event(4)));
    await cell;
    assert.deepEqual(log, ['event 1', 'result pong']);
    await turn();
    assert.deepEqual(log, ['event 1', 'result pong', 'event 2', 'event 3', 'event 4']);
    // once released, events are dispatched at once again
    t.reply(event(5));
    assert.deepEqual(log.at(-1), 'event 5');
  });

  it('a response that comes while events are held waits behind them, and what follows it waits for the code awaiting it', async () => {
    const { t, channel, log } = channelWithLog();
    const first = channel.request('ping', {}).then((r) => log.push(`first ${r}`));
    const second = channel.request('ping', {}).then((r) => log.push(`second ${r}`));
    // one read: the first reply and an event; a later read, before the held event went out: an event, the second
    // reply (a cell run right after the first, whose output came before its reply), another event
    t.reply(pong(1));
    t.reply(event(1));
    queueMicrotask(() => {
      for (const f of [event(2), pong(2), event(3)]) t.reply(f);
    });
    await first;
    await second;
    assert.deepEqual(log, ['first pong', 'event 1', 'event 2', 'second pong']);
    await turn();
    assert.deepEqual(log, ['first pong', 'event 1', 'event 2', 'second pong', 'event 3']);
  });

  it('a failed request holds the events after it too; a response nobody waits for holds nothing', async () => {
    const { t, channel, log } = channelWithLog();
    const failed = channel.request('ping', {}).catch((err: RequestError) => log.push(`failed ${err.data.message}`));
    t.reply({ kind: 'response', id: 1, ok: false, error: { name: 'Error', message: 'no' } } as ResponseFrame);
    t.reply(event(1));
    await failed;
    await turn();
    assert.deepEqual(log, ['failed no', 'event 1']);
    t.reply(pong(99));
    t.reply(event(2));
    assert.deepEqual(log.at(-1), 'event 2', 'held behind a response no request waited for');
  });
});
