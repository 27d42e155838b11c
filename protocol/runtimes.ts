/**
 * The runtimes a notebook can run on, one descriptor each: the name users see and the names files may use, the kernel
 * picker's entry, what has to be downloaded, how it takes an interrupt, and what it enforces of each capability. Every
 * other place (the picker, `coda run --runtime`, `// @coda-runtime`, the `.coda` reader, downloads, the grant prompt,
 * docs/security.md) reads this table. Launching a runtime is code (host/kernel/kernelLaunch.ts), keyed by `id`.
 * Pure: no Node, DOM or vscode imports.
 */
import type { Enforcement } from './enforcement';
import type { RuntimeKind } from './messages';
import type { Capability } from './permissions';

/** Packages the runtime store can download (host/runtimes/runtimeStore.ts says which npm package each is). */
export type FetchableRuntime = 'deno' | 'bun' | 'node' | 'isolated-vm';

export interface RuntimeDescriptor {
  id: RuntimeKind;
  /** How users see it: the kernel picker's `CodaJS: <label>`, messages, `coda runtimes`. */
  label: string;
  /** Short name for tables (docs). */
  shortLabel: string;
  /** The notebook controller (kernel) id. */
  controllerId: string;
  /** The kernel picker's description. */
  description: string;
  /** Other names a notebook's metadata, a `// @coda-runtime` comment or `--runtime` may use (older files wrote these). */
  aliases: readonly string[];
  /** What `coda runtimes fetch <id>` (and the first run, when it is missing) downloads. */
  downloads: readonly FetchableRuntime[];
  /** The setting naming its own binary, where it has one. */
  binarySetting?: string;
  /** An interrupt stops synchronous JavaScript and keeps the variables (Bun restarts its kernel instead). */
  interruptKeepsState: boolean;
  /**
   * Cells run in the worker process itself (Node on its main thread, the sandbox's isolate beside it): interrupts
   * come through the watchdog thread, which works while a cell blocks the main thread. False for Deno and Bun, which
   * run cells in their own process: the worker's main thread reads the control pipe itself (one thread hop less).
   */
  cellsInWorker: boolean;
  /** What it enforces of each capability, in the words users read (protocol/enforcement.ts). */
  enforces: Record<Capability, Enforcement>;
}

const BUN_REFUSED: Enforcement = {
  level: 'refused',
  how: 'not enforced: Bun has no permission model, so a notebook that declares permissions does not run on Bun',
};

export const RUNTIMES: Record<RuntimeKind, RuntimeDescriptor> = {
  node: {
    id: 'node',
    label: 'Node.js',
    shortLabel: 'Node.js',
    controllerId: 'codajs-node',
    description: 'Runs cells in a Node.js process next to the notebook',
    aliases: [],
    // Node 24, for notebooks with permissions when the Node found is older (cells run on the Node found otherwise)
    downloads: ['node'],
    interruptKeepsState: true,
    cellsInWorker: true,
    enforces: {
      net: { level: 'checked', how: 'checked by CodaJS inside the kernel on the address every connection really goes to (a seat belt, not enforced by Node)' },
      read: { level: 'enforced', how: "enforced by Node's permission model (--allow-fs-read)" },
      write: { level: 'enforced', how: "enforced by Node's permission model (--allow-fs-write)" },
      env: { level: 'enforced', how: 'enforced: the kernel process starts with only the granted variables and secrets' },
      run: {
        level: 'checked',
        how: "checked by CodaJS inside the kernel at every program start, on the program's absolute path (a seat belt: Node allows all programs or none; a granted program runs with your rights)",
      },
    },
  },
  deno: {
    id: 'deno',
    label: 'Deno',
    shortLabel: 'Deno',
    controllerId: 'codajs-deno',
    description: 'Runs cells in Deno, with its permission flags',
    aliases: [],
    downloads: ['deno'],
    binarySetting: 'coda.denoPath',
    interruptKeepsState: true,
    cellsInWorker: false,
    enforces: {
      net: {
        level: 'enforced',
        how: 'enforced by Deno (--allow-net; remote modules only from the granted hosts via --allow-import; npm: packages only with "*")',
      },
      read: { level: 'enforced', how: 'enforced by Deno (--allow-read)' },
      write: { level: 'enforced', how: 'enforced by Deno (--allow-write)' },
      env: { level: 'enforced', how: 'enforced by Deno (--allow-env; only granted variables are passed)' },
      run: { level: 'enforced', how: 'enforced by Deno (--allow-run; a granted program runs with your rights)' },
    },
  },
  bun: {
    id: 'bun',
    label: 'Bun',
    shortLabel: 'Bun',
    controllerId: 'codajs-bun',
    description: 'Runs cells in Bun',
    aliases: [],
    downloads: ['bun'],
    binarySetting: 'coda.bunPath',
    interruptKeepsState: false,
    cellsInWorker: false,
    enforces: { net: BUN_REFUSED, read: BUN_REFUSED, write: BUN_REFUSED, env: BUN_REFUSED, run: BUN_REFUSED },
  },
  sandbox: {
    id: 'sandbox',
    label: 'Sandbox (isolated-vm)',
    shortLabel: 'Sandbox',
    controllerId: 'codajs-sandbox',
    description: 'For untrusted code: a V8 isolate with no Node APIs, only what you grant',
    // notebooks written before the runtime was called "sandbox" in files
    aliases: ['isolate'],
    downloads: ['node', 'isolated-vm'],
    interruptKeepsState: true,
    cellsInWorker: true,
    enforces: {
      net: { level: 'enforced', how: 'enforced by the Sandbox: its only network API is a fetch the host checks at every request and redirect' },
      read: { level: 'absent', how: 'nothing to grant: the Sandbox has no file system' },
      write: { level: 'absent', how: 'nothing to grant: the Sandbox has no file system' },
      env: { level: 'enforced', how: 'enforced by the Sandbox: only granted variables and secrets are copied in' },
      run: { level: 'absent', how: 'nothing to grant: the Sandbox cannot start programs' },
    },
  },
};

/** isolated-vm 7 ships prebuilt binaries for these Node majors (ABI 137 and 147): the sandbox runs on one of them. */
export const SANDBOX_NODE_MAJORS: readonly number[] = [24, 25];

/** Every runtime, in the order pickers and lists show them. */
export const RUNTIME_IDS: readonly RuntimeKind[] = ['node', 'deno', 'bun', 'sandbox'];

/** How each runtime is named to users (kernel picker labels are `CodaJS: <label>`). */
export const RUNTIME_LABELS = Object.fromEntries(RUNTIME_IDS.map((id) => [id, RUNTIMES[id].label])) as Record<RuntimeKind, string>;

/** The runtime a name means (its id or an alias, any case), or undefined. */
export function runtimeNamed(name: unknown): RuntimeKind | undefined {
  if (typeof name !== 'string') return undefined;
  const n = name.trim().toLowerCase();
  return RUNTIME_IDS.find((id) => id === n || RUNTIMES[id].aliases.includes(n));
}

/** Every name a file may use for a runtime, for messages. */
export const RUNTIME_NAMES: readonly string[] = RUNTIME_IDS.flatMap((id) => [id, ...RUNTIMES[id].aliases]);
