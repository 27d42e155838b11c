/**
 * What a cell's assignment to a constant top-level binding assigns to (worker/transform/transformCell.ts
 * CONSTANT_HOOK): `hook(name).value` reads the cells' binding `name` (a property of the global object, where every
 * top-level binding of the cells lives) and throws V8's own `TypeError: Assignment to constant variable.` when
 * written, as a module or Node's REPL throws for a `const`. Installed by the Node, Deno and Bun kernels, and by the
 * Sandbox's prelude, which stringifies it: self-contained, ECMAScript built-ins only, captured when it is made (a cell
 * that replaces `TypeError` does not change what it throws).
 */
/* eslint-disable */
export function makeConstantHook(): (name: string) => { value: unknown } {
  'use strict';
  const TypeErrorCtor = TypeError;
  const capture = (Error as { captureStackTrace?: (error: object, above: Function) => void }).captureStackTrace;
  const define = Object.defineProperty;
  const apply = Reflect.apply;
  const g: any = globalThis;
  /** Throws with the stack starting at the assignment, as V8's own error does (the hook's frame would be the kernel's). */
  function refuse(): never {
    const error = new TypeErrorCtor('Assignment to constant variable.');
    if (typeof capture === 'function') apply(capture, undefined, [error, refuse]);
    throw error;
  }
  return (name: string) =>
    // (descriptors without a prototype: a cell's `Object.prototype.value` never reads as part of one)
    define({ __proto__: null }, 'value', {
      __proto__: null,
      get: () => g[name],
      set: refuse,
    } as PropertyDescriptor) as unknown as { value: unknown };
}
