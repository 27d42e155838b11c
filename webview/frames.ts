/** Stack frames as clickable links that reveal the cell line (or file) in the editor, on a real click only. */
import { formatFrame, type StackFrame } from '../protocol/errors';
import { h } from './dom';

export type RevealFrame = (frame: StackFrame) => void;

export function frameList(frames: StackFrame[], label: (cellId: string) => string, reveal?: RevealFrame): HTMLElement {
  return h('div', { class: 'coda-frames' }, ...frames.map((f) => frameLine(f, label, reveal)));
}

function frameLine(f: StackFrame, label: (cellId: string) => string, reveal?: RevealFrame): HTMLElement {
  const where = formatFrame({ ...f, functionName: '' }, label);
  const link = h('a', { class: 'coda-frame-link', text: where, attrs: { href: '#', 'data-line': String(f.line) } });
  link.addEventListener('click', (e) => {
    e.preventDefault();
    // only the user's own click (or key press): a script in another output can call link.click(), which is untrusted
    if (e.isTrusted) reveal?.(f);
  });
  return h('div', { class: 'coda-frame' }, h('span', { text: `at ${f.functionName ? `${f.functionName} (` : ''}` }), link, f.functionName ? ')' : '');
}
