/**
 * Which shipped `@types/node` a notebook gets: the types of the Node major that runs it. CodaJS ships the types of
 * several majors (scripts/build.mjs NODE_TYPE_PACKAGES, as `dist/types/node<major>`); a kernel on a major that is
 * not shipped gets the newest shipped major not above it (an odd major between two even ones has the older one's
 * API plus additions the types cannot promise), and a kernel older than every shipped major the oldest. A notebook
 * whose Node is unknown (not found yet) gets the newest.
 */

/** The folder name of a shipped major's types. */
export const NODE_TYPES_DIR = /^node(\d+)$/;

export function nodeTypesMajor(shipped: readonly number[], kernelMajor: number | undefined): number | undefined {
  const sorted = [...shipped].sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  if (kernelMajor === undefined) return sorted[sorted.length - 1];
  return sorted.filter((m) => m <= kernelMajor).pop() ?? sorted[0];
}

/** The major of a `process.version` text (`v24.3.0` → 24). */
export function majorOf(version: string): number | undefined {
  const m = /^v?(\d+)\./.exec(version.trim());
  return m ? Number(m[1]) : undefined;
}
