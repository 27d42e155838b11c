/**
 * The kernel's plugins (protocol/plugins.ts) and their hooks, in list order: the built-in plugins first, then the
 * ones InitParams.plugins names. Loading and `setup` happen once, before the first cell runs, under the notebook's
 * permissions (the permission guards are already in place). A plugin that throws fails the cell that ran its hook,
 * with a PluginError naming it; the kernel lives on. A plugin that cannot be loaded or set up fails the first cell and
 * is left out afterwards.
 */
import {
  codaError,
  PLUGIN_API_VERSION,
  type CodaPlugin,
  type MimeBundle,
  type PluginCell,
  type PluginContext,
  type PluginHook,
  type PluginOutcome,
  type SerializedError,
} from '../../protocol';
import { setValueFormatter } from '../inspect/valueFormatter';
import { loadPlugin } from './loadPlugin';
import { PluginFailure } from './PluginFailure';

export interface PluginHostOptions {
  /** Plugins built into the kernel, set up at once (synchronously) in this order. */
  builtins: CodaPlugin[];
  /** Modules to load before the first cell (InitParams.plugins). */
  specs: string[];
  context: Omit<PluginContext, 'apiVersion'>;
  serialize(err: unknown): SerializedError;
  log(message: string): void;
}

export class PluginHost {
  private plugins: CodaPlugin[] = [];
  private loading: Promise<SerializedError | undefined> | undefined;
  private loaded = false;
  private reported = false;
  private readonly builtins = new Set<CodaPlugin>();
  private readonly context: PluginContext;

  constructor(private readonly options: PluginHostOptions) {
    this.context = { apiVersion: PLUGIN_API_VERSION, ...options.context };
    for (const plugin of options.builtins) {
      const done = plugin.setup?.(this.context);
      if (done) throw new Error(`built-in plugin ${plugin.name}: setup must be synchronous`);
      this.plugins.push(plugin);
      this.builtins.add(plugin);
    }
    this.installFormatter();
    this.loaded = !options.specs.length;
  }

  /** The plugins' formatValue hooks, for describeValue; none is installed while no plugin has one. */
  private installFormatter(): void {
    if (!this.plugins.some((p) => p.formatValue)) return;
    setValueFormatter((value) => {
      for (const p of this.plugins) {
        const format = p.formatValue?.(value);
        if (format) return format;
      }
      return undefined;
    });
  }

  /** Whether a cell must wait for preparePlugins (plugins still to load, or beforeExecute hooks) before it starts. */
  get needsPreparation(): boolean {
    return !this.loaded || this.plugins.some((p) => p.beforeExecute);
  }

  /**
   * Before a cell starts: loads and sets up the named plugins once (a failure fails this first cell, then the plugin
   * is left out), then every beforeExecute hook.
   */
  async prepare(cell: PluginCell): Promise<void> {
    const failed = await (this.loading ??= this.load());
    this.loaded = true;
    if (failed && !this.reported) {
      this.reported = true;
      throw new PluginFailure(failed);
    }
    await this.beforeExecute(cell);
  }

  /** Each plugin's transformCell, in order; each must keep the number of lines. */
  transform(source: string, cell: PluginCell): string {
    let code = source;
    for (const p of this.plugins) {
      if (!p.transformCell) continue;
      const out = this.call(p, 'transformCell', () => p.transformCell!(code, cell));
      if (out === undefined) continue;
      if (typeof out !== 'string') throw this.failure(p, 'transformCell', new TypeError('transformCell must return a string or undefined'));
      const before = lines(code);
      const after = lines(out);
      if (before !== after) throw new PluginFailure(codaError('PluginTransformMovedLines', { plugin: p.name, before, after }));
      code = out;
    }
    return code;
  }

  async beforeExecute(cell: PluginCell): Promise<void> {
    for (const p of this.plugins) if (p.beforeExecute) await this.callAsync(p, 'beforeExecute', () => p.beforeExecute!(cell));
  }

  async afterExecute(cell: PluginCell, outcome: PluginOutcome): Promise<void> {
    for (const p of this.plugins) if (p.afterExecute) await this.callAsync(p, 'afterExecute', () => p.afterExecute!(cell, outcome));
  }

  /** The first plugin's bundle for a cell value that renders itself, or undefined. */
  async displayValue(value: unknown): Promise<MimeBundle | undefined> {
    for (const p of this.plugins) {
      if (!p.displayValue) continue;
      const bundle = await this.callAsync(p, 'displayValue', () => p.displayValue!(value));
      if (bundle !== undefined) return bundle;
    }
    return undefined;
  }

  private async load(): Promise<SerializedError | undefined> {
    let first: SerializedError | undefined;
    for (const spec of this.options.specs) {
      try {
        const plugin = loadPlugin(spec, this.context.require, this.options.serialize);
        if (plugin.setup) await this.callAsync(plugin, 'setup', () => plugin.setup!(this.context));
        this.plugins.push(plugin);
        this.options.log(`plugin ${plugin.name} (${spec}) loaded`);
      } catch (err) {
        const error = err instanceof PluginFailure ? err.error : this.options.serialize(err);
        this.options.log(`plugin ${spec} left out: ${error.message}`);
        first ??= error;
      }
    }
    this.installFormatter();
    return first;
  }

  private call<T>(p: CodaPlugin, hook: PluginHook, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.failure(p, hook, err);
    }
  }

  private async callAsync<T>(p: CodaPlugin, hook: PluginHook, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.failure(p, hook, err);
    }
  }

  /** A PluginFailure naming the plugin; a built-in plugin's error is the user's own (a cell's Jupyter.display method threw). */
  private failure(p: CodaPlugin, hook: PluginHook, err: unknown): unknown {
    if (err instanceof PluginFailure || this.builtins.has(p)) return err;
    const cause = this.options.serialize(err);
    return new PluginFailure({ ...codaError('PluginFailed', { plugin: p.name, hook, detail: `${cause.name}: ${cause.message}` }), cause });
  }
}

const lines = (text: string) => text.split('\n').length;
