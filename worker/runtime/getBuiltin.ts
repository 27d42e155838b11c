import { createRequire } from 'node:module';

/**
 * Loads a built-in module when it is first needed, not when the worker starts (the kernel's first result waits for
 * every module loaded at start: `node:crypto` alone is 4–5 ms). Also the way to a module's own exports object, which
 * the seat belts patch: a default import (`import net from 'node:net'`) has the bundler copy every export of the
 * module first (esbuild's __toESM: most of a millisecond of a kernel's start, over a dozen modules). Taken before any
 * cell runs (a cell may replace `process.getBuiltinModule`); a Deno or Bun older than it requires.
 */
export const getBuiltin = (typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule.bind(process) : createRequire(`${process.cwd()}/`)) as (
  id: string,
) => unknown;
