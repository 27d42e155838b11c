/**
 * What a cell's use of a top-level binding the language would refuse goes through (worker/transform/bindingGuards.ts):
 * the cells' top-level bindings are properties of the global object, and the cell reads `guard("name").value` where it
 * wrote `name`. Two guards:
 * - `constant` (CONSTANT_HOOK), for an assignment to a constant binding: a read gives the binding's value (`c += 1`
 *   reads first), a write throws V8's own `TypeError: Assignment to constant variable.`, as a module or Node's REPL
 *   throws for a `const`;
 * - `uninitialized` (UNINITIALIZED_HOOK), for a use of a `let`, `const` or `class` before its declaration ran: a read
 *   or a write throws V8's own `ReferenceError: Cannot access 'x' before initialization`.
 *
 * Installed by the Node, Deno and Bun kernels, and by the Sandbox's prelude, which stringifies it: self-contained,
 * ECMAScript built-ins only, captured when it is made (a cell that replaces `TypeError` or plants properties on
 * `Object.prototype` does not change what it throws). The error's stack starts at the cell's code, as V8's own does:
 * the accessor that throws is left out of it.
 */
/* eslint-disable */
type Guard = (name: string) => { value: unknown };

export function makeBindingGuard(): { constant: Guard; uninitialized: Guard } {
  'use strict';
  const TypeErrorCtor = TypeError;
  const ReferenceErrorCtor = ReferenceError;
  const capture = (Error as { captureStackTrace?: (error: object, above: Function) => void }).captureStackTrace;
  const define = Object.defineProperty;
  const apply = Reflect.apply;
  const g: any = globalThis;
  // (thrown where it is made, never through a call in tail position: JavaScriptCore runs those as proper tail calls,
  // which take the accessor's frame off the stack, and the capture below would then leave no frame at all)
  function fromCell(error: Error, above: Function): Error {
    if (typeof capture === 'function') apply(capture, undefined, [error, above]);
    return error;
  }
  function assignConstant(): never {
    throw fromCell(new TypeErrorCtor('Assignment to constant variable.'), assignConstant);
  }
  // (descriptors without a prototype: a cell's `Object.prototype.value` never reads as part of one)
  const target = (get: () => unknown, set: (v: unknown) => void) =>
    define({ __proto__: null }, 'value', { __proto__: null, get, set } as PropertyDescriptor) as unknown as { value: unknown };
  return {
    constant: (name: string) => target(() => g[name], assignConstant),
    uninitialized: (name: string) => {
      function useUninitialized(): never {
        throw fromCell(new ReferenceErrorCtor(`Cannot access '${name}' before initialization`), useUninitialized);
      }
      return target(useUninitialized, useUninitialized);
    },
  };
}
