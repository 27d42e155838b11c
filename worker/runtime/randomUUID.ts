import type crypto from 'node:crypto';
import { getBuiltin } from './getBuiltin';

/** `crypto.randomUUID()`, with `node:crypto` loaded on the first call rather than at the kernel's start (getBuiltin.ts). */
export function randomUUID(): string {
  return (getBuiltin('node:crypto') as typeof crypto).randomUUID();
}
