/**
 * The network seat belt decides on the address a socket really connects to, not on the name a caller gave.
 * A `net` grant names hosts; an address is allowed when it is a granted IP literal (compared in one canonical
 * form, so `::ffff:127.0.0.1`, `[::1]` or `fe80::1%eth0` cannot pose as something else), or when the system
 * resolver (the real dns.lookup, never a caller's function) answered it for a granted name. The book remembers
 * those answers: address → names that resolved to it.
 */
import { isIP, isIPv4 } from 'node:net';
import { ANY, allowsHost, type Permissions } from '../../protocol';

/** Addresses remembered at most; the oldest are forgotten first (a forgotten address is denied until looked up again). */
export const MAX_BOOK_ADDRESSES = 4096;
/** Names remembered per address at most. */
export const MAX_NAMES_PER_ADDRESS = 64;
/** The canonical form of `0.0.0.0` and `::`: any address of this machine, for connect and listen alike. */
export const ANY_ADDRESS_CANONICAL = '0.0.0.0';

export class AddressBook {
  private readonly names = new Map<string, Set<string>>();

  /** Remembers that the system resolver answered `address` for `name`. */
  record(name: string, address: string): void {
    const canon = canonicalIp(address);
    if (canon === undefined) return;
    let set = this.names.get(canon);
    if (!set) {
      if (this.names.size >= MAX_BOOK_ADDRESSES) this.names.delete(this.names.keys().next().value!);
      set = new Set();
      this.names.set(canon, set);
    }
    if (set.size < MAX_NAMES_PER_ADDRESS) set.add(name.toLowerCase());
  }

  namesOf(address: string): readonly string[] {
    const canon = canonicalIp(address);
    return canon === undefined ? [] : [...(this.names.get(canon) ?? [])];
  }
}

/**
 * One text per IP address, or undefined when `input` is not an IP literal as net.isIP reads it: IPv4 as dotted
 * decimal; IPv6 as eight lowercase hex groups, with its zone id dropped; a v4-mapped IPv6 address as its IPv4
 * address; `::` as `0.0.0.0`. Forms only getaddrinfo reads (`2130706433`, `0x7f.1`, `127.1`) are names here:
 * they reach an address only through a lookup, which the book records.
 */
export function canonicalIp(input: string): string | undefined {
  const bare = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) return undefined;
  const groups = ipv6Groups(bare.replace(/%.*$/, ''));
  if (!groups) return undefined;
  if (groups.every((g) => g === 0)) return ANY_ADDRESS_CANONICAL;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return groups.map((g) => g.toString(16)).join(':');
}

function ipv6Groups(text: string): number[] | undefined {
  let head = text;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    if (!isIPv4(v4[1]!)) return undefined;
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    head = text.slice(0, -v4[1]!.length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const [left, right] = head.includes('::') ? (head.split('::') as [string, string]) : [head, undefined];
  const l = parse(left);
  const r = right === undefined ? [] : parse(right);
  const missing = 8 - tail.length - l.length - r.length;
  if (missing < 0 || (right === undefined && missing !== 0)) return undefined;
  const groups = [...l, ...new Array<number>(missing).fill(0), ...r, ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** A `net` rule split into host and optional port: `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 literal. */
export function parseRule(rule: string): { host: string; port?: string } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rule);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] };
  if (isIP(rule) === 6) return { host: rule };
  const m = /^(.*?)(?::(\d+))?$/.exec(rule)!;
  return { host: m[1]!, port: m[2] };
}

/**
 * Whether `permissions` let a socket reach `address`:`port` — a granted IP literal, or an address the system
 * resolver gave for a granted name (`book`). `port` undefined matches only rules without a port.
 */
export function allowsAddress(permissions: Permissions, book: AddressBook | undefined, address: string, port?: number | string): boolean {
  const canon = canonicalIp(address);
  if (canon === undefined) return false;
  const portText = port === undefined ? undefined : String(port);
  for (const rule of permissions.net ?? []) {
    if (rule === ANY) return true;
    const parsed = parseRule(rule);
    if (canonicalIp(parsed.host) !== canon) continue;
    if (parsed.port === undefined || parsed.port === portText) return true;
  }
  return (book?.namesOf(canon) ?? []).some((name) => allowsHost(permissions, name, port));
}
