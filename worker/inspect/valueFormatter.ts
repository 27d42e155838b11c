/**
 * The kernel's custom value previews: plugins' `formatValue` hooks (protocol/plugins.ts), asked by describeValue before
 * its own preview. One slot per kernel process (one runtime per process); worker/plugins/PluginHost.ts fills it.
 */
import type { ValueFormat } from '../../protocol';

export type ValueFormatter = (value: object) => ValueFormat | undefined;

let current: ValueFormatter | undefined;

/** Sets the formatter; returns a function that removes it. */
export function setValueFormatter(formatter: ValueFormatter): () => void {
  current = formatter;
  return () => {
    if (current === formatter) current = undefined;
  };
}

/** Whether any plugin formats values (else nested previews are not looked for). */
export function formatterActive(): boolean {
  return current !== undefined;
}

/** A plugin's format of `value`, or undefined (no plugin knows it, or the plugin failed: the default preview shows). */
export function customFormat(value: object): ValueFormat | undefined {
  if (!current) return undefined;
  try {
    const format = current(value);
    return format && typeof format.preview === 'string' ? format : undefined;
  } catch {
    return undefined;
  }
}
