/**
 * The `.coda` reader's checks of a notebook's `permissions` and `secrets` metadata, node by node, so that a bad
 * declaration is refused with the line and column of the offending entry (a runner must never start a kernel on a
 * declaration it half understood). The rules themselves are protocol/permissions.ts's: each check ends by running
 * parsePermissions / parseSecretNames, so a rule added there is enforced here too. Pure: no I/O.
 */
import type { Node } from 'jsonc-parser';
import { CAPABILITIES, parsePermissions, parseSecretNames } from './permissions';

export type Problem = (node: Node, path: string, message: string) => void;

/** Plain JSON value of a node. Depth is bounded by the reader's nesting check before this runs. */
export function nodeValue(node: Node): unknown {
  switch (node.type) {
    case 'object':
      return Object.fromEntries(
        (node.children ?? []).flatMap((p) => {
          const [k, v] = p.children ?? [];
          return k && v ? [[String(k.value), nodeValue(v)]] : [];
        }),
      );
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

/**
 * Metadata keys that are a misspelling of "permissions" or "secrets" (another case, singular): kept as unknown keys,
 * they would be ignored, and a notebook meant to be restricted would run with full access.
 */
export function checkMisspeltKeys(metadata: Node, canonical: readonly string[], problem: Problem): void {
  const norm = (k: string) => k.toLowerCase().replace(/s$/, '');
  for (const prop of metadata.children ?? []) {
    const keyNode = prop.children?.[0];
    if (!keyNode) continue;
    const key = String(keyNode.value);
    const meant = canonical.find((c) => c !== key && norm(c) === norm(key));
    if (meant) problem(keyNode, `metadata.${key}`, `${JSON.stringify(key)} is not ${JSON.stringify(meant)}: spelt this way it would be ignored`);
  }
}

export function checkPermissions(node: Node, path: string, problem: Problem): void {
  if (node.type !== 'object') {
    problem(node, path, '"permissions" must be an object like {"net": ["api.example.com"]} (remove the key to run with full access)');
    return;
  }
  let bad = false;
  for (const prop of node.children ?? []) {
    const [keyNode, list] = prop.children ?? [];
    if (!keyNode || !list) continue;
    const key = String(keyNode.value);
    if (!(CAPABILITIES as readonly string[]).includes(key)) {
      problem(keyNode, `${path}.${key}`, `${JSON.stringify(key)} is not a capability (known: ${CAPABILITIES.join(', ')})`);
      bad = true;
    } else if (list.type !== 'array') {
      problem(list, `${path}.${key}`, `"${key}" must be a list of strings, like ["example.com"] (or ["*"] for all)`);
      bad = true;
    } else {
      (list.children ?? []).forEach((entry, i) => {
        if (entry.type === 'string' && entry.value !== '') return;
        problem(entry, `${path}.${key}[${i}]`, `each entry of "${key}" must be a non-empty string`);
        bad = true;
      });
    }
  }
  if (bad) return;
  try {
    parsePermissions(nodeValue(node), path);
  } catch (err) {
    problem(node, path, (err as Error).message);
  }
}

export function checkSecrets(node: Node, path: string, problem: Problem): void {
  if (node.type !== 'array') {
    problem(node, path, '"secrets" must be a list of environment variable names, like ["OPENAI_API_KEY"]');
    return;
  }
  let bad = false;
  (node.children ?? []).forEach((entry, i) => {
    try {
      parseSecretNames([nodeValue(entry)], `${path}[${i}]`);
    } catch {
      problem(
        entry,
        `${path}[${i}]`,
        `${entry.type === 'string' ? JSON.stringify(entry.value) : `a ${entry.type}`} is not an environment variable name (letters, digits and _, not starting with a digit)`,
      );
      bad = true;
    }
  });
  if (bad) return;
  try {
    parseSecretNames(nodeValue(node), path);
  } catch (err) {
    problem(node, path, (err as Error).message);
  }
}
