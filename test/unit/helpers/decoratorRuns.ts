/**
 * What the decorator tests (test/unit/worker/decorators.test.ts, legacyDecorators.test.ts) share: a program run in a
 * fresh vm context, after a setup, with a `log` whose values are written the same for either run (TypeScript's own
 * output and CodaJS's).
 */
import vm from 'node:vm';
import { makeDecoratorRuntime } from '../../../worker/runtime/makeDecoratorRuntime';
import { DECORATORS_HOOK } from '../../../worker/transform/lowerDecorators';

/**
 * `before`, then the decorators' run-time part as the kernels install it, made in the program's own realm (as the
 * Sandbox's prelude makes it from its text; tsx, which compiles these sources, names functions through `__name`).
 */
export function withDecoratorRuntime(before: string): string {
  return `${before}
Object.defineProperty(globalThis, '${DECORATORS_HOOK}', {
  value: ((__name) => (${makeDecoratorRuntime.toString()})())((f, name) => Object.defineProperty(f, 'name', { value: name, configurable: true })),
  configurable: true,
  writable: true,
});`;
}

/** What a log shows of a value, the same for either run (values come from the program's own realm). */
export function show(value: unknown, depth = 0): string {
  if (typeof value === 'string') return depth ? JSON.stringify(value) : value;
  if (typeof value === 'symbol' || typeof value === 'bigint' || value === null || typeof value !== 'object') {
    if (typeof value !== 'function') return String(value);
    const kind = /^class\b/.test(Function.prototype.toString.call(value)) ? 'class' : 'Function';
    return `[${kind} ${value.name || '(anonymous)'}]`;
  }
  if (Object.prototype.toString.call(value) === '[object Error]') return `[${(value as Error).name}: ${(value as Error).message}]`;
  if (depth > 3) return '…';
  if (Array.isArray(value)) return `[${value.map((v) => show(v, depth + 1)).join(', ')}]`;
  const entries = Reflect.ownKeys(value)
    .filter((k) => Object.prototype.propertyIsEnumerable.call(value, k))
    .map((k) => `${String(k)}: ${show((value as Record<PropertyKey, unknown>)[k], depth + 1)}`);
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  return `${name && name !== 'Object' ? name + ' ' : ''}{${entries.join(', ')}}`;
}

/** A fresh context with `setup` run in it, whose `log` writes to `logs` (and returns undefined: `=> log(…)` returns nothing). */
export function loggingContext(setup: string, logs: string[] = []): vm.Context {
  const ctx = vm.createContext({
    log: (...values: unknown[]) => {
      logs.push(values.map((v) => show(v)).join(' '));
    },
  });
  vm.runInContext(setup, ctx);
  return ctx;
}

/** Runs `code` in a fresh context after `setup`; what it logged, then `threw: <message>` when it threw. */
export async function runLogged(setup: string, code: string, filename = 'program.js'): Promise<string[]> {
  const logs: string[] = [];
  const ctx = loggingContext(setup, logs);
  try {
    new vm.Script(code, { filename }).runInContext(ctx);
  } catch (err) {
    logs.push(`threw: ${(err as Error)?.message ?? String(err)}`);
  }
  // async methods log after a few turns of the microtask queue
  await new Promise((resolve) => setImmediate(resolve));
  return logs;
}
