/**
 * The program text of a notebook as a script snapshot that tells TypeScript which part changed since the previous
 * one, so a keystroke re-parses only around the edited cell instead of the whole notebook.
 */
import type * as ts from 'typescript';
import type { TS } from './core/analyzeCell';

export class ProgramSnapshot implements ts.IScriptSnapshot {
  constructor(
    private readonly tsm: TS,
    readonly text: string,
    /** No change range: TypeScript parses a new source file and resolves its imports again (a store appeared). */
    private readonly whole = false,
  ) {}

  getText(start: number, end: number): string {
    return this.text.substring(start, end);
  }

  getLength(): number {
    return this.text.length;
  }

  getChangeRange(old: ts.IScriptSnapshot): ts.TextChangeRange | undefined {
    if (this.whole || !(old instanceof ProgramSnapshot)) return undefined;
    const a = old.text;
    const b = this.text;
    const max = Math.min(a.length, b.length);
    let prefix = 0;
    while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
    let suffix = 0;
    while (suffix < max - prefix && a.charCodeAt(a.length - 1 - suffix) === b.charCodeAt(b.length - 1 - suffix)) suffix++;
    return this.tsm.createTextChangeRange(this.tsm.createTextSpan(prefix, a.length - prefix - suffix), b.length - prefix - suffix);
  }
}
