/**
 * Secret masking: every string that leaves a kernel (console, results, errors, expansions, line values,
 * display data, exit notices, logs) passes through a Masker built from the notebook's secret values — first in the
 * kernel, before anything is cut to a budget, then again in the host. Pure: no Node, DOM or vscode imports.
 */
import { MASK } from './mask';
import { makeSecretScanner } from './makeSecretScanner';

export { MASK };
/** Values shorter than this are not masked (masking "a" would blank every output); such secrets are refused. */
export const MIN_SECRET_LENGTH = 4;
/** A cut that keeps this many leading characters of a secret (or more) masks them: a cut never reveals 8. */
export const PARTIAL_AT_CUT = 4;
/** An excerpt cut on both sides (V8's `JSON.parse` messages) sharing this many characters with a secret is masked. */
export const EXCERPT_OVERLAP = 6;

export const SCANNER_OPTIONS = { mask: MASK, minSecretLength: MIN_SECRET_LENGTH, partialAtCut: PARTIAL_AT_CUT, excerptOverlap: EXCERPT_OVERLAP };

export interface Masker {
  /** Every string anywhere inside a value (object keys included) with each secret form masked. */
  <T>(value: T): T;
  /** False when there is nothing to mask. */
  readonly active: boolean;
  /** Characters of the longest written form of a secret: text this far past a position decides it. */
  readonly longestForm: number;
  /** One string masked, including what is left of a secret before a truncation marker (`…`, `...`). */
  text(s: string): string;
  /**
   * The first `max` characters of `s`, masked before the cut: a secret that straddles the cut is masked whole, and
   * a kept start of a secret is never shown. Callers append their own "… (N more)" marker when `s.length > max`.
   */
  cut(s: string, max: number): string;
  /** The largest position <= end that does not split a secret (where a stream may be broken into chunks). */
  safeEnd(s: string, end: number): number;
  /** Where the end of `s` may be the start of a secret that later text completes (s.length when it cannot be). */
  heldFrom(s: string): number;
}

/** Replaces every secret, its escaped forms (JSON, util.inspect and Sandbox quoting, HTML) and cut remains. */
export function createMasker(secrets: readonly string[] | undefined): Masker {
  const scanner = makeSecretScanner(secrets ?? [], SCANNER_OPTIONS);
  const mask = <T>(value: T): T => scanner.value(value);
  return Object.assign(mask, {
    active: scanner.active,
    longestForm: scanner.longestForm,
    text: scanner.text,
    cut: scanner.cut,
    safeEnd: scanner.safeEnd,
    heldFrom: scanner.heldFrom,
  });
}

/** The masker of a kernel with no secrets: cuts still never split a surrogate pair. */
export const NO_SECRETS: Masker = createMasker([]);

/**
 * The complete lines of a stream's `text`, secrets masked before it is split (a secret may contain line breaks),
 * and the unfinished rest. A secret across the last line break stays in `rest` until it is complete. Lines for
 * which `verbatim` answers true (protocol frames, already masked) are passed on as they are.
 */
export function maskedLines(mask: Masker, text: string, verbatim?: (line: string) => boolean): { lines: string[]; rest: string } {
  let end = text.lastIndexOf('\n') + 1;
  if (mask.active) {
    for (let safe = mask.safeEnd(text, end); safe < end; safe = mask.safeEnd(text, end)) end = safe > 0 ? text.lastIndexOf('\n', safe - 1) + 1 : 0;
  }
  const rest = text.slice(end);
  const raw = end ? text.slice(0, end - 1).split('\n') : [];
  if (!mask.active) return { lines: raw, rest };
  const lines: string[] = [];
  let run: string[] = [];
  // each line keeps its line break while it is masked: a secret may end with one
  const masked = () => {
    if (!run.length) return;
    const out = mask.text(run.join('\n') + '\n');
    const pieces = out.split('\n');
    if (out.endsWith('\n')) pieces.pop();
    for (const line of pieces) lines.push(line);
    run = [];
  };
  for (const line of raw) {
    if (verbatim?.(line)) {
      masked();
      lines.push(line);
    } else run.push(line);
  }
  masked();
  return { lines, rest };
}
