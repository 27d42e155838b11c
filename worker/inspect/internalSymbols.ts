/**
 * On Node 20, AsyncLocalStorage (used to attribute output to cells) stores bookkeeping on promises and timers
 * under enumerable symbols. They are Node's, not the user's: hide them from previews and expansions.
 */
export const INTERNAL_SYMBOL_NAMES = new Set(['async_id_symbol', 'trigger_async_id_symbol', 'kResourceStore', 'owner_symbol']);

const ENTRY = /,? ?\[Symbol\((?:async_id_symbol|trigger_async_id_symbol|kResourceStore|owner_symbol)\)\]: (?:-?\d+|\[\w+\]|\{[^{}]*\}|undefined|null)/g;

export function isInternalSymbol(key: string | symbol): boolean {
  return typeof key === 'symbol' && INTERNAL_SYMBOL_NAMES.has(key.description ?? '');
}

/** Removes the internal symbol entries from util.inspect text. */
export function stripInternalSymbols(text: string): string {
  if (!text.includes('[Symbol(')) return text;
  return text
    .replace(ENTRY, '')
    .replace(/\{ ,\s*/g, '{ ')
    .replace(/\{\s+\}/g, '{}');
}
