/**
 * Connection agents for the registry, when the npm config names no proxy: one TLS context, parsed once, and one host
 * lookup shared by every connection (sharedLookup.ts), both kept for the life of the installer. npm's fetch layer
 * (@npmcli/agent) builds a TLS context from the config's certificate authorities (`ca`, or a `cafile` such as a system
 * bundle of ~140 certificates) for every connection and puts them into every request's pool key, ~35 ms and a 200 kB
 * string each time, measured as a tenth of an install's own time; and it looks a host up for every connection it
 * opens until one answer is cached, a burst some resolvers answer after a 5 s timeout. The checks are the same: the
 * configured certificates and no others (Node's own, with NODE_EXTRA_CA_CERTS, when none are configured),
 * `strict-ssl`, the client `cert` and `key`. With a proxy in the config, npm's own agents choose per URL, as before
 * (`noproxy`).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createSecureContext } from 'node:tls';
import { installerLookup } from './sharedLookup';

/** Connections per host (npm-registry-fetch's default). */
export const SOCKETS_PER_HOST = 12;

type AgentFor = (url: URL) => HttpAgent;
const agents = new Map<string, AgentFor>();

/** `opts` with an `agent` that serves every registry URL from the shared agents, when that applies. */
export function withRegistryAgents(opts: Record<string, unknown>): Record<string, unknown> {
  if (opts.proxy || opts.httpsProxy || opts.agent) return opts;
  const key = JSON.stringify([opts.ca, opts.cert, opts.key, opts.strictSSL, opts.localAddress]);
  let agentFor = agents.get(key);
  if (!agentFor) {
    const common = {
      keepAlive: true,
      maxSockets: SOCKETS_PER_HOST,
      lookup: installerLookup,
      ...(opts.localAddress ? { localAddress: String(opts.localAddress) } : {}),
    };
    const secureContext = createSecureContext({
      ...(opts.ca ? { ca: opts.ca as string[] } : {}),
      ...(opts.cert ? { cert: opts.cert as string } : {}),
      ...(opts.key ? { key: opts.key as string } : {}),
    });
    const https = new HttpsAgent({ ...common, secureContext, rejectUnauthorized: opts.strictSSL !== false });
    const http = new HttpAgent(common);
    agentFor = (url: URL) => (url.protocol === 'https:' ? https : http);
    agents.set(key, agentFor);
  }
  // the certificates live in the agents' context only: with them in the options, every request would carry them again
  return { ...opts, agent: agentFor, ca: undefined, cert: undefined, key: undefined };
}
