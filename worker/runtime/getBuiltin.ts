import { createRequire } from 'node:module';

/**
 * Loads a built-in module when it is first needed, not when the worker starts (the kernel's first result waits for
 * every module loaded at start: `node:crypto` alone is 4–5 ms). Taken before any cell runs (a cell may replace
 * `process.getBuiltinModule`); a Deno or Bun older than it requires.
 */
export const getBuiltin = (typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule.bind(process) : createRequire(`${process.cwd()}/`)) as (
  id: string,
) => unknown;
