/**
 * The `tslab` module cells import (`import * as tslab from "tslab"`): its `display` object and `newDisplay()`,
 * as tslab's public API declares them. A display made by newDisplay() updates its own output in tslab; in CodaJS
 * each call adds an output (said once in the cell).
 */
import type { Notice, ShowBundle } from './denoJupyter';
import { toBase64 } from './mimeBundle';

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

export function createTslabModule(show: ShowBundle, notice: Notice, versions: Record<string, string>) {
  const makeDisplay = (): TslabDisplay => {
    const text = (mime: string, what: string) => (s: string) => show({ [mime]: String(s) }, `tslab.display.${what}`);
    const binary = (mime: string, what: string) => (b: Uint8Array) => show({ [mime]: bytes(b, what) }, `tslab.display.${what}`);
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
      raw: (contentType, b) => show({ [contentType]: typeof b === 'string' ? b : bytes(b, 'raw') }, 'tslab.display.raw'),
    };
  };
  let noticed = false;
  const newDisplay = (): TslabDisplay => {
    if (!noticed) {
      noticed = true;
      notice("tslab.newDisplay(): CodaJS adds a new output for each call (it does not replace the display's earlier output)");
    }
    return makeDisplay();
  };
  return { display: makeDisplay(), newDisplay, versions };
}
