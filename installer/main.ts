/**
 * The installer process (dist/installer-main.js, loaded by ./entry.ts): installs dependencies on request
 * (protocol/dependencies.ts), so installs never block the extension host or a kernel. It stays alive between installs
 * to keep packuments in memory, and exits when its host disconnects or asks it to, once it has written what it holds
 * for the HTTP cache (cacheBehind.ts).
 */
import type { CodeCacheStatus } from '../protocol/workerCodeCache';
import { toSerializedError, type EventFrameOf, type InstallerEvents, type InstallerRequests, type RequestFrameOf, type ResponseFrame } from '../protocol';
import { fetchRuntime, runtimeSize } from './fetchRuntime';
import { install } from './install';
import { writeHeld } from './cacheBehind';

/** The longest the installer waits for its cache writes before it exits anyway. */
const WRITE_LIMIT_MS = 25_000;
const written = () => Promise.race([writeHeld(), new Promise<void>((resolve) => setTimeout(resolve, WRITE_LIMIT_MS).unref())]);

/** What became of the installer's code cache at its start (./entry.ts). */
const codeCache = (module as { codeCache?: CodeCacheStatus }).codeCache;
let answered = 0;

/** How many installs this process has answered (./entry.ts writes the code cache at exit after one). */
export function installsAnswered(): number {
  return answered;
}

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
  if (frame.method === 'install')
    void reply(
      install(frame.params, progress).then((result) => {
        answered++;
        return { ...result, ...(codeCache && { codeCache }) };
      }),
    );
  else if (frame.method === 'fetchRuntime') void reply(fetchRuntime(frame.params, progress));
  else if (frame.method === 'runtimeSize') void reply(runtimeSize(frame.params));
  else if (frame.method === 'writeCache') void reply(writeHeld().then(() => ({})));
  else if (frame.method === 'shutdown') void reply(written().then(() => ({}))).then(() => process.exit(0));
});
process.on('disconnect', () => void written().then(() => process.exit(0)));
