/**
 * The installer process (dist/installer.js): installs dependencies on request (protocol/dependencies.ts), so
 * installs never block the extension host or a kernel. It stays alive between installs to keep packuments in
 * memory, and exits when its host disconnects.
 */
import { toSerializedError, type EventFrameOf, type InstallerEvents, type InstallerRequests, type RequestFrameOf, type ResponseFrame } from '../protocol';
import { fetchRuntime, runtimeSize } from './fetchRuntime';
import { install } from './install';

const send = (frame: ResponseFrame | EventFrameOf<InstallerEvents>) => {
  if (process.connected) process.send!(frame);
};

process.on('message', (frame: RequestFrameOf<InstallerRequests>) => {
  if (!frame || frame.kind !== 'request') return;
  const reply = (p: Promise<unknown>) =>
    p.then(
      (result) => send({ kind: 'response', id: frame.id, ok: true, result }),
      (err: unknown) => send({ kind: 'response', id: frame.id, ok: false, error: toSerializedError(err) }),
    );
  const progress = (message: string) => send({ kind: 'event', event: 'progress', body: { message } });
  if (frame.method === 'install') void reply(install(frame.params, progress));
  else if (frame.method === 'fetchRuntime') void reply(fetchRuntime(frame.params, progress));
  else if (frame.method === 'runtimeSize') void reply(runtimeSize(frame.params));
  else if (frame.method === 'shutdown') void reply(Promise.resolve({})).then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
