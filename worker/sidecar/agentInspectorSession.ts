/**
 * The Deno agent's own inspector session, which checkpoints set their breakpoints through (worker/debug/Checkpoints.ts).
 * Deno lets a script connect an in-process session only with `sys` permission, and a notebook's capabilities have no
 * `sys`. So a kernel with declared permissions starts with --allow-sys (sidecarCommand.ts); at init, before any cell or
 * plugin runs, the agent connects its session and revokes `sys` for good (Deno never prompts: --no-prompt). Cells then
 * can neither connect a session nor call any other `sys` API (Deno.hostname(), os.cpus(), …), exactly as without the
 * flag. If the revocation does not hold, init fails: the kernel never runs a cell with a grant the notebook lacks.
 * An unrestricted notebook (--allow-all) keeps everything, as it would anyway.
 */
import type inspector from 'node:inspector';
import { codaErrorObject } from '../../protocol';
import { connectInspectorSession, type SessionSource } from '../debug/inspectorSession';

interface DenoPermissions {
  querySync(d: { name: 'sys'; kind?: string }): { state: string };
  revokeSync(d: { name: 'sys' }): { state: string };
}

const deno = (): DenoPermissions => (globalThis as unknown as { Deno: { permissions: DenoPermissions } }).Deno.permissions;

/** Connects the session; with `declared` permissions, then takes `sys` away. */
export function agentInspectorSession(declared: boolean): SessionSource {
  let session: inspector.Session | undefined;
  let failure = '';
  try {
    session = connectInspectorSession();
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  }
  if (declared) {
    deno().revokeSync({ name: 'sys' });
    // the whole permission, and one of its kinds
    for (const kind of [undefined, 'hostname'])
      if (deno().querySync({ name: 'sys', kind }).state === 'granted') throw new Error(`the kernel could not give up the sys permission (${kind ?? 'all'})`);
  }
  return () => {
    if (session) return session;
    throw codaErrorObject('DebugOpenFailed', { detail: `Deno did not give the kernel an inspector session for checkpoints: ${failure}` });
  };
}
