/**
 * The kernel's own in-process inspector session (no socket), which checkpoints set their breakpoints through. Node
 * connects one when the first checkpoint is set; the Deno agent connects one at init, before any cell runs, because
 * Deno lets a script connect only with `--allow-sys`, which a notebook with permissions loses right after
 * (worker/sidecar/agentInspectorSession.ts). `connect` is captured when the kernel loads: Node's permission guards
 * replace it so that cells get no session (worker/node/permissionGuards.ts).
 */
import type inspectorModule from 'node:inspector';
import { getBuiltin } from '../runtime/getBuiltin';

const inspector = getBuiltin('node:inspector') as typeof inspectorModule;
const realConnect = inspector.Session.prototype.connect;

/** Gives the session checkpoints use (the same one every time), or throws why there is none. */
export type SessionSource = () => inspectorModule.Session;

export function connectInspectorSession(): inspectorModule.Session {
  const session = new inspector.Session();
  Reflect.apply(realConnect, session, []);
  return session;
}

/** A SessionSource that connects on the first call and keeps that session. */
export function lazySession(connect: () => inspectorModule.Session = connectInspectorSession): SessionSource {
  let session: inspectorModule.Session | undefined;
  return () => (session ??= connect());
}
