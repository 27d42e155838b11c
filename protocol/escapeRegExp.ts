/** `s` as a regular-expression source that matches exactly `s` (every syntax character escaped). */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
