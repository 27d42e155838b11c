/**
 * Answers of a notebook's program, moved back into the documents the editor knows. A location inside the program
 * text becomes a location in a cell's document; one that falls between cells is dropped; locations in other files
 * (lib, packages, runtime declarations) pass unchanged.
 */
import type * as ts from 'typescript';
import type { NotebookLanguageService } from './NotebookLanguageService';

export class ResultMapper {
  constructor(private readonly svc: NotebookLanguageService) {}

  span(span: ts.TextSpan): ts.TextSpan | undefined {
    const l = this.svc.toDocument(span.start, span.length);
    return l && { start: l.start, length: l.length };
  }

  /** Any `{fileName, textSpan, contextSpan?}`: definitions, references, rename locations. */
  location<T extends { fileName: string; textSpan: ts.TextSpan; contextSpan?: ts.TextSpan | undefined }>(item: T): T | undefined {
    if (item.fileName !== this.svc.programFile) return item;
    const l = this.svc.toDocument(item.textSpan.start, item.textSpan.length);
    if (!l) return undefined;
    const ctx = item.contextSpan && this.svc.toDocument(item.contextSpan.start, item.contextSpan.length);
    const mapped = { ...item, fileName: l.fileName, textSpan: { start: l.start, length: l.length } };
    if (item.contextSpan) mapped.contextSpan = ctx && ctx.fileName === l.fileName ? { start: ctx.start, length: ctx.length } : undefined;
    return mapped;
  }

  locations<T extends { fileName: string; textSpan: ts.TextSpan; contextSpan?: ts.TextSpan | undefined }>(items: readonly T[] | undefined): T[] | undefined {
    return items?.flatMap((i) => {
      const m = this.location(i);
      return m ? [m] : [];
    });
  }

  /**
   * Edits of a code action: edits inside cells go to their documents; an insertion the program puts between cells
   * (an added import at the top) goes to the start of the requesting document.
   */
  fileChanges(changes: readonly ts.FileTextChanges[], requester: string): ts.FileTextChanges[] {
    const byFile = new Map<string, ts.TextChange[]>();
    const add = (f: string, c: ts.TextChange) => byFile.set(f, [...(byFile.get(f) ?? []), c]);
    const out: ts.FileTextChanges[] = [];
    for (const fc of changes) {
      if (fc.fileName !== this.svc.programFile) {
        out.push(fc);
        continue;
      }
      for (const c of fc.textChanges) {
        const l = this.svc.toDocument(c.span.start, c.span.length);
        if (l && l.length === c.span.length) add(l.fileName, { span: { start: l.start, length: l.length }, newText: c.newText });
        else if (c.span.length === 0) add(requester, { span: { start: 0, length: 0 }, newText: c.newText });
      }
    }
    for (const [fileName, textChanges] of byFile) out.push({ fileName, textChanges });
    return out;
  }

  completions(r: ts.CompletionInfo | undefined): ts.CompletionInfo | undefined {
    if (!r) return r;
    const entries = r.entries.map((e) => {
      if (!e.replacementSpan) return e;
      const span = this.span(e.replacementSpan);
      const { replacementSpan: _drop, ...rest } = e;
      return span ? { ...e, replacementSpan: span } : rest;
    });
    const optional = r.optionalReplacementSpan && this.span(r.optionalReplacementSpan);
    const { optionalReplacementSpan: _o, ...rest } = r;
    return optional ? { ...rest, entries, optionalReplacementSpan: optional } : { ...rest, entries };
  }

  /** Encoded classifications (`[start, length, class]*`) of program ranges, kept where they fall in `fileName`. */
  classifications(spans: readonly number[], fileName: string): number[] {
    const out: number[] = [];
    for (let i = 0; i + 2 < spans.length; i += 3) {
      const l = this.svc.toDocument(spans[i]!, spans[i + 1]!);
      if (l && l.fileName === fileName) out.push(l.start, l.length, spans[i + 2]!);
    }
    return out;
  }
}
