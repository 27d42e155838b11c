/**
 * What `coda run` writes to a terminal comes from cell code: console output, results, error messages, cell titles.
 * A terminal obeys control sequences in that text — set the window title or the clipboard (OSC 0/52), plant links
 * (OSC 8), move the cursor and overwrite lines, switch screens, hide text — so every control character is shown
 * as a visible escape (`\x1b`, `\x9b`, `\u202e`) instead of reaching the terminal. Colours (SGR `ESC[…m`) are
 * kept, except "conceal", which hides text. Pure.
 */

/** An SGR sequence with more parameter characters than this is not a colour: shown escaped. */
export const MAX_SGR_PARAMS = 64;
const SGR = new RegExp(`^\\x1b\\[([0-9;:]{0,${MAX_SGR_PARAMS}})m`);
/** Text direction overrides and isolates reorder what is shown (the "Trojan Source" trick) and hide text. */
const BIDI = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const RESET = '\x1b[0m';
/** Every character terminalSafe may change: C0 but line feed and tab, DEL, C1, bidi controls. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const hex = (c: number, width: number) => c.toString(16).padStart(width, '0');
const visible = (c: number) => (c <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`);

/** True for SGR parameters that include 8 (conceal), outside the 38/48/58 colour forms whose arguments may be 8. */
function conceals(params: string): boolean {
  const parts = params.split(';');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.includes(':')) continue; // 38:5:8 style: one colour argument
    const n = Number(p || '0');
    if (n === 38 || n === 48 || n === 58) i += parts[i + 1] === '5' ? 2 : parts[i + 1] === '2' ? 4 : 0;
    else if (n === 8) return true;
  }
  return false;
}

/** Text safe to write to a terminal: line feeds, tabs and colours kept, every other control made visible. */
export function terminalSafe(text: string): string {
  // most output has no control character at all: return it as it is
  if (!CONTROL.test(text)) return text;
  let out = '';
  let coloured = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x09 || (c >= 0x20 && c < 0x7f)) {
      out += text[i];
      continue;
    }
    if (c === 0x1b) {
      const m = SGR.exec(text.slice(i, i + MAX_SGR_PARAMS + 4));
      if (m && !conceals(m[1]!)) {
        out += m[0];
        i += m[0].length - 1;
        coloured = true;
        continue;
      }
    }
    // CR LF is a line end; a lone CR would return to the line start and overwrite what was printed
    if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) continue;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || BIDI.test(text[i]!)) out += visible(c);
    else out += text[i];
  }
  // colours a cell left on must not bleed into what CodaJS prints next
  return coloured ? out + RESET : out;
}

/** JSON text (from JSON.stringify) with the characters it leaves raw but terminals obey (C1 controls, DEL, bidi
 * controls, line/paragraph separators) written as \u escapes: the same JSON value, safe to print. */
export function jsonSafe(json: string): string {
  return json.replace(/[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${hex(c.charCodeAt(0), 4)}`);
}
