/**
 * Whether a Node of `version` (e.g. 'v22.14.0') has something that came in a minor release per major (`firstMinor`:
 * { 22: 14 } for 22.14.0) or with a whole major (`everyMajorFrom`); false for a text that is no version. The kernel's
 * version-dependent flags ask it (debugSignalFlags.ts, nodeVersionFlags.ts).
 */
export function releaseHas(version: string, firstMinor: Record<number, number>, everyMajorFrom = Infinity): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const major = Number(m[1]);
  const first = firstMinor[major];
  return major >= everyMajorFrom || (first !== undefined && Number(m[2]) >= first);
}
