/**
 * ANSI SGR escape sequences in console text -> styled segments (pure). Supports reset, bold, dim, italic,
 * underline, 8/16 colours (30-37, 90-97, 40-47, 100-107), 256 colours and truecolor (38;5;n, 38;2;r;g;b).
 */
export interface Segment {
  text: string;
  classes: string[];
  style?: string;
}

const SGR = /\x1b\[([0-9;]*)m/g;

interface State {
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  fg?: string;
  bg?: string;
  fgStyle?: string;
  bgStyle?: string;
}

export function parseAnsi(text: string): Segment[] {
  const out: Segment[] = [];
  let st: State = { bold: false, dim: false, italic: false, underline: false };
  let last = 0;
  const push = (t: string) => {
    if (!t) return;
    const classes: string[] = [];
    if (st.bold) classes.push('ansi-bold');
    if (st.dim) classes.push('ansi-dim');
    if (st.italic) classes.push('ansi-italic');
    if (st.underline) classes.push('ansi-underline');
    if (st.fg) classes.push(`ansi-fg-${st.fg}`);
    if (st.bg) classes.push(`ansi-bg-${st.bg}`);
    const style = [st.fgStyle && `color:${st.fgStyle}`, st.bgStyle && `background-color:${st.bgStyle}`].filter(Boolean).join(';');
    out.push(style ? { text: t, classes, style } : { text: t, classes });
  };
  for (const m of text.matchAll(SGR)) {
    push(text.slice(last, m.index));
    last = m.index! + m[0].length;
    const codes = (m[1] || '0').split(';').map(Number);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i]!;
      if (c === 0) st = { bold: false, dim: false, italic: false, underline: false };
      else if (c === 1) st.bold = true;
      else if (c === 2) st.dim = true;
      else if (c === 3) st.italic = true;
      else if (c === 4) st.underline = true;
      else if (c === 22) st.bold = st.dim = false;
      else if (c === 23) st.italic = false;
      else if (c === 24) st.underline = false;
      else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) (st.fg = String(c >= 90 ? c - 90 + 8 : c - 30)), (st.fgStyle = undefined);
      else if ((c >= 40 && c <= 47) || (c >= 100 && c <= 107)) (st.bg = String(c >= 100 ? c - 100 + 8 : c - 40)), (st.bgStyle = undefined);
      else if (c === 39) st.fg = st.fgStyle = undefined;
      else if (c === 49) st.bg = st.bgStyle = undefined;
      else if (c === 38 || c === 48) {
        const fg = c === 38;
        let color: string | undefined;
        if (codes[i + 1] === 5) {
          color = xterm256(codes[i + 2] ?? 0);
          i += 2;
        } else if (codes[i + 1] === 2) {
          color = `rgb(${codes[i + 2] ?? 0},${codes[i + 3] ?? 0},${codes[i + 4] ?? 0})`;
          i += 4;
        }
        if (fg) (st.fg = undefined), (st.fgStyle = color);
        else (st.bg = undefined), (st.bgStyle = color);
      }
    }
  }
  push(text.slice(last));
  return out;
}

const BASE16 = ['#000000', '#cd3131', '#0dbc79', '#e5e510', '#2472c8', '#bc3fbc', '#11a8cd', '#e5e5e5', '#666666', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#ffffff'];

function xterm256(n: number): string {
  if (n < 16) return BASE16[n]!;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(i / 36))},${level(Math.floor(i / 6) % 6)},${level(i % 6)})`;
}
