/**
 * The network seat belt decides on the address a socket really connects to, not on the name a caller gave.
 * A `net` grant names hosts; an address is allowed when it is a granted IP literal (compared in one canonical
 * form, so `::ffff:127.0.0.1`, `[::1]` or `fe80::1%eth0` cannot pose as something else), or when the system
 * resolver (the real dns.lookup, never a caller's function) answered it for a granted name. The book remembers
 * those answers: address → names that resolved to it.
 *
 * What runs while a cell may have replaced built-ins (canonicalIp, allowsAddress, the book) uses only the copies
 * in primordials.ts, records and lists without prototypes, and index loops: nothing a cell can answer for.
 */
import { ANY, parseHostRule, type Permissions } from '../../protocol';
import {
  emptyArray,
  emptyRecord,
  freeze,
  isIP,
  StringPrototypeCharCodeAt,
  StringPrototypeEndsWith,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  StringPrototypeToLowerCase,
} from './primordials';

/** Addresses remembered at most; past it the book starts again (a forgotten address is denied until looked up again). */
export const MAX_BOOK_ADDRESSES = 4096;
/** Names remembered per address at most. */
export const MAX_NAMES_PER_ADDRESS = 64;
/** The canonical form of `0.0.0.0` and `::`: any address of this machine, for connect and listen alike. */
export const ANY_ADDRESS_CANONICAL = '0.0.0.0';

const HEX_DIGITS = '0123456789abcdef';
const IPV6_GROUPS = 8;

/** A `net` grant compiled once, before any cell runs. */
export interface NetRules {
  /** IP literal rules: canonical address, and the port as text when the rule has one. */
  readonly ips: readonly { readonly canon: string; readonly port: string | undefined }[];
  /** Name rules, lowercased: `example.com` (exact) or `*.example.com` (kept as the suffix `.example.com`). */
  readonly names: readonly { readonly host: string; readonly suffix: boolean; readonly port: string | undefined }[];
  /** Unix socket paths, as written. */
  readonly paths: Readonly<Record<string, true>>;
}

export function compileRules(permissions: Permissions): NetRules {
  const ips = emptyArray<NetRules['ips'][number]>();
  const names = emptyArray<NetRules['names'][number]>();
  const paths = emptyRecord<true>();
  for (const rule of permissions.net ?? []) {
    if (rule === ANY) continue; // `*` installs no seat belt at all
    paths[rule] = true;
    const { host, port } = parseRule(rule.toLowerCase());
    const canon = canonicalIp(host);
    if (canon !== undefined) ips[ips.length] = freeze({ canon, port });
    else if (host.startsWith('*.')) names[names.length] = freeze({ host: host.slice(1), suffix: true, port });
    else names[names.length] = freeze({ host, suffix: false, port });
  }
  return freeze({ ips: freeze(ips), names: freeze(names), paths: freeze(paths) });
}

/** A `net` rule split into host and optional port: `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 literal. */
export function parseRule(rule: string): { host: string; port?: string } {
  // read once, from the grant, before any cell runs: the protocol's own reading of a rule
  return parseHostRule(rule);
}

export class AddressBook {
  private names = emptyRecord<Record<string, true>>();
  private sizes = emptyRecord<number>();
  private addresses = 0;

  /** Remembers that the system resolver answered `address` for `name`. */
  record(name: string, address: string): void {
    const canon = canonicalIp(address);
    if (canon === undefined) return;
    let set = this.names[canon];
    if (set === undefined) {
      if (this.addresses >= MAX_BOOK_ADDRESSES) {
        this.names = emptyRecord();
        this.sizes = emptyRecord();
        this.addresses = 0;
      }
      set = emptyRecord<true>();
      this.names[canon] = set;
      this.sizes[canon] = 0;
      this.addresses++;
    }
    const key = StringPrototypeToLowerCase(name);
    if (set[key] === true || this.sizes[canon]! >= MAX_NAMES_PER_ADDRESS) return;
    set[key] = true;
    this.sizes[canon]!++;
  }

  /** The names the resolver gave `canon` (a canonicalIp), as a record without prototype, or undefined. */
  namesOf(canon: string): Readonly<Record<string, true>> | undefined {
    return this.names[canon];
  }
}

/**
 * Whether `rules` let a socket reach `address`:`port` — a granted IP literal, or an address the system resolver
 * gave for a granted name (`book`; undefined: IP literals only). `port` undefined matches only rules without one.
 */
export function allowsAddress(rules: NetRules, book: AddressBook | undefined, address: string, port?: number): boolean {
  const canon = canonicalIp(address);
  if (canon === undefined) return false;
  const portText = port === undefined ? undefined : `${port}`;
  const ips = rules.ips;
  for (let i = 0; i < ips.length; i++) {
    const rule = ips[i]!;
    if (rule.canon === canon && (rule.port === undefined || rule.port === portText)) return true;
  }
  const names = book?.namesOf(canon);
  if (names === undefined) return false;
  for (const name in names) if (allowsName(rules, name, portText)) return true;
  return false;
}

/** A lowercased host name against the name rules (as protocol's allowsHost reads them). */
function allowsName(rules: NetRules, name: string, portText: string | undefined): boolean {
  const list = rules.names;
  for (let i = 0; i < list.length; i++) {
    const rule = list[i]!;
    if (rule.port !== undefined && rule.port !== portText) continue;
    if (rule.suffix ? StringPrototypeEndsWith(name, rule.host) : name === rule.host) return true;
  }
  return false;
}

/**
 * One text per IP address, or undefined when `input` is not an IP literal as net.isIP reads it: IPv4 as dotted
 * decimal; IPv6 as eight lowercase hex groups, with its zone id dropped; a v4-mapped IPv6 address as its IPv4
 * address; `::` as `0.0.0.0`. Forms only getaddrinfo reads (`2130706433`, `0x7f.1`, `127.1`) are names here:
 * they reach an address only through a lookup, which the book records.
 */
export function canonicalIp(input: string): string | undefined {
  if (typeof input !== 'string') return undefined;
  let bare = input;
  if (input.length >= 2 && StringPrototypeCharCodeAt(input, 0) === 0x5b /* [ */ && StringPrototypeCharCodeAt(input, input.length - 1) === 0x5d /* ] */) {
    bare = StringPrototypeSlice(input, 1, input.length - 1);
  }
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) return undefined;
  const zone = StringPrototypeIndexOf(bare, '%');
  const groups = ipv6Groups(zone === -1 ? bare : StringPrototypeSlice(bare, 0, zone));
  if (groups === undefined) return undefined;
  let zero = true;
  for (let i = 0; i < IPV6_GROUPS; i++) if (groups[i] !== 0) zero = false;
  if (zero) return ANY_ADDRESS_CANONICAL;
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  }
  let out = '';
  for (let i = 0; i < IPV6_GROUPS; i++) out += (i ? ':' : '') + hex(groups[i]!);
  return out;
}

function hex(n: number): string {
  if (n === 0) return '0';
  let out = '';
  for (let v = n; v > 0; v = v >> 4) out = HEX_DIGITS[v & 0xf]! + out;
  return out;
}

/** The eight groups of an IPv6 address net.isIP accepted (no zone id), or undefined. */
function ipv6Groups(text: string): number[] | undefined {
  const head = emptyArray<number>();
  const tail = emptyArray<number>();
  let target = head;
  let i = 0;
  const n = text.length;
  if (n >= 2 && text[0] === ':' && text[1] === ':') {
    target = tail;
    i = 2;
  }
  while (i < n) {
    let j = i;
    while (j < n && text[j] !== ':') j++;
    const part = StringPrototypeSlice(text, i, j);
    if (StringPrototypeIndexOf(part, '.') !== -1) {
      const v4 = ipv4Number(part);
      if (v4 === undefined) return undefined;
      target[target.length] = v4 >>> 16;
      target[target.length] = v4 & 0xffff;
    } else {
      const g = hexNumber(part);
      if (g === undefined) return undefined;
      target[target.length] = g;
    }
    if (j >= n) break;
    if (j + 1 < n && text[j + 1] === ':') {
      if (target === tail) return undefined; // a second `::`
      target = tail;
      i = j + 2;
    } else i = j + 1;
  }
  const missing = IPV6_GROUPS - head.length - tail.length;
  if (missing < 0 || (target === head && missing !== 0)) return undefined;
  const groups = emptyArray<number>();
  for (let k = 0; k < head.length; k++) groups[groups.length] = head[k]!;
  for (let k = 0; k < missing; k++) groups[groups.length] = 0;
  for (let k = 0; k < tail.length; k++) groups[groups.length] = tail[k]!;
  return groups;
}

function hexNumber(part: string): number | undefined {
  if (part.length === 0 || part.length > 4) return undefined;
  let v = 0;
  for (let k = 0; k < part.length; k++) {
    const c = StringPrototypeCharCodeAt(part, k);
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) return undefined;
    v = v * 16 + d;
  }
  return v;
}

function ipv4Number(part: string): number | undefined {
  let value = 0;
  let octets = 0;
  let octet = -1;
  for (let k = 0; k <= part.length; k++) {
    const c = k < part.length ? StringPrototypeCharCodeAt(part, k) : 0x2e; /* . */
    if (c === 0x2e) {
      if (octet < 0 || octet > 255) return undefined;
      value = value * 256 + octet;
      octets++;
      octet = -1;
    } else if (c >= 0x30 && c <= 0x39) octet = (octet < 0 ? 0 : octet * 10) + (c - 0x30);
    else return undefined;
  }
  return octets === 4 ? value : undefined;
}
