/**
 * Jupyter compatibility inside the kernel: the display APIs notebooks written for other JavaScript kernels call.
 *   Deno:         Deno.jupyter (display, format, html, md, svg, image, broadcast, $display), on the Deno runtime
 *   any kernel:   objects with a Symbol.for("Jupyter.display") method, shown by display(obj) and as cell results
 *   tslab:        `import * as tslab from "tslab"` → tslab.display.*, tslab.newDisplay()
 *   ijavascript:  the $$ helpers and _toHtml/_toSvg/_toPng/_toJpeg/_toMime results
 * Rich MIME bundles become one display output with one item per MIME type. One function installs all of it into the
 * kernel's globals; it is the first built-in kernel plugin.
 */
import type { DisplayData } from '../../protocol';
import { IMPORT_HOOK } from '../transform/transformCell';
import { createDenoJupyter, format, type DisplayTarget, type MediaBundle, type Notice, type ShowBundle } from './denoJupyter';
import { createIjavascript, hasIjavascriptRendering, ijavascriptBundle } from './ijavascriptHelpers';
import { bundleToDisplayData, JUPYTER_DISPLAY } from './mimeBundle';
import { dataMethod } from './dataMethod';
import { createTslabModule } from './tslabModule';

export { JUPYTER_VIRTUAL_MODULES } from '../../common/jupyterModules';

/** The kernel's display() helper (worker/node/displayHelper.ts). */
export interface KernelDisplay {
  (value: unknown): void;
  html(value: unknown): void;
  markdown(value: unknown): void;
  svg(value: unknown): void;
  png(value: unknown): void;
  json(value: unknown): void;
  text(value: unknown): void;
}

export interface JupyterCompatOptions {
  /**
   * Sends one output made of several representations, to a new output or to the outputs of a display id. Without it a
   * bundle shows its richest type through `display`, always as a new output.
   */
  sendBundle?: (data: DisplayData[], target?: DisplayTarget) => void;
  /** Which cell execution is running (ijavascript's display ids are per execution); none: one execution throughout. */
  execution?: () => unknown;
  /** Where the globals go; the kernel's globalThis by default. */
  target?: Record<PropertyKey, unknown>;
  /** Says in the cell what CodaJS does differently from the original kernel; console.warn by default. */
  notice?: Notice;
  /** What `tslab.versions` reports. */
  versions?: Record<string, string>;
}

export interface JupyterCompat {
  /** The display data of a cell's value when the value renders itself (Jupyter.display symbol, ijavascript's _to*). */
  resultBundle(value: unknown): Promise<DisplayData[]> | undefined;
  /** The same as a MIME bundle (what the Jupyter plugin's displayValue answers). */
  resultMedia(value: unknown): Promise<MediaBundle> | undefined;
  /** After a cell's code ran: the completion of a cell that called $$.async(), for the kernel to await. */
  cellCompletion(): Promise<void> | undefined;
  /** Virtual modules by name (see JUPYTER_VIRTUAL_MODULES). */
  modules: Record<string, unknown>;
}

/** Display preference when only the kernel's display() is there: the richest type it can show. */
const FALLBACK: readonly [string, keyof KernelDisplay][] = [
  ['text/html', 'html'],
  ['image/svg+xml', 'svg'],
  ['image/png', 'png'],
  ['text/markdown', 'markdown'],
  ['application/json', 'json'],
  ['text/plain', 'text'],
];

export function installJupyterCompat(display: KernelDisplay, options: JupyterCompatOptions = {}): JupyterCompat {
  const target = options.target ?? (globalThis as Record<PropertyKey, unknown>);
  const notice = options.notice ?? ((message: string) => console.warn(message));
  const send = options.sendBundle ?? ((data: DisplayData[]) => showRichest(display, data));
  const show: ShowBundle = (bundle, what, target) => send(bundleToDisplayData(bundle, what), target);

  const deno = createDenoJupyter(show, notice);
  const ijavascript = createIjavascript(show, notice, options.execution);
  const tslab = createTslabModule(show, options.versions ?? { tslab: 'codajs', node: typeof process === 'object' ? process.versions.node : '' });
  const modules: Record<string, unknown> = { tslab };

  if (target.display === display) {
    // display(obj) of an object that renders itself shows its bundle, as Deno.jupyter.display would
    const own = (value: unknown, ...rest: unknown[]) =>
      hasJupyterDisplay(value) ? format(value).then((b) => show(b, 'display')) : (display as (...a: unknown[]) => void)(value, ...rest);
    target.display = Object.assign(own, display);
  }
  installDeno(target, deno);
  if (!('$$' in target)) target.$$ = ijavascript.$$;
  installModules(target, modules);

  return {
    resultBundle(value) {
      if (hasJupyterDisplay(value)) return format(value).then((b) => bundleToDisplayData(b, 'result'));
      if (hasIjavascriptRendering(value)) return Promise.resolve().then(() => bundleToDisplayData(ijavascriptBundle(value), 'result'));
      return undefined;
    },
    resultMedia(value) {
      if (hasJupyterDisplay(value)) return format(value);
      if (hasIjavascriptRendering(value)) return Promise.resolve().then(() => ijavascriptBundle(value));
      return undefined;
    },
    cellCompletion: () => ijavascript.takeCompletion(),
    modules,
  };
}

/** Found without a getter or a Proxy trap running: a cell's result is inspected, never run, unless it shows itself. */
function hasJupyterDisplay(value: unknown): boolean {
  return dataMethod(value, JUPYTER_DISPLAY) !== undefined;
}

function showRichest(display: KernelDisplay, data: DisplayData[]): void {
  for (const [mime, method] of FALLBACK) {
    const item = data.find((d) => d.mime === mime);
    if (item) return display[method](mime === 'application/json' ? JSON.parse(item.data) : item.data);
  }
  throw new TypeError(`This kernel cannot show ${data.map((d) => d.mime).join(', ')}`);
}

/**
 * Deno.jupyter exists only under `deno jupyter`; elsewhere its getter throws. globalThis.Deno is read-only but
 * configurable, and Deno.jupyter non-configurable: the global is replaced by a view of the same object whose
 * `jupyter` is ours. Other runtimes have no Deno global, and get none (code that tests for Deno must not be misled).
 */
function installDeno(target: Record<PropertyKey, unknown>, jupyter: object): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, 'Deno');
  const real = descriptor?.value ?? (descriptor?.get ? undefined : target.Deno);
  if (!real || typeof real !== 'object') return;
  const view = new Proxy(real as object, { get: (t, key) => (key === 'jupyter' ? jupyter : Reflect.get(t, key, t)) });
  Object.defineProperty(target, 'Deno', { value: view, writable: false, configurable: true, enumerable: descriptor?.enumerable ?? false });
}

/** `require('tslab')` and `import ... from 'tslab'` resolve to the compatibility modules before the kernel's loader. */
function installModules(target: Record<PropertyKey, unknown>, modules: Record<string, unknown>): void {
  const has = (id: unknown): id is string => typeof id === 'string' && Object.hasOwn(modules, id);
  const require = target.require;
  if (typeof require === 'function') {
    target.require = Object.assign((id: unknown, ...rest: unknown[]) => (has(id) ? modules[id] : require(id, ...rest)), require);
  }
  const load = target[IMPORT_HOOK];
  if (typeof load === 'function') {
    target[IMPORT_HOOK] = (id: unknown, ...rest: unknown[]) => (has(id) ? Promise.resolve(namespaceOf(modules[id])) : load(id, ...rest));
  }
}

function namespaceOf(module: unknown): Record<string, unknown> {
  return Object.freeze({ __proto__: null, ...(module as Record<string, unknown>), default: module }) as Record<string, unknown>;
}
