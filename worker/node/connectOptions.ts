/**
 * What net.Socket.prototype.connect was asked for, read once into plain data: the check and Node then see the
 * same values (a getter cannot answer a granted host to the check and another host to Node; a `host` object
 * cannot stringify differently twice; a `port` string is the number Node would use).
 */

/** Keys Node's net reads from connect options, read through getters and the prototype chain (for-in skips non-enumerable ones). */
const NET_KEYS = [
  'host',
  'port',
  'path',
  'family',
  'hints',
  'localAddress',
  'localPort',
  'lookup',
  'autoSelectFamily',
  'autoSelectFamilyAttemptTimeout',
  'blockList',
];
/** The highest TCP port. */
const MAX_PORT = 0xffff;

export interface ConnectRequest {
  /** A plain copy of the options, with `port` a number when one was given. */
  options: Record<string, unknown>;
  callback: ((...args: unknown[]) => unknown) | undefined;
}

/** Normalizes connect arguments as net's normalizeArgs does: (options[, cb]) | (path[, cb]) | (port[, host][, cb]) | [options, cb]. */
export function connectRequest(args: unknown[]): ConnectRequest {
  if (Array.isArray(args[0])) {
    const [options, cb] = args[0] as unknown[];
    return { options: snapshot(options), callback: typeof cb === 'function' ? (cb as ConnectRequest['callback']) : undefined };
  }
  const last = args[args.length - 1];
  const callback = typeof last === 'function' ? (last as ConnectRequest['callback']) : undefined;
  const first = args[0];
  if (first !== null && typeof first === 'object') return { options: snapshot(first), callback };
  if (typeof first === 'string' && !isNumeric(first)) return { options: { path: first }, callback };
  const options: Record<string, unknown> = { port: first };
  if (typeof args[1] === 'string') options.host = args[1];
  return { options: portAsNumber(options), callback };
}

function snapshot(value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  if (value === null || typeof value !== 'object') return copy;
  const source = value as Record<string, unknown>;
  for (const key in source) copy[key] = source[key];
  for (const key of NET_KEYS) {
    if (key in copy) continue;
    const v = source[key];
    if (v !== undefined) copy[key] = v;
  }
  return portAsNumber(copy);
}

/** Node accepts a port as a number or a numeric string (`"0x50"` is 80); anything else it refuses, so do we. */
function portAsNumber(options: Record<string, unknown>): Record<string, unknown> {
  const port = options.port;
  if (port === undefined || port === null) return options;
  if ((typeof port === 'string' && port.trim() !== '') || typeof port === 'number') {
    const n = +port;
    if (Number.isInteger(n) && n >= 0 && n <= MAX_PORT) return { ...options, port: n };
  }
  throw Object.assign(new RangeError(`options.port should be >= 0 and < 65536. Received ${typeof port === 'string' ? JSON.stringify(port) : typeof port}.`), {
    code: 'ERR_SOCKET_BAD_PORT',
  });
}

/** net's isPipeName: a string is a port when Number() reads it as >= 0 (`"80"`, `" 80"`, `""`), else a path. */
function isNumeric(s: string): boolean {
  return Number(s) >= 0;
}

/** The host Node connects to: `options.host`, or localhost (Node ignores `hostname`). Throws for anything but a string. */
export function connectHost(options: Record<string, unknown>): string {
  const host = options.host;
  if (!host) return 'localhost';
  if (typeof host !== 'string') {
    throw Object.assign(new TypeError(`The "options.host" property must be of type string. Received ${typeof host}`), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  return host;
}
