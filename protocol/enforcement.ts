/**
 * What each runtime really enforces for each capability, in the words users read: the grant prompt shows the row of
 * the notebook's runtime, `coda run` prints it before running a notebook that declares permissions, and
 * docs/security.md holds the same table (a unit test keeps the three in step). One table, so no place can claim more
 * than the runtime holds. Pure: no Node, DOM or vscode imports.
 */
import type { RuntimeKind } from './messages';
import type { Capability } from './permissions';
import { CAPABILITIES } from './permissions';

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

const BUN_REFUSED: Enforcement = { level: 'refused', how: 'not enforced: Bun has no permission model, so a notebook that declares permissions does not run on Bun' };

export const ENFORCEMENT: Record<RuntimeKind, Record<Capability, Enforcement>> = {
  deno: {
    net: { level: 'enforced', how: "enforced by Deno (--allow-net, and --allow-import for remote modules)" },
    read: { level: 'enforced', how: 'enforced by Deno (--allow-read)' },
    write: { level: 'enforced', how: 'enforced by Deno (--allow-write)' },
    env: { level: 'enforced', how: 'enforced by Deno (--allow-env; only granted variables are passed)' },
    run: { level: 'enforced', how: 'enforced by Deno (--allow-run; a granted program runs with your rights)' },
  },
  node: {
    net: { level: 'checked', how: 'checked by CodaJS inside the kernel on the address each socket connects to (a seat belt, not enforced by Node)' },
    read: { level: 'enforced', how: "enforced by Node's permission model (--allow-fs-read)" },
    write: { level: 'enforced', how: "enforced by Node's permission model (--allow-fs-write)" },
    env: { level: 'enforced', how: 'enforced: the kernel process starts with only the granted variables and secrets' },
    run: { level: 'checked', how: 'checked by CodaJS inside the kernel on the resolved program path (a seat belt; a granted program runs with your rights)' },
  },
  isolate: {
    net: { level: 'enforced', how: 'enforced by the Sandbox: its only network API is a fetch the host checks at every request and redirect' },
    read: { level: 'absent', how: 'nothing to grant: the Sandbox has no file system' },
    write: { level: 'absent', how: 'nothing to grant: the Sandbox has no file system' },
    env: { level: 'enforced', how: 'enforced by the Sandbox: only granted variables and secrets are copied in' },
    run: { level: 'absent', how: 'nothing to grant: the Sandbox cannot start programs' },
  },
  bun: { net: BUN_REFUSED, read: BUN_REFUSED, write: BUN_REFUSED, env: BUN_REFUSED, run: BUN_REFUSED },
};

/** Runtimes in the order the docs list them. */
const DOC_ORDER: readonly RuntimeKind[] = ['deno', 'node', 'isolate', 'bun'];
const DOC_NAMES: Record<RuntimeKind, string> = { deno: 'Deno', node: 'Node.js', isolate: 'Sandbox', bun: 'Bun' };

/** The table in docs/security.md, generated from ENFORCEMENT (`node scripts/enforcementTable.mjs` prints it). */
export function enforcementTableMarkdown(): string {
  const rows = [`| | ${CAPABILITIES.join(' | ')} |`, `|---|${CAPABILITIES.map(() => '---|').join('')}`];
  for (const runtime of DOC_ORDER) {
    rows.push(`| **${DOC_NAMES[runtime]}** | ${CAPABILITIES.map((c) => ENFORCEMENT[runtime][c].how).join(' | ')} |`);
  }
  return rows.join('\n');
}

/** One line per declared capability: what it grants and how the runtime holds it (grant prompt, `coda run`). */
export function enforcementLines(runtime: RuntimeKind, declared: Partial<Record<Capability, readonly string[]>>): { capability: Capability; how: string; level: EnforcementLevel }[] {
  return CAPABILITIES.filter((c) => declared[c] !== undefined).map((c) => ({ capability: c, ...ENFORCEMENT[runtime][c] }));
}
