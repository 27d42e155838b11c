/** The text shown at the end of a line for values and console output (pure; golden-tested). */
import type { ConsoleEntry, RemoteValue } from '../../protocol';

/** Characters of one inline annotation. */
export const MAX_INLINE_CHARS = 80;

const cut = (s: string) => (s.length > MAX_INLINE_CHARS ? `${s.slice(0, MAX_INLINE_CHARS - 1)}…` : s);

export function inlineValue(v: RemoteValue): string {
  switch (v.type) {
    case 'undefined':
    case 'null':
      return v.type;
    case 'boolean':
      return String(v.value);
    case 'string':
      return cut(`'${v.value.replace(/\n/g, '\\n')}'`);
    case 'object':
      return cut(v.preview);
    default:
      return v.text;
  }
}

export function inlineConsole(e: ConsoleEntry): string {
  const first = e.text.split('\n')[0] ?? '';
  const more = e.text.includes('\n') ? ' …' : '';
  return cut(`${e.level === 'log' ? '' : `${e.level}: `}${first}${more}`);
}

/** Everything one line got, in order: `→ 42 · hello · warn: careful`. */
export function lineAnnotation(parts: string[]): string {
  return cut(parts.join(' · '));
}
