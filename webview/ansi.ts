/**
 * Terminal escape sequences in console text -> styled segments (pure). SGR styles are kept: reset, bold,
 * dim, italic, underline, strikethrough, 8/16 colours (30-37, 90-97, 40-47, 100-107), 256 colours and
 * truecolor (38;5;n, 38;2;r;g;b, and the colon forms 38:5:n, 38:2::r:g:b). Everything else a terminal would
 * act on is removed rather than shown raw: cursor movement, erase and every other CSI sequence, OSC (window
 * titles, OSC 8 hyperlinks: their text stays, as plain text, never a link: a link opens only when the user
 * asks, not because program output says so), DCS, SOS, PM and APC strings, and other ESC sequences, in
 * their 7-bit and 8-bit (C1) forms.
 *
 * Hand-written because the maintained browser-safe parsers checked (anser 2.3, ansi-sequence-parser 1.1)
 * show OSC 8 links, DCS and APC strings raw.
 */
export interface Segment {
  text: string;
  classes: string[];
  style?: string;
}

/**
 * One escape sequence (ECMA-48): CSI with its parameters, intermediates and final byte; OSC up to BEL or ST;
 * DCS/SOS/PM/APC up to ST (an unterminated string runs to the end of the text, as in a terminal); any other
 * ESC with its intermediates and final byte; or a lone ESC.
 */
const SEQUENCE =
  /(?:\x1b\[|\x9b)([\x30-\x3f]*)([\x20-\x2f]*)([\x40-\x7e])?|(?:\x1b\]|\x9d)([^\x07\x1b\x9c]*)(?:\x07|\x1b\\|\x9c|$)|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c|$)|\x1b[\x20-\x2f]*[\x30-\x7e]?/g;

interface State {
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  strike: boolean;
  fg?: string;
  bg?: string;
  fgStyle?: string;
  bgStyle?: string;
}

const plain = (): State => ({ bold: false, dim: false, italic: false, underline: false, strike: false });

export function parseAnsi(text: string): Segment[] {
  const out: Segment[] = [];
  let st = plain();
  let last = 0;
  const push = (t: string) => {
    if (!t) return;
    const classes: string[] = [];
    if (st.bold) classes.push('ansi-bold');
    if (st.dim) classes.push('ansi-dim');
    if (st.italic) classes.push('ansi-italic');
    if (st.underline) classes.push('ansi-underline');
    if (st.strike) classes.push('ansi-strike');
    if (st.fg) classes.push(`ansi-fg-${st.fg}`);
    if (st.bg) classes.push(`ansi-bg-${st.bg}`);
    const style = [st.fgStyle && `color:${st.fgStyle}`, st.bgStyle && `background-color:${st.bgStyle}`].filter(Boolean).join(';');
    const prev = out[out.length - 1];
    // text split only by removed sequences stays one segment
    if (prev && prev.classes.join(' ') === classes.join(' ') && prev.style === (style || undefined)) prev.text += t;
    else out.push(style ? { text: t, classes, style } : { text: t, classes });
  };
  for (const m of text.matchAll(SEQUENCE)) {
    push(text.slice(last, m.index));
    last = m.index + m[0].length;
    // SGR: a CSI with digits, ; and : only, no intermediates, final m
    if (m[3] === 'm' && !m[2] && /^[0-9;:]*$/.test(m[1] ?? '')) st = applySgr(st, m[1] ?? '');
  }
  push(text.slice(last));
  return out;
}

/** The text with every escape sequence removed (for places that show no styles). */
export function stripAnsi(text: string): string {
  return parseAnsi(text)
    .map((s) => s.text)
    .join('');
}

function applySgr(state: State, params: string): State {
  let st = { ...state };
  const groups = (params || '0').split(';');
  for (let i = 0; i < groups.length; i++) {
    const sub = groups[i]!.split(':').map((p) => (p === '' ? 0 : Number(p)));
    const c = sub[0]!;
    if (c === 0) st = plain();
    else if (c === 1) st.bold = true;
    else if (c === 2) st.dim = true;
    else if (c === 3) st.italic = true;
    else if (c === 4) st.underline = sub[1] !== 0;
    else if (c === 9) st.strike = true;
    else if (c === 22) st.bold = st.dim = false;
    else if (c === 23) st.italic = false;
    else if (c === 24) st.underline = false;
    else if (c === 29) st.strike = false;
    else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) {
      st.fg = String(c >= 90 ? c - 90 + 8 : c - 30);
      st.fgStyle = undefined;
    } else if ((c >= 40 && c <= 47) || (c >= 100 && c <= 107)) {
      st.bg = String(c >= 100 ? c - 100 + 8 : c - 40);
      st.bgStyle = undefined;
    } else if (c === 39) st.fg = st.fgStyle = undefined;
    else if (c === 49) st.bg = st.bgStyle = undefined;
    else if (c === 38 || c === 48) {
      let color: string | undefined;
      if (sub.length > 1) {
        // colon form: 38:5:n or 38:2:[colour space]:r:g:b
        if (sub[1] === 5) color = xterm256(sub[2] ?? 0);
        else if (sub[1] === 2) color = rgb(sub.length >= 6 ? sub.slice(3, 6) : sub.slice(2, 5));
      } else {
        const next = Number(groups[i + 1]);
        if (next === 5) {
          color = xterm256(Number(groups[i + 2] ?? 0));
          i += 2;
        } else if (next === 2) {
          color = rgb(groups.slice(i + 2, i + 5).map(Number));
          i += 4;
        }
      }
      if (c === 38) {
        st.fg = undefined;
        st.fgStyle = color;
      } else {
        st.bg = undefined;
        st.bgStyle = color;
      }
    }
  }
  return st;
}

const byte = (n: number | undefined) => Math.min(255, Math.max(0, Math.trunc(Number.isFinite(n) ? n! : 0)));

function rgb(parts: number[]): string {
  return `rgb(${byte(parts[0])},${byte(parts[1])},${byte(parts[2])})`;
}

const BASE16 = [
  '#000000',
  '#cd3131',
  '#0dbc79',
  '#e5e510',
  '#2472c8',
  '#bc3fbc',
  '#11a8cd',
  '#e5e5e5',
  '#666666',
  '#f14c4c',
  '#23d18b',
  '#f5f543',
  '#3b8eea',
  '#d670d6',
  '#29b8db',
  '#ffffff',
];

function xterm256(value: number): string {
  const n = byte(value);
  if (n < 16) return BASE16[n]!;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(i / 36))},${level(Math.floor(i / 6) % 6)},${level(i % 6)})`;
}
