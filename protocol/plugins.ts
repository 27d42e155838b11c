/**
 * Kernel plugins: the one interface a plugin implements, declared once. A plugin is a module (an npm package or a
 * local file named in the notebook's `plugins` metadata or the `coda.plugins` setting) whose default export (or
 * module.exports) is a CodaPlugin, or a function returning one. It runs inside the kernel, as the notebook's own
 * code does: under the same permissions. Published for plugin authors as api/plugin.d.ts. Hooks run in list order
 * (built-in plugins first, then the setting's, then the notebook's); docs/plugins.md.
 */

/** Bumped when a hook changes incompatibly; a plugin may check `context.apiVersion`. */
export const PLUGIN_API_VERSION = 1;
/** Notebook metadata key: the plugins a notebook loads (package names or paths relative to the notebook). */
export const METADATA_PLUGINS = 'plugins';

/** A cell as the hooks see it. */
export interface PluginCell {
  cellId: string;
  /** e.g. `[3]`, as stack traces show it. */
  cellLabel: string;
  executionId: number;
  language: 'javascript' | 'typescript';
}

/** What `afterExecute` learns about the run. */
export interface PluginOutcome {
  status: 'ok' | 'error';
  /** The cell's value (status ok), as the cell returned it. */
  value?: unknown;
  /** What the cell threw (status error). */
  error?: unknown;
}

/**
 * One output with one representation per MIME type (Jupyter's display data): text for textual types, base64 (or a
 * Uint8Array) for binary ones, any JSON value for JSON types.
 */
export type MimeBundle = Record<string, unknown>;

/** A custom preview (and expansion) of a value, as the object inspector shows it. */
export interface ValueFormat {
  /** The one-line preview (cut to the preview budget). */
  preview: string;
  /** The class name shown beside it (default: the value's). */
  className?: string;
  /** What expanding it lists: these rows instead of the value's own properties. Absent: the value's own. */
  properties?: Record<string, unknown>;
}

/** Given to `setup`. */
export interface PluginContext {
  apiVersion: number;
  /** The kernel's globalThis: where a plugin installs globals (e.g. `window`, `document`). */
  globals: Record<PropertyKey, unknown>;
  /** The kernel's runtime: 'node', 'deno' or 'bun'. */
  runtime: string;
  /** The notebook's folder. */
  cwd: string;
  /** `require` as cells have it: the notebook folder first, then the notebook's store. */
  require(id: string): unknown;
  /** Shows a MIME bundle as an output of the cell running now (or the cell whose background work calls it). */
  display(bundle: MimeBundle): void;
}

export interface CodaPlugin {
  /** Named in errors ("the plugin 'jsdom' failed in setup"). */
  name: string;
  /** Once, before the first cell runs: install globals, environments. */
  setup?(context: PluginContext): void | Promise<void>;
  /**
   * Source to source, before TypeScript types are stripped. Line-preserving: the result must have as many lines as
   * the source (stack traces, line values and errors keep pointing at the cell's own lines); otherwise the cell
   * fails with PluginTransformMovedLines. Return undefined to keep the source.
   */
  transformCell?(source: string, cell: PluginCell): string | undefined;
  /** Before the cell's code is transformed and run (after every plugin's setup). */
  beforeExecute?(cell: PluginCell): void | Promise<void>;
  /** After the cell's code settled (its promise, too), before its value is shown. */
  afterExecute?(cell: PluginCell, outcome: PluginOutcome): void | Promise<void>;
  /** A custom preview for the values this plugin knows (return undefined for the others). Must not throw. */
  formatValue?(value: object): ValueFormat | undefined;
  /**
   * A cell value shown as rich output instead of as a value (a MIME bundle; promise for async rendering), or
   * undefined. The first plugin that answers wins.
   */
  displayValue?(value: unknown): MimeBundle | Promise<MimeBundle> | undefined;
}

/** A plugin module's export: the plugin, or a factory (called once per kernel with the plugin's options). */
export type CodaPluginExport = CodaPlugin | ((options: Record<string, unknown>) => CodaPlugin);

/** The hooks, in the order they run for one cell. */
export const PLUGIN_HOOKS = ['setup', 'transformCell', 'beforeExecute', 'afterExecute', 'formatValue', 'displayValue'] as const;
export type PluginHook = (typeof PLUGIN_HOOKS)[number];
