import { CODA_ERRORS } from '../protocol';

/**
 * Checks loaded (`--require`) before a confined install script's own code, for what Node's permission model leaves
 * open. The network one, when the notebook does not grant `net: ["*"]`: every way Node opens a socket or asks DNS
 * goes through the functions it replaces, so the script has no network (fetch, http, https, net, tls, http2, dgram,
 * dns). Under the permission model the script cannot load a
 * native addon, reach process.binding or start another process to get around it. A seat belt inside the script's
 * Node, like the kernel's: programs it could start (only with `run: ["*"]`) are not covered.
 * The source is written beside the store's staging folder, outside what the script may write.
 */
export const NET_GUARD_FILE = 'net-guard.cjs';
/** Loaded before every confined script: Node's permission model lets a process signal any other process of the user. */
export const PROCESS_GUARD_FILE = 'process-guard.cjs';

const DENIAL = CODA_ERRORS.InstallScriptPermissionDenied;

// the script's own Node cannot load the catalogue: its entry is written into the guard as JSON
const PRELUDE = String.raw`'use strict';
const deny = (what) => {
  const e = new Error(${JSON.stringify(DENIAL.message)}.replace('{what}', () => what));
  e.code = 'ERR_ACCESS_DENIED';
  e.name = ${JSON.stringify(DENIAL.name)};
  throw e;
};
const lock = (obj, key, what) => {
  if (!obj || !(key in obj)) return;
  Object.defineProperty(obj, key, { value: function denied() { deny(what + ' (' + key + ')'); }, writable: false, configurable: false, enumerable: false });
};
`;

/**
 * No signals to other processes: SIGUSR1 (or process._debugProcess) would make the installer, or a kernel, open an
 * inspector port that runs code with its rights.
 */
export const PROCESS_GUARD_SOURCE = `${PRELUDE}
for (const k of ['kill', '_kill', '_debugProcess', '_debugEnd']) lock(process, k, 'signalling a process');
`;

export const NET_GUARD_SOURCE = `${PRELUDE}
const net = require('node:net');
const dgram = require('node:dgram');
const dns = require('node:dns');
lock(net.Socket.prototype, 'connect', 'network access (only "net": ["*"] gives it to install scripts)');
lock(net.Server.prototype, 'listen', 'listening on a socket');
for (const k of ['send', 'bind', 'connect']) lock(dgram.Socket.prototype, k, 'network access');
const DNS = ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname', 'resolveMx', 'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTxt', 'reverse'];
for (const k of DNS) {
  lock(dns, k, 'a DNS query');
  lock(dns.promises, k, 'a DNS query');
  lock(dns.Resolver && dns.Resolver.prototype, k, 'a DNS query');
  lock(dns.promises.Resolver && dns.promises.Resolver.prototype, k, 'a DNS query');
}
`;
