/**
 * The exit code the cells set for this process, as Node (or Deno) would exit with it: `process.exitCode` (a number or
 * a numeric string), or Deno's `Deno.exitCode` (which Deno's `process.exitCode` sets too). Undefined when none is set
 * or it is 0; an integer from 1 to 255 otherwise (what an exit status can hold).
 */
export function cellsExitCode(): number | undefined {
  const deno = (globalThis as { Deno?: { exitCode?: unknown } }).Deno;
  const raw: unknown = deno ? deno.exitCode : process.exitCode;
  const code = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : undefined;
  if (code === undefined || !Number.isInteger(code)) return undefined;
  const status = code & 0xff;
  return status === 0 ? undefined : status;
}
