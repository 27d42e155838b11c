/**
 * Secret masking: every string that leaves a kernel (console, results, errors, expansions, line values,
 * display data, exit notices, logs) passes through a Masker built from the notebook's secret values.
 * Pure: no Node, DOM or vscode imports.
 */

export const MASK = '••••••';
/** Values shorter than this are not masked (masking "a" would blank every output); such secrets are refused. */
export const MIN_SECRET_LENGTH = 4;

export type Masker = <T>(value: T) => T;

const identity: Masker = (v) => v;

/** A function that replaces every secret (and its escaped forms) in strings anywhere inside a value. */
export function createMasker(secrets: readonly string[] | undefined): Masker {
  const forms = new Set<string>();
  for (const s of secrets ?? []) {
    if (typeof s !== 'string' || s.length < MIN_SECRET_LENGTH) continue;
    forms.add(s);
    forms.add(JSON.stringify(s).slice(1, -1)); // inside JSON and double-quoted previews
    forms.add(s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')); // util.inspect's quoting
  }
  if (!forms.size) return identity;
  const pattern = new RegExp([...forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  const maskString = (s: string) => (s.length >= MIN_SECRET_LENGTH && pattern.test(s) ? ((pattern.lastIndex = 0), s.replace(pattern, MASK)) : ((pattern.lastIndex = 0), s));
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return maskString(v);
    if (v === null || typeof v !== 'object' || depth > 64) return v;
    if (Array.isArray(v)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const m = walk(v[i], depth + 1);
        if (m !== v[i]) (out ??= v.slice())[i] = m;
      }
      return out ?? v;
    }
    let out: Record<string, unknown> | undefined;
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
      const m = walk(item, depth + 1);
      const mk = maskString(k);
      if (m !== item || mk !== k) {
        out ??= { ...(v as Record<string, unknown>) };
        if (mk !== k) delete out[k];
        out[mk] = m;
      }
    }
    return out ?? v;
  };
  return <T>(value: T) => walk(value, 0) as T;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
