/**
 * Packages into the shared content store (host/deps/contentStore.ts) straight from their tarballs, in one pass: the
 * tarball is fetched whole and checked against its integrity (fetchTarball.ts: this install's, the tarball cache, then
 * the registry), then a file thread unpacks it (unpackTarball.ts, through fileWrites.ts): inflated, parsed, each file
 * written once, read-only, into a new entry folder and hashed as it is written. The entry is renamed into place once
 * every file is written; an entry already in the store is checked (contentStore.verifiedEntry) and used as it is,
 * without reading the tarball. A tarball the unpacking leaves to pacote (a path that leaves the package, the same path
 * twice) is extracted by pacote and stored as before (adoptPackage). A package that brings its own `node_modules`
 * cannot be stored this way: `UnsupportedTarball`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pacote from 'pacote';
import { adoptPackage, entryDir, verifiedEntry, type EntryIndex } from '../host/deps/contentStore';
import type { LinkedFile } from '../host/deps/sharedTree';
import { fileWrites } from './fileWrites';
import { packageJsonOf } from './packageFiles';
import { writeHeld } from './cacheBehind';
import { fetchTarball } from './fetchTarball';
import { registryHttp2 } from './registryAgents';
import { SHARED_EXEC_MODE, SHARED_MODE, UNSUPPORTED_TARBALL, UNUSUAL_TARBALL } from './unpackTarball';

/** Tarballs downloading at once (a tarball's files are written after, while others download). */
export const TARBALLS_AT_ONCE = 6;
/**
 * Tarballs downloading at once from a host that speaks HTTP/2 (registryHttp2.ts): requests share one connection and
 * none waits for another's (measured: ~100 tarballs took 1.1 s six at a time, ~65 ms each).
 */
export const TARBALLS_AT_ONCE_HTTP2 = 24;
/** The process umask, which applies to the files pacote creates. */
const UMASK = process.umask();

/** Where a package's tarball comes from. */
export interface TarballSource {
  name: string;
  /** The tarball URL (as arborist asks pacote for it). */
  resolved: string;
  integrity: string;
}

export interface StoredEntry {
  entry: string;
  index: EntryIndex;
}

/** What a tarball holds, known once it is stored (or found in the store). */
export interface Listing {
  /** The package's own package.json, when it has one. */
  pkg: Record<string, unknown> | undefined;
  /** Every file, relative to the package folder, `/`-separated. */
  files: Set<string>;
}

export interface Stored {
  listing: Promise<Listing | undefined>;
  stored: Promise<StoredEntry>;
}

/** A tarball the content store cannot hold as pacote would extract it: arborist installs the tree instead. */
export class UnsupportedTarball extends Error {}

/** One install's writer: each entry is made or checked once, whoever asks for it (speculation or the tree). */
export class EntryWriter {
  private readonly entries = new Map<string, Stored>();
  private readonly files = fileWrites();
  private rootMade: Promise<void> | undefined;
  private downloading = 0;
  private readonly downloadQueue: { entry: string; go: () => void }[] = [];
  /** Entries whose listing someone waits for: their downloads go first. */
  private readonly urgent = new Set<string>();

  constructor(
    private readonly contentRoot: string,
    private readonly fetchOpts: Record<string, unknown>,
  ) {}

  /**
   * Builds a package folder of a tree (`dest`, new) from an entry: every file a hard link to the entry's (a read-only
   * copy across file systems). Resolves with each file as it is once linked (for the tree's manifest).
   */
  async link(entry: string, index: EntryIndex, dest: string): Promise<LinkedFile[]> {
    await mkdir(dest, { recursive: true });
    return Promise.all(
      Object.entries(index.files).map(async ([rel, f]): Promise<LinkedFile> => {
        const o = await this.files.link(dest, `${entry}/files/${rel}`, `${dest}/${rel}`, f.exec ? SHARED_EXEC_MODE : SHARED_MODE);
        return [rel, o.ino, o.size, o.mtimeMs];
      }),
    );
  }

  /** The content store's folder, made once. */
  private root(): Promise<void> {
    return (this.rootMade ??= mkdir(this.contentRoot, { recursive: true }).then(() => undefined));
  }

  /** Stops the file threads (what is still being stored fails quietly: nothing waits for it). */
  dispose(): void {
    this.files.dispose();
  }

  /**
   * The entry of a package, made from its tarball when the store does not hold it (nor a good copy of it).
   * `urgent`: its listing is awaited (it is never paused for the writes of others).
   */
  ensure(source: TarballSource, urgent = false): Stored {
    const entry = entryDir(this.contentRoot, source.integrity);
    if (!entry) throw new Error(`${source.name} has no sha512 integrity to be stored by`);
    if (urgent) this.urgent.add(entry);
    const known = this.entries.get(entry);
    if (known) return known;
    let listed: (l: Listing | undefined) => void = () => undefined;
    const listing = new Promise<Listing | undefined>((resolve) => (listed = resolve));
    const stored = this.make(source, entry, listed).finally(() => listed(undefined));
    const made: Stored = { listing, stored };
    this.entries.set(entry, made);
    // a failure is reported to whoever needs the package; a speculative one is forgotten (the next ask tries again)
    stored.catch(() => this.entries.get(entry) === made && this.entries.delete(entry));
    return made;
  }

  private async make(source: TarballSource, entry: string, listed: (l: Listing) => void): Promise<StoredEntry> {
    const existing = await verifiedEntry(entry);
    if (existing) {
      listed(await listingOf(entry, existing));
      return { entry, index: existing };
    }
    // a download slot until the tarball has streamed in (its files may still be being written)
    let done = false;
    await this.downloadSlot(entry, source.resolved);
    const downloaded = () => {
      if (done) return;
      done = true;
      this.downloadDone();
    };
    try {
      // the whole tarball, checked against its integrity, before any file is written
      const bytes = await fetchTarball(source, this.fetchOpts);
      downloaded();
      await this.root();
      const staging = `${entry}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      let files: EntryIndex['files'];
      try {
        const unpacked = await this.files.unpack(staging, bytes, UMASK, source.integrity);
        files = unpacked.files;
        listed({ pkg: unpacked.pkg, files: new Set(Object.keys(files)) });
      } catch (err) {
        // the thread removes what it made; a thread stopped under it (the install is over) cannot
        await rm(staging, { recursive: true, force: true }).catch(() => undefined);
        const code = (err as { code?: string }).code;
        if (code === UNSUPPORTED_TARBALL) throw new UnsupportedTarball((err as Error).message);
        if (code === UNUSUAL_TARBALL) return this.throughPacote(source, entry, listed);
        throw err;
      }
      return { entry, index: await this.placeEntry(staging, entry, { integrity: source.integrity, files }) };
    } finally {
      downloaded();
    }
  }

  /**
   * Waits for one of TARBALLS_AT_ONCE download slots (TARBALLS_AT_ONCE_HTTP2 for a tarball whose host speaks HTTP/2);
   * entries whose listing is awaited go first. npm's fetch layer keeps a few connections per host and serves requests
   * in order: a hundred tarballs asked for at once would hold up every packument asked for after them (those of the
   * types, those arborist still needs).
   */
  private async downloadSlot(entry: string, url: string): Promise<void> {
    const slots = registryHttp2(this.fetchOpts)?.speaks(url) ? TARBALLS_AT_ONCE_HTTP2 : TARBALLS_AT_ONCE;
    if (this.downloading < slots) {
      this.downloading++;
      return;
    }
    await new Promise<void>((go) => this.downloadQueue.push({ entry, go }));
  }

  private downloadDone(): void {
    const i = this.downloadQueue.findIndex((q) => this.urgent.has(q.entry));
    const next = this.downloadQueue.splice(i < 0 ? 0 : i, 1)[0];
    if (next) next.go();
    else this.downloading--;
  }

  /** Renames a complete staging entry into place; another install that stored it at the same moment wins. */
  private async placeEntry(staging: string, entry: string, index: EntryIndex): Promise<EntryIndex> {
    try {
      await this.root();
      try {
        await rename(staging, entry);
        return index;
      } catch (err) {
        const other = await verifiedEntry(entry);
        if (other) return other;
        throw err;
      }
    } finally {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** The old way, for a tarball this parser leaves to pacote: extracted into a scratch folder, then adopted. */
  private async throughPacote(source: TarballSource, entry: string, listed: (l: Listing) => void): Promise<StoredEntry> {
    const scratch = join(tmpdir(), `coda-extract-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      // pacote reads the tarball from the cache: what this install holds is written first
      await writeHeld();
      await pacote.extract(`${source.name}@${source.resolved}`, scratch, {
        ...this.fetchOpts,
        resolved: source.resolved,
        integrity: source.integrity,
      } as pacote.Options);
      if (!(await adoptPackage(this.contentRoot, source.integrity, scratch))) throw new Error(`${source.name} could not be stored`);
      const index = await verifiedEntry(entry);
      if (!index) throw new Error(`${source.name} could not be stored`);
      listed(await listingOf(entry, index));
      return { entry, index };
    } finally {
      await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

/** The listing of an entry already in the store. */
async function listingOf(entry: string, index: EntryIndex): Promise<Listing> {
  const pkg = index.files['package.json'] ? packageJsonOf(await readFile(join(entry, 'files', 'package.json')).catch(() => undefined)) : undefined;
  return { pkg, files: new Set(Object.keys(index.files)) };
}
