/**
 * The entries of a whole tar archive held in memory, read where they lie: each header checked (its checksum), each
 * file's bytes a view into the archive, never copied. It reads what `npm pack` and the usual tools write (ustar and
 * GNU headers, a pax header's `path` and `size`, a GNU long name) as node-tar's parser reads them (pacote's
 * extraction), and nothing else: anything it does not read the same way is `unusual` (unpackTarball.ts leaves such a
 * tarball to pacote), and an archive cut short is `broken`. node-tar's parser, a stream of streams, cost a third of a
 * cold install's file-thread time on thousands of small files.
 */

/** What one entry is, as node-tar names its type. */
export type TarEntryType = 'File' | 'ContiguousFile' | 'Directory' | 'SymbolicLink' | 'Link' | 'Other';

/** An entry whose body is a file's bytes (pacote's extraction writes these, and skips the rest). */
export function isFile(type: TarEntryType): boolean {
  return type === 'File' || type === 'ContiguousFile';
}

export interface TarEntry {
  path: string;
  type: TarEntryType;
  mode: number;
  /** Its body, a view into the archive (a file's bytes; whatever another entry carries, as node-tar passes it on). */
  data: Buffer;
}

export interface ReadTar {
  /** The entries read, in order: all of them, or those before the `unusual` thing where reading stopped. */
  entries: TarEntry[];
  /** The first thing not read as node-tar reads it (pacote extracts such a tarball instead). */
  unusual?: string;
}

/** An archive cut short: not a whole tarball. */
export class BrokenTar extends Error {}

/** Something read differently from node-tar: reading stops there (unusual). */
class Unusual extends Error {}

const BLOCK = 512;
/** node-tar ignores an extended header larger than this (its maxMetaEntrySize). */
const MAX_META = 1024 * 1024;
/** Type flags node-tar reads as entries (their names as node-tar gives them; a NUL flag is a File to it). */
const TYPES: Record<string, TarEntryType> = {
  '0': 'File',
  '': 'File',
  '7': 'ContiguousFile',
  '5': 'Directory',
  '2': 'SymbolicLink',
  '1': 'Link',
  '3': 'Other',
  '4': 'Other',
  '6': 'Other',
};

/** The entries of `archive` (an uncompressed tar), in order. Throws BrokenTar. */
export function readTar(archive: Buffer): ReadTar {
  const entries: TarEntry[] = [];
  try {
    readEntries(archive, entries);
    return { entries };
  } catch (err) {
    if (err instanceof Unusual) return { entries, unusual: err.message };
    throw err;
  }
}

function readEntries(archive: Buffer, entries: TarEntry[]): void {
  // what a pax header or a GNU long name says of the next entry
  let nextPath: string | undefined;
  let nextSize: number | undefined;
  let pending = false;
  let zeros = 0;
  let headers = 0;
  let off = 0;
  while (off + BLOCK <= archive.length) {
    const at = off;
    const header = archive.subarray(at, at + BLOCK);
    off += BLOCK;
    const sum = checksum(header);
    const cksum = number(header, 148, 12);
    if (cksum === undefined && sum === 8 * 0x20) {
      // two zero blocks end the archive; one alone is passed over, as node-tar does
      if (++zeros === 2) break;
      continue;
    }
    zeros = 0;
    headers++;
    if (cksum !== sum) throw new Unusual(`a header at byte ${at} fails its checksum`);
    if (base256(header)) throw new Unusual(`a header at byte ${at} holds a base-256 number`);
    const flag = field(header, 156, 1);
    const meta = flag === 'x' || flag === 'g' || flag === 'L';
    let size = !meta && nextSize !== undefined ? nextSize : number(header, 124, 12);
    if (size === undefined || size < 0) throw new Unusual(`the entry at byte ${at} has a size this reader does not read`);
    const path = meta ? headerPath(header, undefined) : headerPath(header, nextPath);
    // old archives mark a folder as a file whose name ends in a slash (the name before any prefix, as node-tar looks);
    // a folder has no body, whatever its size says
    const bare = meta ? '' : (nextPath ?? field(header, 0, 100));
    const type = (flag === '0' || flag === '') && bare.endsWith('/') ? 'Directory' : TYPES[flag];
    if (type === 'Directory') size = 0;
    const blocks = Math.ceil(size / BLOCK) * BLOCK;
    if (off + blocks > archive.length) throw new BrokenTar('the archive ends inside an entry');
    const body = archive.subarray(off, off + size);
    off += blocks;
    const linkName = field(header, 157, 100);
    // node-tar's own checks of a header (it warns, and skips it)
    if (!path) throw new Unusual(`the entry at byte ${at} has no path`);
    if (meta) {
      // what a header says of the next entry is for an entry, not for another such header
      if (pending) throw new Unusual('two extended headers in a row');
      if (linkName && flag === 'L') throw new Unusual('a long name header with a link name');
      if (size > MAX_META) throw new Unusual('an extended header larger than node-tar reads');
      // (node-tar reads an empty one as nothing)
      if (size === 0) continue;
      if (flag === 'g') {
        if (Object.keys(paxRecords(body)).some((k) => k === 'size' || k === 'mode' || k === 'type'))
          throw new Unusual('a global pax header sets sizes, modes or types');
        continue;
      }
      pending = true;
      if (flag === 'L') {
        const text = body.toString('utf8');
        if (text.includes('\n')) throw new Unusual('a long name with a line break');
        nextPath = text.replace(/\0.*/, '');
      } else ({ path: nextPath, size: nextSize } = paxHeader(body));
      continue;
    }
    if (!type) throw new Unusual(`an entry of type ${JSON.stringify(flag)}`);
    const mode = number(header, 100, 8);
    nextPath = nextSize = undefined;
    pending = false;
    if (mode === undefined) throw new Unusual(`the entry at byte ${at} has a mode this reader does not read`);
    const link = type === 'Link' || type === 'SymbolicLink';
    if (link !== !!linkName) throw new Unusual(`the entry at byte ${at} ${link ? 'links to nothing' : 'is not a link but names one'}`);
    if (isFile(type) && path.endsWith('/')) throw new Unusual(`a file named as a folder (${path})`);
    // node-tar's entry keeps the permission bits only
    entries.push({ path, type, mode: mode & 0o7777, data: body });
  }
  if (!headers) throw new BrokenTar('not a tar archive (no entry)');
  if (pending) throw new Unusual('an extended header for no entry');
}

/** The header's checksum: its bytes summed with the checksum field read as spaces. */
function checksum(header: Buffer): number {
  let sum = 8 * 0x20;
  for (let i = 0; i < 148; i++) sum += header[i]!;
  for (let i = 156; i < BLOCK; i++) sum += header[i]!;
  return sum;
}

/** Any of the numbers node-tar reads from a header written in base 256 (which it may refuse: not read here). */
function base256(header: Buffer): boolean {
  const fields = [100, 108, 116, 124, 136, 148];
  if (isPosix(header)) fields.push(329, 337, ...(header[475] === 0 ? [476, 488] : []));
  return fields.some((at) => header[at]! & 0x80);
}

/** A POSIX ustar header (GNU headers keep other fields where it keeps the prefix and device numbers). */
function isPosix(header: Buffer): boolean {
  return header.toString('latin1', 257, 265) === 'ustar\u000000';
}

/** A text field as node-tar decodes it (UTF-8; a NUL and the rest of its line dropped). */
function field(header: Buffer, at: number, length: number): string {
  return header
    .subarray(at, at + length)
    .toString('utf8')
    .replace(/\0.*/, '');
}

/** An octal field as node-tar reads it; undefined for what it cannot read, and for base-256 (not read here). */
function number(header: Buffer, at: number, length: number): number | undefined {
  if (header[at]! & 0x80) return undefined;
  const n = parseInt(
    header
      .subarray(at, at + length)
      .toString('utf8')
      .replace(/\0.*$/, '')
      .trim(),
    8,
  );
  return Number.isNaN(n) ? undefined : n;
}

/**
 * The path: a pax or GNU long name as it is (node-tar's entry takes it over the header's), else the name field after
 * a POSIX ustar header's prefix (155 bytes, or 130 when byte 475 is NUL and the rest holds times), as node-tar joins them.
 */
function headerPath(header: Buffer, long: string | undefined): string {
  if (long !== undefined) return long;
  const name = field(header, 0, 100);
  if (!isPosix(header)) return name;
  if (header[475] !== 0) return `${field(header, 345, 155)}/${name}`;
  const prefix = field(header, 345, 130);
  return prefix ? `${prefix}/${name}` : name;
}

/**
 * A pax header's records, key to value (later ones win), read as node-tar reads them (its text as UTF-8, a record a
 * line whose length counts that text's own bytes). Throws `unusual` for a record node-tar would skip.
 */
function paxRecords(body: Buffer): Record<string, string> {
  const text = body.toString('utf8');
  if (!text.endsWith('\n')) throw new Unusual('a pax header whose records do not parse');
  const out: Record<string, string> = {};
  for (const line of text.slice(0, -1).split('\n')) {
    const length = parseInt(line, 10);
    const prefix = `${length} `;
    const record = line.slice(prefix.length);
    const eq = record.indexOf('=');
    if (!line.startsWith(prefix) || length !== Buffer.byteLength(line) + 1 || eq <= 0 || record.includes('\0')) {
      throw new Unusual('a pax header whose records do not parse');
    }
    out[record.slice(0, eq)] = record.slice(eq + 1);
  }
  return out;
}

/** What a pax header says of the next entry: its path and size (times and owners change no file). */
function paxHeader(body: Buffer): { path: string | undefined; size: number | undefined } {
  const records = paxRecords(body);
  // (node-tar's entry does not always take a pax mode: such a header is left to it)
  for (const key of ['type', 'mode']) if (records[key] !== undefined) throw new Unusual(`a pax header that sets a ${key}`);
  const decimal = (key: string): number | undefined => {
    const v = records[key];
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new Unusual(`a pax header with a ${key} this reader does not read`);
    return Number(v);
  };
  return { path: records.path, size: decimal('size') };
}
