/**
 * What each runtime really enforces for each capability, in the words users read: the grant prompt shows the row of
 * the notebook's runtime, `coda run` prints it before running a notebook that declares permissions, and
 * docs/security.md holds the same table (a unit test keeps the three in step). One table, so no place can claim more
 * than the runtime holds. Pure: no Node, DOM or vscode imports.
 */
import type { RuntimeKind } from './messages';
import type { Capability } from './permissions';
import { CAPABILITIES } from './permissions';
import { RUNTIME_IDS, RUNTIMES } from './runtimes';

/**
 * - `enforced`: the runtime itself refuses the access, whatever the cell's code does;
 * - `checked`: CodaJS checks every access in JavaScript inside the kernel, on the final target (a seat belt: a
 *   flaw in the check, or in Node, would let code past it);
 * - `absent`: the runtime offers no API for it at all, so nothing can be granted;
 * - `refused`: the runtime cannot enforce permissions, so a notebook that declares them does not run there.
 */
export type EnforcementLevel = 'enforced' | 'checked' | 'absent' | 'refused';

export interface Enforcement {
  level: EnforcementLevel;
  /** How, in one short sentence fragment users read in the grant prompt, `coda run` and the docs. */
  how: string;
}

/** What each runtime enforces of each capability (the `enforces` of its descriptor in protocol/runtimes.ts). */
export const ENFORCEMENT = Object.fromEntries(RUNTIME_IDS.map((id) => [id, RUNTIMES[id].enforces])) as Record<RuntimeKind, Record<Capability, Enforcement>>;

/** Runtimes in the order the docs list them. */
const DOC_ORDER: readonly RuntimeKind[] = ['deno', 'node', 'sandbox', 'bun'];

/** The table in docs/security.md, generated from ENFORCEMENT (`node scripts/enforcementTable.mjs` prints it). */
export function enforcementTableMarkdown(): string {
  const rows = [`| | ${CAPABILITIES.join(' | ')} |`, `|---|${CAPABILITIES.map(() => '---|').join('')}`];
  for (const runtime of DOC_ORDER) {
    rows.push(`| **${RUNTIMES[runtime].shortLabel}** | ${CAPABILITIES.map((c) => ENFORCEMENT[runtime][c].how).join(' | ')} |`);
  }
  return rows.join('\n');
}

/** One line per declared capability: what it grants and how the runtime holds it (grant prompt, `coda run`). */
export function enforcementLines(
  runtime: RuntimeKind,
  declared: Partial<Record<Capability, readonly string[]>>,
): { capability: Capability; how: string; level: EnforcementLevel }[] {
  return CAPABILITIES.filter((c) => declared[c] !== undefined).map((c) => ({ capability: c, ...ENFORCEMENT[runtime][c] }));
}
