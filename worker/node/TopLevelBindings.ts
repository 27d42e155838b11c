/**
 * The cells' top-level bindings as the kernel keeps them: the cell transform turns each top-level declaration and
 * import into a script-level `var`, a property of the global object. The names come from the transform (never from
 * scanning globalThis, which also holds the runtime's own globals); values are read from the property descriptor,
 * so an accessor is reported as one and its getter never runs. The Node runtime reads them here; the Sandbox asks
 * its prelude with the same names.
 */
import type { RemoteValue, VariableInfo, VariablesResult } from '../../protocol';

/** Bindings answered at most (the first declared are kept). */
export const MAX_VARIABLES = 5000;
/** The pseudo cell that owns the Variables view's handles: each answer releases the previous one's. */
export const VARIABLES_OWNER = '\u0000variables';

/** A binding's current state: a value, an accessor, or undefined once it is gone. */
export type BindingRead = { value: RemoteValue } | { accessor: 'get' | 'set' | 'get/set' } | undefined;

const hasOwn = Object.hasOwn;

export class TopLevelBindings {
  /** Name → the cell that last declared it, in first-declaration order. */
  private readonly names = new Map<string, string>();

  note(declared: readonly string[], cellId: string): void {
    for (const name of declared) this.names.set(name, cellId);
  }

  /** The names to read, within the budget. */
  listed(): string[] {
    return [...this.names.keys()].slice(0, MAX_VARIABLES);
  }

  /** Combines the reads of `listed()` (same order) into the answer. */
  result(reads: readonly BindingRead[]): VariablesResult {
    const variables: VariableInfo[] = [];
    const names = this.listed();
    names.forEach((name, i) => {
      const read = reads[i];
      if (read) variables.push({ name, cellId: this.names.get(name) ?? '', ...read });
    });
    return { variables, omitted: this.names.size - names.length };
  }

  /** Reads the bindings from the global object of this realm (Node, Deno, Bun). */
  list(target: object, describe: (value: unknown) => RemoteValue): VariablesResult {
    return this.result(this.listed().map((name) => readBinding(target, name, describe)));
  }
}

function readBinding(target: object, name: string, describe: (value: unknown) => RemoteValue): BindingRead {
  const desc = Reflect.getOwnPropertyDescriptor(target, name);
  if (!desc) return undefined; // deleted since (`delete globalThis.x`), or its cell failed before declaring it
  if (hasOwn(desc, 'value')) return { value: describe(desc.value) };
  return { accessor: desc.get && desc.set ? 'get/set' : desc.get ? 'get' : 'set' };
}
