/**
 * The host name lookup of every registry connection the installer opens: one system lookup per host, family and hints
 * at a time, its answer shared by every connection that asks meanwhile and kept for LOOKUP_TTL_MS (as npm's agents keep
 * theirs). An install opens a dozen connections to the registry in the same millisecond; npm's agents cache an answer
 * only once one has come, so each asked the system resolver, and a resolver that drops such a burst (glibc's, behind
 * a few container and VM resolvers) answers some of them only after its 5 s timeout: installs stalled for 5 s at
 * random. A failed lookup is not kept.
 */
import { lookup as systemLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';

/** How long an answer is kept (npm's agents keep theirs 5 minutes). */
export const LOOKUP_TTL_MS = 5 * 60 * 1000;

type Resolve = (hostname: string, options: LookupAllOptions) => Promise<LookupAddress[]>;

const resolveSystem: Resolve = (hostname, options) =>
  new Promise((resolve, reject) => systemLookup(hostname, options, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/** A lookup in the shape `net.connect` takes (`all` or not), sharing answers as above; `resolve`: the system's. */
export function sharedLookup(resolve: Resolve = resolveSystem, now: () => number = Date.now): LookupFunction {
  const answers = new Map<string, { addresses: Promise<LookupAddress[]>; until: number }>();
  return (hostname, opts, done) => {
    const { family = 0, hints = 0 } = opts;
    const key = `${hostname}\u0000${family}\u0000${hints}`;
    let answer = answers.get(key);
    if (!answer || answer.until <= now()) {
      const addresses = resolve(hostname, { family, hints, all: true });
      const fresh = { addresses, until: now() + LOOKUP_TTL_MS };
      answers.set(key, fresh);
      addresses.catch(() => answers.get(key) === fresh && answers.delete(key));
      answer = fresh;
    }
    answer.addresses.then(
      (addresses) => {
        if (opts.all) return done(null, addresses);
        const first = addresses[0];
        if (!first) return done(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '');
        done(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => done(err, ''),
    );
  };
}

/** The installer's own: one for the life of the process. */
export const installerLookup = sharedLookup();
