/**
 * A text masked, then cut to a budget, with the length a reader may be told. The length of the masked text, never the
 * original's: "… (36 characters)" after a mask would tell a secret's length (issue 19). Pure; the Sandbox's prelude
 * (worker/isolate/prelude/) does the same with its own scanner.
 */
import { MASK } from './mask';

/** What of a masker this needs: a Masker (maskSecrets.ts) or a SecretScanner (makeSecretScanner.ts). */
export interface MaskingCut {
  readonly active: boolean;
  text(s: string): string;
  cut(s: string, max: number): string;
}

/** `s` with its secrets masked and cut to `max` characters; `length` is the masked text's full length. */
export function maskedCut(mask: MaskingCut, s: string, max: number): { text: string; length: number } {
  const masked = mask.active ? mask.text(s) : s;
  return { text: masked.length > max ? mask.cut(masked, max) : masked, length: masked.length };
}

/**
 * The length a string value may show, or undefined when it holds a mask: a value masked only after it was described
 * (the host's second pass, an older saved output) still carries the original length.
 */
export function shownLength(v: { value: string; length: number }): number | undefined {
  return v.value.includes(MASK) ? undefined : v.length;
}

const INSPECT_TRAILER = /(\.\.\. )\d+( more characters?)/g;

/**
 * util.inspect's `... N more characters` trailers without their counts when the kernel has secrets: inspect counts
 * what it cut before anything is masked, so a secret in the cut part would show its length there.
 */
export function withoutCutCounts(mask: { readonly active: boolean }, text: string): string {
  return mask.active ? text.replace(INSPECT_TRAILER, '$1$2') : text;
}
