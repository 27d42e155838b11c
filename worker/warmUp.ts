/**
 * The cells the code-cache build runs (./entry.ts), so that what a notebook's first cells need is compiled when the
 * cache is written: parsing, the transform of JavaScript and TypeScript, top-level await, values and their previews,
 * console calls, a thrown error mapped to its cell. Never a notebook's own cell; run in a process that runs nothing else.
 */
import type os from 'node:os';
import { join } from 'node:path';
import type { CellLanguage } from '../protocol';
import type { Dispatcher } from './runtime/createDispatcher';
import { getBuiltin } from './runtime/getBuiltin';

export const WARM_UP_CELLS: { code: string; language: CellLanguage }[] = [
  { code: '1 + 1', language: 'javascript' },
  { code: 'const warm = { list: [1, 2, 3], text: "warm", at: new Date(0), map: new Map([[1, { a: 1 }]]) };\nwarm', language: 'javascript' },
  { code: 'console.log("warm", warm, 1);\nconsole.error(new Error("warm"));\nawait Promise.resolve(warm.list.length)', language: 'javascript' },
  { code: 'const typed: number = await Promise.resolve(2);\nfunction twice(n: number): number { return n * 2 }\ntwice(typed)', language: 'typescript' },
  { code: 'throw new TypeError("warm")', language: 'javascript' },
];

/** Starts a Node kernel in this process through `handle` (the worker's own dispatcher) and runs the warm-up cells. */
export async function warmUp(handle: Dispatcher): Promise<void> {
  // node:os loaded by the build alone: a kernel has no use for it
  const cwd = (getBuiltin('node:os') as typeof os).tmpdir();
  await handle({ kind: 'request', id: 1, method: 'init', params: { cwd, documentPath: join(cwd, 'codajs-warm-up.coda'), runtime: 'node' } });
  for (const [i, cell] of WARM_UP_CELLS.entries()) {
    const n = i + 1;
    await handle({ kind: 'request', id: n + 1, method: 'execute', params: { cellId: `warm-up-${n}`, cellLabel: `[${n}]`, executionId: n, ...cell } });
  }
}
