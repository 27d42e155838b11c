import type { ChildProcess } from 'node:child_process';

/** How long after its exit a worker's IPC channel may stay open (a process it started holds the other end). */
export const LAST_FRAME_GRACE_MS = 200;

/**
 * Runs `then` once every frame a worker sent before it exited has been read: Node may tell a process's exit before the
 * last messages in its channel (the worker sends `final`, then ends itself; on a busy machine the exit came first, and
 * the frame was dropped with the channel). The channel's end is that point; one still open after `graceMs` (a process
 * the worker started holds it) is not waited for longer. Once.
 */
export function afterLastFrame(child: Pick<ChildProcess, 'connected' | 'once' | 'off'>, then: () => void, graceMs = LAST_FRAME_GRACE_MS): void {
  if (!child.connected) {
    then();
    return;
  }
  const done = () => {
    clearTimeout(grace);
    child.off('disconnect', done);
    then();
  };
  const grace = setTimeout(done, graceMs);
  grace.unref();
  child.once('disconnect', done);
}
