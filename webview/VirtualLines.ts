/**
 * A fixed-height scrolling list of text lines that keeps only the visible lines in the DOM, so 100k lines
 * stay responsive.
 */
import { h } from './dom';

export const LINE_HEIGHT_PX = 18;
export const VIEWPORT_HEIGHT_PX = 400;
/** Lines rendered above and below the visible window. */
export const OVERSCAN = 20;

export interface Line {
  text: string;
  level: string;
}

export class VirtualLines {
  readonly element: HTMLElement;
  private readonly content: HTMLElement;
  private first = -1;

  constructor(private readonly lines: Line[]) {
    this.content = h('div', { class: 'coda-virtual-content' });
    this.content.style.height = `${lines.length * LINE_HEIGHT_PX}px`;
    this.content.style.position = 'relative';
    this.element = h('div', { class: 'coda-virtual', attrs: { 'data-lines': String(lines.length) } }, this.content);
    this.element.style.maxHeight = `${VIEWPORT_HEIGHT_PX}px`;
    this.element.style.overflowY = 'auto';
    this.element.addEventListener('scroll', () => this.render());
    this.render();
  }

  /** Shows `line` at the top of the viewport (call once the list is in the document). */
  scrollToLine(line: number): void {
    this.element.scrollTop = Math.max(0, Math.min(line, this.lines.length - 1)) * LINE_HEIGHT_PX;
    this.render();
  }

  render(): void {
    const top = this.element.scrollTop;
    const first = Math.max(0, Math.floor(top / LINE_HEIGHT_PX) - OVERSCAN);
    if (first === this.first) return;
    this.first = first;
    const count = Math.ceil(VIEWPORT_HEIGHT_PX / LINE_HEIGHT_PX) + 2 * OVERSCAN;
    const rows: HTMLElement[] = [];
    for (let i = first; i < Math.min(this.lines.length, first + count); i++) {
      const line = this.lines[i]!;
      const row = h('div', { class: `coda-vline coda-level-${line.level}`, text: line.text });
      row.style.position = 'absolute';
      row.style.top = `${i * LINE_HEIGHT_PX}px`;
      row.style.height = `${LINE_HEIGHT_PX}px`;
      rows.push(row);
    }
    this.content.replaceChildren(...rows);
  }
}
