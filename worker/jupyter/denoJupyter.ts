/**
 * `Deno.jupyter` as `deno jupyter` defines it (Deno 2, cli/js/40_jupyter.js): display, format, html/md/svg tagged
 * templates, image, broadcast, $display. `display(obj, { display_id })` names its output, and
 * `display(obj, { display_id, update: true })` (or broadcasting `update_display_data` with `transient.display_id`)
 * replaces the outputs shown with that id, in any cell, as Jupyter frontends do. What a CodaJS notebook cannot do is
 * said in the cell, not silently dropped: `broadcast` of anything but display data has no Jupyter frontend to reach.
 */
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { JPEG_SIGNATURE, JUPYTER_DISPLAY, PNG_SIGNATURE, startsWith, toBase64 } from './mimeBundle';

export type MediaBundle = Record<string, unknown>;
/** Which output a bundle goes to: a new one, one named by a display id, or (update) the ones shown with the id. */
export interface DisplayTarget {
  displayId?: string;
  update?: boolean;
}
export type ShowBundle = (bundle: MediaBundle, what: string, target?: DisplayTarget) => void;
export type Notice = (message: string) => void;

export interface DisplayOptions {
  raw?: boolean;
  update?: boolean;
  display_id?: string;
}

/** A display id as Jupyter messages carry it (a string; a number is taken as its text), or undefined. */
export function displayIdOf(id: unknown): string | undefined {
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return typeof id === 'string' && id !== '' ? id : undefined;
}

const displayable = (bundle: MediaBundle) => ({ [JUPYTER_DISPLAY]: () => bundle });
const tagged =
  (mime: string) =>
  (strings: TemplateStringsArray | string, ...values: unknown[]) =>
    displayable({ [mime]: typeof strings === 'string' ? strings : String.raw({ raw: strings.raw }, ...values) });

/** The bundle Deno's kernel would show for a value. Calls the value's own Symbol.for("Jupyter.display") method. */
export async function format(obj: unknown): Promise<MediaBundle> {
  if (obj === undefined) return { 'text/plain': 'undefined' };
  if (obj === null) return { 'text/plain': 'null' };
  const own = (obj as Record<symbol, unknown>)[JUPYTER_DISPLAY];
  if (typeof own === 'function') return (await own.call(obj)) as MediaBundle;
  if (typeof obj !== 'object') return { 'text/plain': inspect(obj) };
  const o = obj as Record<string, unknown>;
  if (typeof o.toDataURL === 'function') {
    // a canvas: data:<mime>;base64,<data>
    const [head, data] = String(o.toDataURL()).split(',', 2);
    const mime = /^data:([^;,]+)/.exec(head ?? '')?.[1];
    if (mime && data) return { [mime]: data };
  }
  if (typeof o.toSpec === 'function') return { 'application/vnd.vegalite.v5+json': o.toSpec(), 'text/plain': inspect(obj) };
  if (startsWith(obj, JPEG_SIGNATURE)) return { 'image/jpeg': toBase64(obj) };
  if (startsWith(obj, PNG_SIGNATURE)) return { 'image/png': toBase64(obj) };
  if (typeof o.outerHTML === 'string') return o.outerHTML.startsWith('<svg') ? { 'image/svg+xml': o.outerHTML } : { 'text/html': o.outerHTML };
  return { 'text/plain': inspect(obj) };
}

export function createDenoJupyter(show: ShowBundle, notice: Notice) {
  let noIdNoticed = false;
  /** An update names the outputs it replaces by their display id; without one it reaches none (Jupyter drops it). */
  const send = (bundle: MediaBundle, what: string, id: unknown, update: boolean) => {
    const displayId = displayIdOf(id);
    if (update && displayId === undefined) {
      if (!noIdNoticed) {
        noIdNoticed = true;
        notice(`${what}: an update without a display_id replaces no output, so nothing was shown (as in Jupyter)`);
      }
      return;
    }
    show(bundle, what, { displayId, update });
  };
  const display = async (obj: unknown, options: DisplayOptions = {}): Promise<void> => {
    const bundle = options.raw ? (obj as MediaBundle) : await format(obj);
    send(bundle, 'Deno.jupyter.display', options.display_id, !!options.update);
  };
  const image = (source: string | Uint8Array) => {
    const bytes = typeof source === 'string' ? new Uint8Array(readFileSync(source)) : source;
    if (startsWith(bytes, PNG_SIGNATURE)) return displayable({ 'image/png': toBase64(bytes) });
    if (startsWith(bytes, JPEG_SIGNATURE)) return displayable({ 'image/jpeg': toBase64(bytes) });
    throw new TypeError('Deno.jupyter.image expects a PNG or JPEG (a path or bytes)');
  };
  const broadcast = async (msgType: string, content: Record<string, unknown> = {}): Promise<void> => {
    if (msgType === 'display_data' || msgType === 'update_display_data') {
      const transient = content.transient && typeof content.transient === 'object' ? (content.transient as Record<string, unknown>) : {};
      send((content.data ?? {}) as MediaBundle, 'Deno.jupyter.broadcast', transient.display_id, msgType === 'update_display_data');
      return;
    }
    notice(`Deno.jupyter.broadcast(${JSON.stringify(String(msgType))}) was ignored: a CodaJS notebook has no Jupyter frontend to send it to`);
  };
  return { display, format, html: tagged('text/html'), md: tagged('text/markdown'), svg: tagged('image/svg+xml'), image, broadcast, $display: JUPYTER_DISPLAY };
}
