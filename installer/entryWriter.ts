/**
 * Packages into the shared content store (host/deps/contentStore.ts) straight from their tarballs, in one pass: the
 * tarball is fetched whole and checked against its integrity (fetchTarball.ts: this install's, the tarball cache, then
 * the registry), then parsed, and each file is written once, read-only, into a new entry folder, and hashed as it is
 * written (by the file threads: fileWrites.ts). The entry is renamed into place once every file is written; an entry
 * already in the store is checked (contentStore.verifiedEntry) and used as it is, without reading the tarball.
 *
 * The files are the ones pacote's extraction writes (as arborist installs them): the first path component stripped,
 * links and special entries skipped, a `.gitignore` kept as `.npmignore` unless the package has one, and a package's
 * bins executable, with a Unix line end after their `#!` line (as bin-links leaves them). A tarball outside that (a
 * path that leaves the package, the same path twice) is extracted by pacote and stored as before (adoptPackage).
 * A package that brings its own `node_modules` cannot be stored this way: `UnsupportedTarball`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { chmod, mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import pacote from 'pacote';
import { Parser, type ReadEntry } from 'tar';
import { adoptPackage, entryDir, verifiedEntry, type EntryIndex } from '../host/deps/contentStore';
import type { LinkedFile } from '../host/deps/sharedTree';
import { fileWrites } from './fileWrites';
import { binPaths, packageJsonOf, packagePath, unixHashbang } from './packageFiles';
import { writeHeld } from './cacheBehind';
import { fetchTarball } from './fetchTarball';
import { Flow, type TarballStream } from './tarballFlow';

/** Tarballs downloading at once (a tarball's files are written after, while others download). */
export const TARBALLS_AT_ONCE = 6;
/** Bytes of parsed files waiting to be written before the tarball streams are paused. */
export const PENDING_BYTES = 64 * 1024 * 1024;
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const SHARED_MODE = 0o444;
const SHARED_EXEC_MODE = 0o555;
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

/** What a tarball holds, known as soon as it is parsed (before its files are written). */
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

/** A tarball pacote extracts better than this parser (paths it would clean up or skip). */
class UnusualTarball extends Error {}

interface ParsedFile {
  rel: string;
  data: Buffer;
  mode: number;
}

/** One install's writer: each entry is made or checked once, whoever asks for it (speculation or the tree). */
export class EntryWriter {
  private readonly entries = new Map<string, Stored>();
  private readonly files = fileWrites();
  private rootMade: Promise<void> | undefined;
  private pendingBytes = 0;
  /** Tarball streams being parsed (held while too many bytes wait to be written). */
  private readonly streams = new Set<Flow>();
  private downloading = 0;
  private readonly downloadQueue: { entry: string; go: () => void }[] = [];
  /** Entries whose listing someone waits for: their streams are never paused, their downloads go first. */
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

  /** A staging entry's `files` folder, made once (as its first file comes, or when it has none). */
  private filesFolder(staging: string, made: { files?: Promise<void> }): Promise<void> {
    return (made.files ??= this.root().then(async () => {
      await mkdir(staging);
      await mkdir(join(staging, 'files'));
    }));
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
    if (urgent && !this.urgent.has(entry)) {
      this.urgent.add(entry);
      for (const flow of this.streams) if (flow.entry === entry) flow.release();
    }
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
    await this.downloadSlot(entry);
    const downloaded = () => {
      if (done) return;
      done = true;
      this.downloadDone();
    };
    try {
      // the whole tarball, checked against its integrity, before any file is written
      const bytes = await fetchTarball(source, this.fetchOpts);
      downloaded();
      const index = await this.fromStream(streamOf(bytes), entry, source.integrity, listed);
      return { entry, index: await this.placeEntry(index.staging, entry, index.index) };
    } catch (err) {
      if (!(err instanceof UnusualTarball)) throw err;
      return this.throughPacote(source, entry, listed);
    } finally {
      downloaded();
    }
  }

  /**
   * Waits for one of TARBALLS_AT_ONCE download slots; entries whose listing is awaited go first. The registry client
   * keeps a few connections per host and serves requests in order: a hundred tarballs asked for at once would hold
   * up every packument asked for after them (those of the types, those arborist still needs).
   */
  private async downloadSlot(entry: string): Promise<void> {
    if (this.downloading < TARBALLS_AT_ONCE) {
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

  /** Parses one tarball stream into a new staging entry; resolves once every file is written and the stream ended whole. */
  private async fromStream(
    tarball: TarballStream,
    entry: string,
    integrity: string,
    listed: (l: Listing) => void,
  ): Promise<{ staging: string; index: EntryIndex }> {
    const staging = `${entry}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const names = new Set<string>();
    const lowerNames = new Set<string>();
    const npmignores = new Set<string>();
    const writes: Promise<void>[] = [];
    const index: EntryIndex = { integrity, files: {} };
    const made: { files?: Promise<void> } = {};
    let pkgData: Buffer | undefined;
    let unusual: string | undefined;
    const flow = new Flow(tarball, entry);
    this.streams.add(flow);
    try {
      await new Promise<void>((resolve, reject) => {
        const parser = new Parser({
          onReadEntry: (e: ReadEntry) => {
            const rel = packagePath(e.path);
            if (!FILE_TYPES.has(e.type) || rel === null) return void e.resume();
            if (rel === undefined) {
              unusual ??= `the path ${e.path}`;
              return void e.resume();
            }
            if (rel === 'node_modules' || rel.startsWith('node_modules/')) {
              reject(new UnsupportedTarball(`the package brings its own node_modules (${rel})`));
              return void e.resume();
            }
            // pacote: a .gitignore stands for the .npmignore npm pack read, unless the package has one already
            let name = rel;
            if (posix.basename(name) === '.npmignore') npmignores.add(name);
            else if (posix.basename(name) === '.gitignore') {
              name = name.replace(/\.gitignore$/, '.npmignore');
              if (npmignores.has(name)) return void e.resume();
            }
            if (names.has(name) || lowerNames.has(name.toLowerCase())) {
              unusual ??= `${name} twice`;
              return void e.resume();
            }
            names.add(name);
            lowerNames.add(name.toLowerCase());
            // the mode pacote leaves (the process umask applies), never writable: the file is shared
            const mode = ((e.mode ?? 0) & 0o111 & ~UMASK) !== 0 ? SHARED_EXEC_MODE : SHARED_MODE;
            const chunks: Buffer[] = [];
            e.on('data', (c: Buffer) => chunks.push(c));
            e.on('end', () => {
              const data = Buffer.concat(chunks);
              if (name === 'package.json') pkgData = Buffer.from(data);
              if (unusual) return;
              this.hold(data.length);
              const written = this.write(staging, { rel: name, data, mode }, index, made);
              // awaited once the archive has ended; a write that fails before (the install is over) is not unhandled
              written.catch(() => undefined);
              writes.push(written);
            });
          },
        });
        parser.on('error', reject);
        tarball.on('error', reject);
        // the archive's end marker: every file is known (a guess of the types need not wait for the writes)
        parser.on('eof', () => {
          if (!unusual) listed({ pkg: packageJsonOf(pkgData), files: names });
        });
        parser.on('end', () => {
          if (unusual) return reject(new UnusualTarball(unusual));
          listed({ pkg: packageJsonOf(pkgData), files: names });
          resolve();
        });
        flow.into(parser, () => this.pendingBytes > PENDING_BYTES && !this.urgent.has(entry), reject);
      });
      await Promise.all(writes);
      await this.fixBins(staging, packageJsonOf(pkgData), index, made);
      await this.filesFolder(staging, made);
      await writeFile(join(staging, 'index.json'), JSON.stringify(index));
      return { staging, index };
    } catch (err) {
      await Promise.allSettled(writes);
      if (existsSync(staging)) await rm(staging, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    } finally {
      this.streams.delete(flow);
    }
  }

  /** A package's bins are executable and their `#!` line ends in `\n`, as bin-links leaves them. */
  private async fixBins(staging: string, pkg: Record<string, unknown> | undefined, index: EntryIndex, made: { files?: Promise<void> }): Promise<void> {
    for (const bin of binPaths(pkg)) {
      const f = index.files[bin];
      if (!f) continue;
      const file = join(staging, 'files', bin);
      const data = await readFile(file);
      const fixed = unixHashbang(data);
      if (fixed !== data) {
        await unlink(file);
        await this.write(staging, { rel: bin, data: fixed, mode: SHARED_EXEC_MODE }, index, made, false);
      } else if (!f.exec) {
        await chmod(file, SHARED_EXEC_MODE);
        f.exec = true;
      }
    }
  }

  /** Writes one file into the staging entry (a new file, read-only from the start) and records it in the index. */
  private async write(staging: string, f: ParsedFile, index: EntryIndex, made: { files?: Promise<void> }, held = true): Promise<void> {
    // (the bytes may move to a file thread: their buffer is then empty here)
    const size = f.data.length;
    try {
      // the entry's files folder first (once per tarball, as its first file comes): the threads make what is below it
      await this.filesFolder(staging, made);
      const st = await this.files.write(join(staging, 'files'), join(staging, 'files', f.rel), f.data, f.mode);
      index.files[f.rel] = { sha256: st.sha256, size: st.size, mtimeMs: st.mtimeMs, exec: f.mode === SHARED_EXEC_MODE };
      if (st.size !== size) throw new Error(`${f.rel} was not written whole (${st.size} of ${size} bytes)`);
    } finally {
      if (held) this.letGo(size);
    }
  }

  /** Bytes of files waiting for their write: past PENDING_BYTES the tarball streams wait (the writes go on). */
  private hold(bytes: number): void {
    this.pendingBytes += bytes;
    if (this.pendingBytes > PENDING_BYTES) for (const flow of this.streams) if (!this.urgent.has(flow.entry)) flow.hold();
  }

  private letGo(bytes: number): void {
    this.pendingBytes -= bytes;
    if (this.pendingBytes <= PENDING_BYTES / 2) for (const flow of this.streams) flow.release();
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

/** A tarball's bytes as the stream its parser is fed from. */
function streamOf(bytes: Buffer): TarballStream {
  const stream = new PassThrough();
  stream.end(bytes);
  return stream;
}
