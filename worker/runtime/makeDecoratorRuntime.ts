/**
 * What a cell's lowered decorators call (worker/transform/lowerDecorators.ts) at run time: the TC39 decorators of
 * 2023-05, as TypeScript 5 runs them without `experimentalDecorators` (and Deno and Bun run them). Installed as the
 * global DECORATORS_HOOK by the Node, Deno and Bun kernels, and by the Sandbox's prelude, which stringifies it: so it is
 * self-contained and uses ECMAScript built-ins only, captured when it is made (a cell that replaces
 * `Object.defineProperty` does not change how its classes are decorated).
 */
/* eslint-disable */
export function makeDecoratorRuntime(): Record<string, Function> {
  'use strict';
  const O = Object;
  const define = O.defineProperty;
  const own = O.getOwnPropertyDescriptor;
  const protoOf = O.getPrototypeOf;
  const create = O.create;
  const ownKeys = Reflect.ownKeys;
  const apply = Reflect.apply;
  const bind = Function.prototype.bind;
  const TypeErrorCtor = TypeError;
  const deferred: (() => Function)[] = [];
  const metadataKey = (): symbol | undefined => (typeof Symbol === 'function' ? (Symbol as { metadata?: symbol }).metadata : undefined);

  const what = (v: unknown) => (v === null ? 'null' : typeof v);
  /** Said of a decorator that fails as one written for TypeScript's `experimentalDecorators` does here. */
  const LEGACY =
    " (the decorator looks written for TypeScript's experimentalDecorators, which take (target, key, descriptor): CodaJS runs standard decorators, which take (value, context), as TypeScript 5, Deno and Bun do)";
  const isDescriptor = (v: any) =>
    v !== null && typeof v === 'object' && ('value' in v || 'get' in v || 'set' in v || 'writable' in v || 'enumerable' in v || 'configurable' in v);
  /** A decorator's result where a function (or undefined) must be. */
  const fn = (v: unknown, role: string): Function | undefined => {
    if (v !== undefined && typeof v !== 'function') throw new TypeErrorCtor(`${role} must be a function or undefined, not ${what(v)}`);
    return v as Function | undefined;
  };

  /** A decorator (what a `@` names) is a function. */
  function callable(decorator: unknown): asserts decorator is Function {
    if (typeof decorator !== 'function') throw new TypeErrorCtor(`a decorator must be a function, not ${what(decorator)}`);
  }

  /** The context's `addInitializer`, which stops taking initializers once its decorator has returned. */
  const initializerAdder = (extras: Function[], state: { done: boolean }) =>
    function addInitializer(initializer: unknown) {
      if (state.done) throw new TypeErrorCtor('addInitializer cannot be called after its decorator has returned');
      if (typeof initializer !== 'function') throw new TypeErrorCtor(`addInitializer takes a function, not ${what(initializer)}`);
      extras[extras.length] = initializer;
    };

  return {
    /** ToPropertyKey, as a computed key reads its value. */
    key(value: unknown): PropertyKey {
      return ownKeys({ [value as PropertyKey]: 0 })[0] as PropertyKey;
    },
    /** `@a.b`'s decorator: `a.b` called with `a` as its `this`. */
    bound(target: any, key: string): unknown {
      const f = target[key];
      return typeof f === 'function' ? apply(bind, f, [target]) : f;
    },
    /** The class's metadata object: it inherits its parent class's. */
    meta(C: Function): object {
      const key = metadataKey();
      const parent = key ? (protoOf(C) as Record<symbol, unknown> | null)?.[key] : undefined;
      return create(parent && (typeof parent === 'object' || typeof parent === 'function') ? parent : null);
    },
    /** Puts the metadata on the class (under Symbol.metadata, when the runtime has that symbol). */
    finish(C: Function, meta: object): void {
      const key = metadataKey();
      if (key) define(C, key, { enumerable: true, configurable: true, writable: true, value: meta });
    },
    /** Names a function as the class element it stands for (`#m`, `get #x`). */
    name(f: Function, name: string): Function {
      define(f, 'name', { value: name, configurable: true });
      return f;
    },
    /**
     * Applies the decorators of one class element, the last written first, and returns its descriptor: read from the
     * class (a public method, getter, setter or accessor), or the one given (a private element's), and defined back on
     * the class when public. A field's decorators add initializers instead.
     */
    element(
      C: Function,
      meta: object,
      kind: 'method' | 'getter' | 'setter' | 'field' | 'accessor',
      name: PropertyKey,
      isStatic: boolean,
      isPrivate: boolean,
      decorators: unknown[],
      access: Record<string, Function>,
      given: object | undefined,
      inits: Function[],
      extras: Function[],
    ): object | undefined {
      const home = isStatic ? C : (C as { prototype: object }).prototype;
      const descriptor: any = kind === 'field' ? undefined : (given ?? own(home, name) ?? {});
      const state = { done: false };
      for (let i = decorators.length - 1; i >= 0; i--) {
        const decorator = decorators[i];
        callable(decorator);
        const context = {
          kind,
          name,
          static: isStatic,
          private: isPrivate,
          access: { ...access },
          metadata: meta,
          addInitializer: initializerAdder(extras, state),
        };
        const d = descriptor;
        const value =
          kind === 'accessor' ? { get: d.get, set: d.set } : kind === 'getter' ? d.get : kind === 'setter' ? d.set : kind === 'field' ? undefined : d.value;
        let result: unknown;
        try {
          result = apply(decorator, undefined, [value, context]);
        } catch (err) {
          // a decorator of the older kind reads its target (`target.constructor`, here undefined for a field) or its
          // descriptor (a third parameter, which standard decorators never get)
          if (
            (kind === 'field' || (decorator as Function).length >= 3) &&
            err instanceof TypeErrorCtor &&
            /undefined/.test(err.message) &&
            !err.message.includes(LEGACY)
          )
            err.message += LEGACY;
          throw err;
        }
        if (result === undefined) continue;
        if (kind !== 'accessor' && kind !== 'field' && isDescriptor(result)) {
          throw new TypeErrorCtor(`a ${kind} decorator must return a function or undefined, not a property descriptor${LEGACY}`);
        }
        if (kind === 'accessor') {
          if (result === null || typeof result !== 'object')
            throw new TypeErrorCtor(`an accessor decorator must return an object or undefined, not ${what(result)}`);
          const r = result as { get?: unknown; set?: unknown; init?: unknown };
          const get = fn(r.get, "an accessor decorator's get");
          const set = fn(r.set, "an accessor decorator's set");
          const init = fn(r.init, "an accessor decorator's init");
          if (get) d.get = get;
          if (set) d.set = set;
          if (init) inits.unshift(init);
        } else if (kind === 'field') {
          inits.unshift(fn(result, 'a field decorator')!);
        } else {
          const replaced = fn(result, `a ${kind} decorator`);
          if (kind === 'getter') d.get = replaced;
          else if (kind === 'setter') d.set = replaced;
          else d.value = replaced;
        }
      }
      state.done = true;
      if (!isPrivate && descriptor) define(home, name, descriptor);
      return descriptor;
    },
    /** Applies the class's own decorators, the last written first; returns the class that takes its name. */
    decorateClass(C: Function, meta: object, decorators: unknown[], extras: Function[]): Function {
      let current = C;
      const state = { done: false };
      for (let i = decorators.length - 1; i >= 0; i--) {
        const decorator = decorators[i];
        callable(decorator);
        const context = { kind: 'class', name: C.name, metadata: meta, addInitializer: initializerAdder(extras, state) };
        const result = fn(apply(decorator, undefined, [current, context]), 'a class decorator');
        if (result) current = result;
      }
      state.done = true;
      return current;
    },
    // ---- TypeScript's experimentalDecorators (a tsconfig.json beside the notebook turns them on) ----
    /**
     * Applies the older kind of decorators to a class member, the last written first, as TypeScript's `__decorate`
     * does: each gets (target, key, descriptor) and may return a new descriptor; a field's get no descriptor. A
     * `Reflect.decorate` (reflect-metadata's) does the work when a cell has loaded one.
     */
    legacyMember(decorators: unknown[], target: object, key: PropertyKey, field: boolean): void {
      const R = (globalThis as { Reflect?: { decorate?: Function } }).Reflect;
      let descriptor: unknown = field ? undefined : own(target, key);
      if (R && typeof R.decorate === 'function') descriptor = R.decorate(decorators, target, key, descriptor);
      else {
        for (let i = decorators.length - 1; i >= 0; i--) {
          const decorator = decorators[i];
          if (!decorator) continue;
          callable(decorator);
          descriptor = apply(decorator, undefined, [target, key, descriptor]) || descriptor;
        }
      }
      if (descriptor) define(target, key, descriptor as PropertyDescriptor);
    },
    /** The older kind of class decorators: each gets the class and may return one in its place. */
    legacyClass(decorators: unknown[], C: Function): Function {
      const R = (globalThis as { Reflect?: { decorate?: Function } }).Reflect;
      if (R && typeof R.decorate === 'function') return R.decorate(decorators, C, undefined, undefined);
      let current = C;
      for (let i = decorators.length - 1; i >= 0; i--) {
        const decorator = decorators[i];
        if (!decorator) continue;
        callable(decorator);
        current = apply(decorator, undefined, [current]) || current;
      }
      return current;
    },
    /**
     * Keeps what decorates a class declaration until the declaration has its value (`let C = …; C = flush()`), as
     * TypeScript decorates after the class statement: a decorator may read the class by its name.
     */
    defer(apply: () => Function): void {
      deferred[deferred.length] = apply;
    },
    /** Runs what `defer` kept last; returns the class it made. */
    flush(): Function {
      const apply = deferred.pop();
      if (!apply) throw new TypeErrorCtor('no class is waiting for its decorators');
      return apply();
    },
    /** A parameter decorator as a member decorator: it gets (target, key, the parameter's index). */
    param(index: number, decorator: Function): Function {
      return (target: object, key: PropertyKey) => apply(decorator, undefined, [target, key, index]);
    },
    /** `emitDecoratorMetadata`'s decorator: `Reflect.metadata(key, value)` when a cell has loaded reflect-metadata. */
    metadata(key: string, value: unknown): unknown {
      const R = (globalThis as { Reflect?: { metadata?: Function } }).Reflect;
      return R && typeof R.metadata === 'function' ? R.metadata(key, value) : undefined;
    },
    /** A type's class for `design:type`: what `read` returns when that is a function, else Object (a type only). */
    ref(read: () => unknown): unknown {
      try {
        const value = read();
        return typeof value === 'function' ? value : Object;
      } catch {
        return Object;
      }
    },
    /** A field's (or an accessor's) initial value through its decorators' initializers, in order. */
    init(self: unknown, inits: Function[], value: unknown): unknown {
      for (let i = 0; i < inits.length; i++) value = apply(inits[i]!, self, [value]);
      return value;
    },
    /** Runs the initializers that `addInitializer` took, in order. */
    run(self: unknown, extras: Function[]): undefined {
      for (let i = 0; i < extras.length; i++) apply(extras[i]!, self, []);
      return undefined;
    },
  };
}
