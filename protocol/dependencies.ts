/**
 * Dependencies of a notebook: what cells import (or magic comments ask for), the lock kept in notebook
 * metadata, and the messages between a host and the installer process (dist/installer.js).
 */
import type { Permissions } from './permissions';
import type { CodeCacheStatus } from './workerCodeCache';

/** Notebook metadata keys. */
export const METADATA_DEPENDENCIES = 'dependencies';
export const METADATA_LOCK = 'lock';
export const METADATA_ALLOW_SCRIPTS = 'allowInstallScripts';
/** `true` lets a lock hold entries CodaJS cannot verify (no sha512 integrity, not a tarball of the configured registry). */
export const METADATA_ALLOW_UNVERIFIED_LOCK = 'allowUnverifiedLock';

/** A package a notebook needs, and why. */
export interface DependencySpec {
  name: string;
  /** A semver range, a dist-tag or '*' (an import without a magic comment). */
  range: string;
  /**
   * Where the package is named: a cell (its line), or a module of the notebook's folder a cell imports (`file`, relative
   * to the folder, and the line there; `cellId` is the cell that imports it).
   */
  from: { kind: 'import' | 'require' | 'magic'; cellId?: string; line?: number; file?: string };
}

export interface DependencyProblem {
  message: string;
  cellId?: string;
  line?: number;
}

/** What was installed, by node_modules path (`node_modules/a`, `node_modules/a/node_modules/b`). */
export interface LockEntry {
  /** The package's own name when it is installed under another one (an `npm:` alias a dependent declares). */
  name?: string;
  version: string;
  resolved: string;
  integrity: string;
  /** The package's own dependencies (the edges of the tree), as its package.json declares them. */
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  /**
   * Its peers, as its package.json declares them: the package a peer brings that nothing else needs is kept in a tree
   * built from the lock (arborist drops what no edge it knows of reaches).
   */
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
export type DependencyLock = Record<string, LockEntry>;

export interface InstallParams {
  /** Folder whose node_modules the kernel resolves from (one per notebook). */
  storeDir: string;
  /** Content-addressed tarball/metadata cache (shared by every notebook). */
  cacheDir: string;
  /** Direct dependencies: name -> range. */
  dependencies: Record<string, string>;
  /** Install exactly these versions when present (the notebook's lock). */
  lock?: DependencyLock;
  /** Install scripts run only when the notebook opts in. */
  allowScripts: boolean;
  /** The notebook's declared permissions: install scripts run confined by them (undefined: none declared). */
  permissions?: Permissions;
  /** Names of the notebook's secrets: never passed to install scripts. */
  secretNames?: string[];
  /** Accept lock entries that cannot be verified (metadata `allowUnverifiedLock`). */
  allowUnverifiedLock?: boolean;
  /** Never touch the network: the cache must have everything. */
  offline?: boolean;
  /** Folder the user's project .npmrc is looked up from (the notebook's folder). */
  npmrcFrom: string;
  /**
   * The version of the Node that will run the packages (`v20.18.0`), when it is not the installer's own: versions are
   * picked, and optional packages kept, by their `engines` for that Node, as npm run by it would (npm's `node-version`).
   * The installer may then run on a faster Node than the kernel's (host/deps/installerNode.ts).
   */
  nodeVersion?: string;
  /**
   * Look for the editor's `@types` packages (installer/acquireTypes.ts) and install them into the same tree (the
   * default). False: the packages alone, for a kernel that should not wait for the editor's types (the extension's
   * first install, which an install of the types follows, `addsTypesTo`); such a store says it has no types, and its
   * lock is never recorded or kept (every kept lock comes from an install that looked for types).
   */
  editorTypes?: boolean;
  /**
   * This install adds the editor's types to a store installed without them: that store's generation (the id in its
   * marker, atomicStore.ts storeGeneration). When the store is another by the time this install would commit (a newer
   * install replaced it), nothing is committed and the result says `superseded`.
   */
  addsTypesTo?: string;
}

export interface InstallResult {
  lock: DependencyLock;
  /** The store's node_modules folder, for InitParams.modulePaths. */
  modulePath: string;
  /** Direct dependencies as installed: name -> version. */
  installed: Record<string, string>;
  /** How many packages came from the network (0 when the cache or the store had everything). */
  fetched: number;
  durationMs: number;
  /** True when the network was unreachable and the cache served everything. */
  offline: boolean;
  /** Wall time of the installer's phases in ms (resolve, extract, share, …; absent when no installer ran). */
  phases?: Record<string, number>;
  /**
   * CPU time of the installer process while it ran this install, in ms: every thread's (the file threads too) and
   * whatever else it ran meanwhile. Beside `durationMs`, it says how much of the machine an install kept busy.
   */
  cpuMs?: number;
  /** True when an install with `addsTypesTo` found its store replaced meanwhile and committed nothing. */
  superseded?: boolean;
  /** What became of the installer's code cache when its process started (absent when no installer ran). */
  codeCache?: CodeCacheStatus;
}

/** Extract runtime packages (Deno, Bun, Node, isolated-vm) from the registry into a folder, integrity checked. */
export interface FetchRuntimeParams {
  /** Extracted in order: the first into `dest`, the others (companions) into `dest/node_modules/<name>` when `nested`. */
  packages: { name: string; version: string; dest: string }[];
  cacheDir: string;
  npmrcFrom: string;
  /** Files to mark executable after extraction (binaries lose their mode in some tarballs). */
  executables: string[];
  offline?: boolean;
}

export interface FetchRuntimeResult {
  /** name@version -> the sha512 integrity the tarball was checked against. */
  integrity: Record<string, string>;
  durationMs: number;
}

/** How much downloading runtime packages costs, asked of the registry before the user is asked to download them. */
export interface RuntimeSizeParams {
  packages: { name: string; version: string }[];
  cacheDir: string;
  npmrcFrom: string;
}

export interface RuntimeSizeResult {
  /** Bytes to download (the tarballs), when the registry says; undefined when it cannot be known. */
  downloadBytes?: number;
  /** Bytes on disk once extracted, when the registry's metadata says. */
  unpackedBytes?: number;
}

export interface InstallerRequests {
  install: { params: InstallParams; result: InstallResult };
  fetchRuntime: { params: FetchRuntimeParams; result: FetchRuntimeResult };
  runtimeSize: { params: RuntimeSizeParams; result: RuntimeSizeResult };
  /** Resolves once the responses installs fetched are in the HTTP cache (they are written after each install answers). */
  writeCache: { params: Record<string, never>; result: Record<string, never> };
  shutdown: { params: Record<string, never>; result: Record<string, never> };
}

export interface InstallerEvents {
  progress: { message: string };
}
