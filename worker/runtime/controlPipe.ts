/**
 * The reader of the control pipe (protocol/messages.ts CONTROL_FD): `i<executionId>;` interrupts that execution,
 * `a` stops every cell's background work, anything else is ignored. The watchdog thread reads it where cells run in
 * the worker itself (./../watchdog.ts); the main thread reads it where they run in another process (Deno, Bun).
 */
import { Socket } from 'node:net';
import { CONTROL_END, CONTROL_FD, CONTROL_INTERRUPT, CONTROL_STOP_ALL } from '../../protocol/messages';

export interface ControlListener {
  /** An interrupt of execution `executionId`, or (undefined) of every cell's background work. */
  interrupt(executionId: number | undefined): void;
  error(message: string): void;
}

/** Decodes the pipe's characters, which may arrive split anywhere. */
export function controlDecoder(listener: Pick<ControlListener, 'interrupt'>): (chunk: string) => void {
  let id: string | undefined;
  return (chunk) => {
    for (const ch of chunk) {
      if (ch === CONTROL_INTERRUPT) id = '';
      else if (ch === CONTROL_STOP_ALL) listener.interrupt(undefined);
      else if (id !== undefined && ch === CONTROL_END) {
        if (id) listener.interrupt(Number(id));
        id = undefined;
      } else if (id !== undefined && ch >= '0' && ch <= '9' && id.length < 16) id += ch;
      else id = undefined;
    }
  };
}

/** Reads the control pipe; throws when this process has none (a worker not started by a host). */
export function readControlPipe(listener: ControlListener): Socket {
  const pipe = new Socket({ fd: CONTROL_FD, readable: true, writable: false });
  const decode = controlDecoder(listener);
  pipe.on('data', (chunk: Buffer) => decode(chunk.toString('latin1')));
  pipe.on('error', (err) => listener.error(`control pipe error: ${err.message}`));
  return pipe;
}
