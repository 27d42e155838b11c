/** A `// %%` script <-> a .coda notebook (pure). Cell sources survive the round trip. */
import type { CodaDocument } from '../../protocol/codaFile';
import type { ScriptPlace } from '../../protocol/errors';
import { cellText, sourceLines } from '../../protocol/codaFormat';
import { scratchRuntime } from './scratchRuntime';
import { splitCells } from './splitCells';

export function scriptToNotebook(text: string, language: 'javascript' | 'typescript'): CodaDocument {
  // a `// @coda-runtime` comment carries over as the notebook's runtime
  const chosen = scratchRuntime(text, 'node');
  return {
    coda: 1,
    metadata: { runtime: 'runtime' in chosen ? chosen.runtime : 'node' },
    cells: splitCells(text).map((c) =>
      c.kind === 'markdown'
        ? { kind: 'markup' as const, language: 'markdown' as const, source: sourceLines(c.code) }
        : { kind: 'code' as const, language: c.language ?? language, source: sourceLines(c.code), ...(c.title ? { metadata: { title: c.title } } : {}) },
    ),
  };
}

/**
 * Where each cell of scriptToNotebook's notebook is in the script (`name` as the user named it): a frame in a cell
 * then names the script's line (`demo.ts:14:9`), not the cell's.
 */
export function scriptPlaces(name: string, text: string): ScriptPlace[] {
  return splitCells(text).map((c) => ({ name, line: c.startLine + 1 }));
}

/**
 * The notebook as one script: a .ts file when any code cell is TypeScript, where JavaScript cells are marked
 * `// %% [javascript]` so the editor checks them as the notebook did (as JavaScript) and converting back keeps them.
 */
export function notebookToScript(doc: CodaDocument): string {
  const ts = scriptLanguage(doc) === 'typescript';
  return doc.cells
    .map((c) => {
      if (c.kind === 'markup')
        return [
          '// %% [markdown]',
          ...cellText(c)
            .split('\n')
            .map((l) => (l ? `// ${l}` : '//')),
        ].join('\n');
      const title = typeof c.metadata?.title === 'string' ? ` ${c.metadata.title}` : '';
      const tag = ts && c.language === 'javascript' ? ' [javascript]' : '';
      return `// %%${tag}${title}\n${cellText(c)}`;
    })
    .join('\n');
}

/** The language of the script a notebook exports to: TypeScript when any code cell is. */
export function scriptLanguage(doc: CodaDocument): 'javascript' | 'typescript' {
  return doc.cells.some((c) => c.kind === 'code' && c.language === 'typescript') ? 'typescript' : 'javascript';
}
