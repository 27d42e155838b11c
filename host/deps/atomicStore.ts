/**
 * A store is replaced whole or not at all: an install builds a staging folder beside the store
 * (`.<store>.<pid>.<random>.tmp`), writes a completion marker into it last, and renames it into place. A process
 * killed at any point leaves either the previous store or no store, never half of one; readers trust only a store
 * that holds the marker. Leftover staging folders of processes that are gone are removed by the next install.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Written last into a finished store; its absence means "not installed". */
export const COMPLETE_MARKER = '.coda-complete';
/** Renames tried when another install of the same store commits at the same moment. */
const COMMIT_ATTEMPTS = 3;
const LEFTOVER = /^\.(.+)\.(\d+)\.[0-9a-f]+\.(tmp|old)$/;
/** Staging folders this process is filling right now (never removed as leftovers). */
const active = new Set<string>();

export function isStoreComplete(storeDir: string): boolean {
  return existsSync(join(storeDir, COMPLETE_MARKER));
}

/** A fresh staging folder name beside the store (same file system, so the final rename is atomic). */
export function stagingDirFor(storeDir: string): string {
  const dir = join(dirname(storeDir), `.${basename(storeDir)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  active.add(dir);
  return dir;
}

/** Drops a staging folder that was not committed (a failed install). */
export async function discardStaging(staging: string): Promise<void> {
  active.delete(staging);
  await rm(staging, { recursive: true, force: true }).catch(() => undefined);
}

/** What the marker records besides completion: how install scripts ran (a store is reused only for the same). */
export interface StoreFacts {
  scripts: string;
  /** Packages (node_modules paths) with their own files rather than links into the shared content store. */
  own?: string[];
  /** The installer looked for the editor's `@types` packages (installer/acquireTypes.ts); a store from before that
   * did not, so its notebook's next run installs once more (from the cache) to add them. */
  types?: boolean;
}

/** What the marker holds beyond the facts: when the store was committed, and a name unique to that commit. */
interface Marker extends StoreFacts {
  completedAt: string;
  id: string;
}

/** The commit a complete store came from (its marker's id; a store from before ids: its time), for `addsTypesTo`. */
export function storeGeneration(facts: Partial<Marker>): string | undefined {
  return facts.id ?? facts.completedAt;
}

/** The facts of a complete store, or undefined when it is not complete. */
export async function storeFacts(storeDir: string): Promise<Partial<Marker> | undefined> {
  return markerSync(storeDir);
}

function markerSync(storeDir: string): Partial<Marker> | undefined {
  try {
    return JSON.parse(readFileSync(join(storeDir, COMPLETE_MARKER), 'utf8')) as Partial<Marker>;
  } catch {
    return undefined;
  }
}

/**
 * Marks the staging folder complete and moves it into place of the store (the old store, if any, is removed).
 * `over`: only in place of the store of that generation (storeGeneration); when the store is another by then, nothing
 * moves and the result is false (the caller discards its staging folder).
 */
export async function commitStore(staging: string, storeDir: string, facts: StoreFacts, over?: string): Promise<boolean> {
  const marker: Marker = { completedAt: new Date().toISOString(), id: randomBytes(8).toString('hex'), ...facts };
  await writeFile(join(staging, COMPLETE_MARKER), `${JSON.stringify(marker)}\n`);
  const old = join(dirname(storeDir), `.${basename(storeDir)}.${process.pid}.${randomBytes(4).toString('hex')}.old`);
  if (over !== undefined) {
    // checked and set aside in one synchronous step: no other commit of this process comes in between
    if (storeGeneration(markerSync(storeDir) ?? {}) !== over) return false;
    try {
      renameSync(storeDir, old);
    } catch {
      return false;
    }
  }
  // a directory cannot be renamed over a non-empty one: move the old store aside first (a kill in between leaves
  // no store, which the next run installs again)
  for (let attempt = 1; ; attempt++) {
    if (existsSync(storeDir)) await rename(storeDir, old).catch(() => undefined);
    try {
      await rename(staging, storeDir);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const taken = code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EPERM';
      // a newer store came in after the one this install was over: it stays
      if (taken && over !== undefined) {
        await rm(old, { recursive: true, force: true }).catch(() => undefined);
        return false;
      }
      // another install of the same notebook committed in between: set it aside too and try again
      if (attempt >= COMMIT_ATTEMPTS || !taken) throw err;
      await rm(old, { recursive: true, force: true }).catch(() => undefined);
    }
  }
  active.delete(staging);
  await rm(old, { recursive: true, force: true }).catch(() => undefined);
  return true;
}

/** Removes staging and set-aside folders of this store left by processes that no longer run. */
export async function removeLeftovers(storeDir: string): Promise<void> {
  const root = dirname(storeDir);
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return;
  }
  for (const name of names) {
    const m = LEFTOVER.exec(name);
    if (!m || m[1] !== basename(storeDir) || active.has(join(root, name)) || alive(Number(m[2]))) continue;
    await rm(join(root, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

/** True for folder names that are staging or set-aside folders, never stores. */
export function isLeftoverName(name: string): boolean {
  return LEFTOVER.test(name);
}

function alive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
