/**
 * `import * as ns from 'pkg'` in a cell, as TypeScript's esModuleInterop reads it (the editor's types promise that):
 * for a CommonJS module, its exports' own names, and `default`. Node 23+ names a CommonJS module's exports
 * `module.exports` in its namespace; Node 20 and 22 give only the names their static analysis found, so
 * `import * as _ from 'lodash'` had no `_.map` there (lodash assigns `module.exports` once), while Node 24, Deno and
 * Bun had it. There, a namespace whose every name is its default's own value of that name reads as one of a
 * CommonJS module (an ES module's named exports are not its default's properties). The names are getters, as
 * TypeScript's `__importStar` makes them: nothing of the module is read before a cell reads it.
 */
export function interopNamespace(m: Record<string, unknown>): object {
  const exports = commonJsExports(m);
  if (exports === undefined) return m;
  // one compiled from an ES module (TypeScript's and Babel's output say so) is its own namespace, `default` included
  if (Object.hasOwn(exports, '__esModule')) return exports;
  const ns = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(exports)) {
    if (key !== 'default') Object.defineProperty(ns, key, { enumerable: true, get: () => (exports as Record<string, unknown>)[key] });
  }
  Object.defineProperty(ns, 'default', { enumerable: true, value: m.default });
  Object.defineProperty(ns, Symbol.toStringTag, { value: 'Module' });
  return ns;
}

/**
 * `import d from 'pkg'` in a cell, as TypeScript's esModuleInterop and Bun read it: a CommonJS module compiled from an
 * ES module (`exports.__esModule`) that has a default gives that default (`exports.default`), so `d` is `ns.default` of
 * `import * as ns` (interopNamespace); any other module gives its namespace's `default` (a CommonJS module's
 * `module.exports`). Node and Deno gave the compiled module's whole `exports` (`d()` failed: "d is not a function")
 * while the editor's types and Bun gave its default.
 */
export function interopDefault(m: Record<string, unknown>): unknown {
  const exports = commonJsExports(m);
  if (exports !== undefined && Object.hasOwn(exports, '__esModule') && 'default' in exports) return (exports as Record<string, unknown>).default;
  return m.default;
}

/** The exports of the CommonJS module `m` is the namespace of, or undefined for an ES module's. */
function commonJsExports(m: Record<string, unknown>): object | undefined {
  if ('module.exports' in m) return Object(m['module.exports']) as object;
  const exports = m.default;
  if ((typeof exports !== 'object' && typeof exports !== 'function') || exports === null) return undefined;
  for (const key of Object.keys(m)) {
    if (key === 'default') continue;
    const own = Object.getOwnPropertyDescriptor(exports, key);
    if (!own || !('value' in own) || own.value !== m[key]) return undefined;
  }
  return exports;
}
