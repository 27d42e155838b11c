/**
 * The sidecar's stdin is the worker's channel to the agent (its frames), so cells must not reach it: a cell that reads
 * `process.stdin` with readline and closes it, or destroys it, ended the Deno or Bun process, and the kernel lost its
 * state; a cell reading it would have taken frames. The agent takes the stream for itself before any cell runs, and
 * cells find an input that has ended instead, as a Node kernel's stdin (/dev/null): `process.stdin`, `Deno.stdin` and
 * `Bun.stdin`; `prompt()`, `confirm()` and `alert()` answer at once, as Deno's do without a terminal. (Deno cannot
 * read an inherited fd but 0, so the channel stays there; code that reads fd 0 by number still reaches it.)
 */
import { Readable } from 'node:stream';

/** What `Deno.stdin` offers, at its end: nothing to read, not a terminal. */
function endedDenoStdin(): Record<string, unknown> {
  return {
    read: async () => null,
    readSync: () => null,
    get readable() {
      return new ReadableStream({ start: (controller) => controller.close() });
    },
    close: () => undefined,
    isTerminal: () => false,
    setRaw: () => {
      throw new Error('stdin is not a terminal in a notebook kernel');
    },
    [Symbol.dispose]: () => undefined,
  };
}

/** The real stdin, for the agent alone; cells see an input that has ended. */
export function takeStdin(proc: NodeJS.Process): NodeJS.ReadStream {
  const input = proc.stdin;
  const ended = new Readable({ read: () => undefined });
  ended.push(null);
  Object.defineProperty(proc, 'stdin', { value: ended, configurable: true, writable: true, enumerable: true });
  const g = globalThis as { Deno?: Record<string, unknown>; Bun?: Record<string, unknown> };
  if (g.Deno) Object.defineProperty(g.Deno, 'stdin', { value: endedDenoStdin(), configurable: true, writable: true, enumerable: true });
  // Bun's own is writable, not configurable: an empty Blob reads as Bun.stdin at its end does (text(), stream(), size 0)
  if (g.Bun) g.Bun.stdin = new Blob([]);
  // Bun's prompt() read a line from fd 0 (the frames) and the kernel hung: they answer as Deno's do where stdin is not a
  // terminal, at once, without output
  const answers: [string, unknown][] = [
    ['prompt', null],
    ['confirm', false],
    ['alert', undefined],
  ];
  for (const [name, answer] of answers) {
    Object.defineProperty(globalThis, name, { value: { [name]: () => answer }[name], configurable: true, writable: true, enumerable: true });
  }
  return input;
}
