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
import { Minipass } from 'minipass';
import { Response } from 'minipass-fetch';
import checkResponse from 'npm-registry-fetch/lib/check-response.js';
import { getAuth, npmOptions, npmRequestHeaders, RegistryHttp2, type RegistryResponse } from './registryHttp2';
import { installerLookup } from './sharedLookup';

/** Connections per host (npm-registry-fetch's default). */
export const SOCKETS_PER_HOST = 12;

type AgentFor = (url: URL) => HttpAgent;
const agents = new Map<string, AgentFor>();
/** The HTTP/2 connections that go with each set of agents (same TLS context and lookup). */
const http2Of = new WeakMap<AgentFor, RegistryHttp2>();

/** The HTTP/2 client for these options: only when the installer's own agents serve them (no proxy). */
export function registryHttp2(opts: Record<string, unknown>): RegistryHttp2 | undefined {
  return typeof opts.agent === 'function' ? http2Of.get(opts.agent as AgentFor) : undefined;
}

/**
 * GETs `url` over HTTP/2 with the headers npm's fetch layer would send for these options (`opts.spec` names the
 * package, for a scope's registry and auth): the whole 200 response, or undefined when the options allow no HTTP/2
 * (a proxy, offline, a registry client certificate) or the response is anything else (registryHttp2.ts). A 404
 * rejects with the error npm's fetch layer makes of it (its own check of the response, which neither retries nor
 * follows one); nothing else rejects.
 */
export async function getOverHttp2(
  url: string,
  opts: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<(RegistryResponse & { status: 200 }) | undefined> {
  const client = registryHttp2(opts);
  if (!client || opts.offline) return undefined;
  const o = npmOptions(opts);
  let request: Record<string, string> | undefined;
  try {
    request = npmRequestHeaders(url, o, headers);
  } catch {
    // npm's layer reports what is wrong with the config (an unreadable certfile)
    return undefined;
  }
  if (!request) return undefined;
  const startTime = Date.now();
  // (a fetch-timeout of 0: the client's default, npm-registry-fetch's)
  const res = await client.get(url, request, typeof o.timeout === 'number' && o.timeout > 0 ? o.timeout : undefined);
  if (res?.status !== 404) return res as (RegistryResponse & { status: 200 }) | undefined;
  const body = new Minipass<Buffer>();
  body.end(res.body);
  await checkResponse({
    method: 'GET',
    uri: url,
    res: new Response(body, { url: res.url, status: 404, headers: res.headers }),
    startTime,
    auth: getAuth(url, o),
    opts: o,
  });
  // (checkResponse throws for every status of 400 and above)
  return undefined;
}

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
    const rejectUnauthorized = opts.strictSSL !== false;
    const https = new HttpsAgent({ ...common, secureContext, rejectUnauthorized });
    const http = new HttpAgent(common);
    agentFor = (url: URL) => (url.protocol === 'https:' ? https : http);
    agents.set(key, agentFor);
    http2Of.set(
      agentFor,
      new RegistryHttp2({ secureContext, rejectUnauthorized, lookup: installerLookup, ...(common.localAddress ? { localAddress: common.localAddress } : {}) }),
    );
  }
  // the certificates live in the agents' context only: with them in the options, every request would carry them again
  return { ...opts, agent: agentFor, ca: undefined, cert: undefined, key: undefined };
}
