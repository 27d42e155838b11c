/**
 * Orders names (of packages, mostly) without regard to case first, then by their UTF-16 code units: the same order
 * on every machine and in every locale, and without `localeCompare`, whose first call loads ICU's collator (~8 ms of
 * a process's start).
 */
export function compareNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
