/**
 * The only DNS lookup a guarded socket uses: the system resolver captured before any cell ran (dns.lookup as Node
 * shipped it), whose answers are written into the address book. A caller's `lookup` option (net, http, https, tls,
 * an undici dispatcher's `connect.lookup`, an Agent's options) is never called: it could answer any address for a
 * granted name.
 */
import type dns from 'node:dns';
import { getBuiltin } from '../runtime/getBuiltin';
import type { AddressBook } from './addressBook';

const ArrayIsArray = Array.isArray;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;
export type Lookup = (hostname: string, options: unknown, callback?: LookupCallback) => void;

/** A dns.lookup look-alike (same arguments, same answers) that records every answer in `book`. */
export function checkedLookup(book: AddressBook, realLookup: Lookup = (getBuiltin('node:dns') as typeof dns).lookup as unknown as Lookup): Lookup {
  const lookup = function lookup(hostname: string, options: unknown, callback?: LookupCallback): void {
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
    const opts = typeof options === 'function' || options === undefined ? {} : options;
    realLookup(hostname, opts, (err, address, family) => {
      // the answer is Node's own array: read by index (an iterator a cell replaced could add addresses)
      if (!err && typeof hostname === 'string') {
        if (ArrayIsArray(address)) for (let i = 0; i < address.length; i++) book.record(hostname, address[i]!.address);
        else if (typeof address === 'string') book.record(hostname, address);
      }
      cb(err, address, family);
    });
  };
  // util.promisify(dns.lookup) resolves to { address, family } through a symbol Node keeps on the function:
  // keep that (and any other) when this replaces dns.lookup
  for (const key of Object.getOwnPropertySymbols(realLookup)) Object.defineProperty(lookup, key, Object.getOwnPropertyDescriptor(realLookup, key)!);
  return lookup;
}
