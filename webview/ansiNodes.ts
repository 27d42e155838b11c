/** Console or error text with terminal escape sequences as styled spans (text nodes only, never HTML). */
import { parseAnsi } from './ansi';
import { h } from './dom';

export function ansiNodes(text: string): Node[] {
  return parseAnsi(text).map((s) => {
    if (!s.classes.length && !s.style) return document.createTextNode(s.text);
    const span = h('span', { class: s.classes.join(' '), text: s.text });
    if (s.style) span.setAttribute('style', s.style);
    return span;
  });
}
