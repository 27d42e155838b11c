/**
 * The `tslab` module cells import (`import * as tslab from "tslab"`): its `display` object and `newDisplay()`,
 * as tslab's public API declares them (src/public.ts). A display made by newDisplay() has a display id of its own:
 * its first call adds an output, every later call replaces that output (Jupyter's update_display_data), as in tslab.
 */
import type crypto from 'node:crypto';
import type { DisplayTarget, ShowBundle } from './denoJupyter';
import { toBase64 } from './mimeBundle';
import { getBuiltin } from '../runtime/getBuiltin';

export interface TslabDisplay {
  javascript(s: string): void;
  html(s: string): void;
  markdown(s: string): void;
  latex(s: string): void;
  svg(s: string): void;
  png(b: Uint8Array): void;
  jpeg(b: Uint8Array): void;
  gif(b: Uint8Array): void;
  pdf(b: Uint8Array): void;
  text(s: string): void;
  raw(contentType: string, b: string | Uint8Array): void;
}

const bytes = (b: unknown, what: string): string => {
  if (b instanceof Uint8Array || b instanceof ArrayBuffer) return toBase64(b);
  throw new TypeError(`tslab.display.${what} expects bytes (a Uint8Array or Buffer)`);
};

export function createTslabModule(show: ShowBundle, versions: Record<string, string>) {
  /** `id`: a newDisplay()'s display id; its first output is shown as new, later ones replace it. */
  const makeDisplay = (id?: string): TslabDisplay => {
    let shown = false;
    const target = (): DisplayTarget | undefined => {
      if (id === undefined) return undefined;
      const update = shown;
      shown = true;
      return { displayId: id, update };
    };
    const text = (mime: string, what: string) => (s: string) => show({ [mime]: String(s) }, `tslab.display.${what}`, target());
    const binary = (mime: string, what: string) => (b: Uint8Array) => {
      const data = bytes(b, what);
      show({ [mime]: data }, `tslab.display.${what}`, target());
    };
    return {
      javascript: text('application/javascript', 'javascript'),
      html: text('text/html', 'html'),
      markdown: text('text/markdown', 'markdown'),
      latex: text('text/latex', 'latex'),
      svg: text('image/svg+xml', 'svg'),
      png: binary('image/png', 'png'),
      jpeg: binary('image/jpeg', 'jpeg'),
      gif: binary('image/gif', 'gif'),
      pdf: binary('application/pdf', 'pdf'),
      text: text('text/plain', 'text'),
      raw: (contentType, b) => {
        const data = typeof b === 'string' ? b : bytes(b, 'raw');
        show({ [contentType]: data }, 'tslab.display.raw', target());
      },
    };
  };
  /** A display that shows and then overwrites one output (tslab's own ids are 8 random bytes in hex too). */
  const newDisplay = (): TslabDisplay => makeDisplay((getBuiltin('node:crypto') as typeof crypto).randomBytes(8).toString('hex'));
  return { display: makeDisplay(), newDisplay, versions };
}
