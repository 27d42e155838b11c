/**
 * Denied accesses on the Node runtime, thrown by the seat belts (permissionGuards.ts) or by Node's permission
 * model (ERR_ACCESS_DENIED), read as protocol/permissions.ts permissionDenied() once serialized.
 */
import { resolve } from 'node:path';
import { asDenial, CAPABILITIES, PERMISSION_DENIED, permissionDenied, type Capability, type SerializedError } from '../../protocol';

/** Node's permission scopes (error.permission) and the capability each is part of. */
const NODE_SCOPES: Record<string, Capability> = {
  FileSystemRead: 'read',
  FileSystemWrite: 'write',
  ChildProcess: 'run',
  WorkerThreads: 'run',
};

/** Frames kept in a seat belt's error. */
export const DENIAL_STACK_FRAMES = 50;

/** The target named when Node reports a worker-thread denial (it names no resource). */
export const WORKER_THREADS_TARGET = 'node:worker_threads';
/** The target named when Node reports a child-process denial without the program (Node 20). */
export const CHILD_PROCESS_TARGET = 'child processes';

/** An Error a seat belt throws (or emits) for a denied access. */
export function permissionError(capability: Capability, target: string): Error {
  const data = permissionDenied(capability, target);
  // the guard is deep inside Node's clients (http.get → agent → net.connect): keep the frames up to the cell
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = DENIAL_STACK_FRAMES;
  const err = new Error(data.message);
  Error.stackTraceLimit = limit;
  err.name = PERMISSION_DENIED;
  Object.assign(err, { code: 'ERR_ACCESS_DENIED', capability, target });
  return err;
}

/** The capability and target of a denial (ours or Node's), or undefined for any other thrown value. */
export function deniedAccess(thrown: unknown): { capability: Capability; target: string } | undefined {
  if (thrown === null || typeof thrown !== 'object') return undefined;
  const e = thrown as { name?: unknown; code?: unknown; permission?: unknown; resource?: unknown; capability?: unknown; target?: unknown };
  if (e.name === PERMISSION_DENIED && (CAPABILITIES as readonly unknown[]).includes(e.capability) && typeof e.target === 'string') {
    return { capability: e.capability as Capability, target: e.target };
  }
  if (e.code !== 'ERR_ACCESS_DENIED' || typeof e.permission !== 'string') return undefined;
  const capability = NODE_SCOPES[e.permission];
  if (!capability) return undefined;
  const resource = typeof e.resource === 'string' ? e.resource : '';
  if (e.permission === 'WorkerThreads') return { capability, target: WORKER_THREADS_TARGET };
  if (capability === 'run') return { capability, target: resource || CHILD_PROCESS_TARGET };
  // Node names the path as the call did: relative ones resolve against the cell's working folder
  const target = resource ? resolve(process.cwd(), resource) : resource;
  return { capability, target };
}

/**
 * The PermissionDenied form of a serialized error when `thrown` is a denial; `serialized` keeps its frames,
 * location and stack frames (the header line names the denial).
 */
export function asPermissionDenied(thrown: unknown, serialized: SerializedError): SerializedError {
  const denied = deniedAccess(thrown);
  if (!denied) return serialized;
  return asDenial(serialized, denied.capability, denied.target);
}
