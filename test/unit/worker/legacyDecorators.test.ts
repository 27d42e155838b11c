/**
 * TypeScript's older `experimentalDecorators` (with `emitDecoratorMetadata`) in cells, which a tsconfig.json near the
 * notebook turns on (common/node/tsconfigDecorators.ts): each program runs once as TypeScript 5 emits it with those
 * options and once as a cell runs it (parameter decorators taken out, types stripped, then decorators lowered by
 * worker/transform/lowerDecorators.ts, with the kernels' run-time part, worker/runtime/makeDecoratorRuntime.ts), and
 * both runs log the same; the lowered code keeps every line where the cell wrote it. Both runs start with a small
 * reflect-metadata of the test's own (no `Reflect.decorate`: the programs that need one define it themselves).
 */
import { strict as assert } from 'node:assert';
import vm from 'node:vm';
import * as acorn from 'acorn';
import * as ts from 'typescript';
import { decoratorOptions, lowerDecorators } from '../../../worker/transform/lowerDecorators';
import { loggingContext, runLogged, withDecoratorRuntime } from '../helpers/decoratorRuns';
import { hideParameterDecorators } from '../../../worker/transform/parameterDecorators';
import { loadedSucrase, stripTypes } from '../../../worker/transform/stripTypes';

/**
 * reflect-metadata's part that decorators use: `Reflect.metadata(k, v)` (the decorator `emitDecoratorMetadata` writes),
 * `defineMetadata`, and the readers, `getMetadata` walking the prototype chain as reflect-metadata does.
 */
const REFLECT_METADATA = `(() => {
  const tables = new WeakMap();
  const table = (target, key, create) => {
    let byKey = tables.get(target);
    if (!byKey) {
      if (!create) return undefined;
      tables.set(target, (byKey = new Map()));
    }
    let entries = byKey.get(key);
    if (!entries) {
      if (!create) return undefined;
      byKey.set(key, (entries = new Map()));
    }
    return entries;
  };
  const defineMetadata = (k, v, target, key) => void table(target, key, true).set(k, v);
  const hasOwnMetadata = (k, target, key) => !!table(target, key, false)?.has(k);
  const getOwnMetadata = (k, target, key) => table(target, key, false)?.get(k);
  const getMetadata = (k, target, key) => {
    for (let t = target; t !== null && t !== undefined; t = Object.getPrototypeOf(t)) if (hasOwnMetadata(k, t, key)) return getOwnMetadata(k, t, key);
    return undefined;
  };
  const getOwnMetadataKeys = (target, key) => [...(table(target, key, false)?.keys() ?? [])];
  const metadata = (k, v) => function decorator(target, key) { defineMetadata(k, v, target, key); };
  Object.assign(Reflect, { defineMetadata, hasOwnMetadata, getOwnMetadata, getMetadata, getOwnMetadataKeys, metadata });
})();`;

/** What both runs start with: the metadata above, and the decorators' run-time part. */
const SETUP = withDecoratorRuntime(REFLECT_METADATA);

/** The same, as the type check reads it. */
const GLOBALS = `declare function log(...values: unknown[]): void;
declare const boom: any;
declare namespace Reflect {
  function metadata(k: unknown, v: unknown): { (target: Function): void; (target: object, key: string | symbol): void };
  function defineMetadata(k: unknown, v: unknown, target: object, key?: string | symbol): void;
  function hasOwnMetadata(k: unknown, target: object, key?: string | symbol): boolean;
  function getOwnMetadata(k: unknown, target: object, key?: string | symbol): any;
  function getMetadata(k: unknown, target: object, key?: string | symbol): any;
  function getOwnMetadataKeys(target: object, key?: string | symbol): unknown[];
}`;

/** A fresh context with SETUP run in it, logging to `logs`. */
const context = (logs: string[] = []): vm.Context => loggingContext(SETUP, logs);

/** Runs `code` in a fresh context; what it logged, then `threw: <message>` when it threw. */
const run = (code: string) => runLogged(SETUP, code);

const compilerOptions = (metadata: boolean): ts.CompilerOptions => ({
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  useDefineForClassFields: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: metadata,
  strict: true,
});

/** What TypeScript makes of the program with those options. */
function reference(source: string, metadata: boolean): string {
  return ts.transpileModule(source, { compilerOptions: compilerOptions(metadata) }).outputText;
}

/** What a cell runs with a tsconfig.json that turns experimentalDecorators on (and emitDecoratorMetadata, with `metadata`). */
function legacyCell(source: string, metadata = true): string {
  // strict, as the reference's compiler options
  const mode = { kind: 'legacy', metadata, strictNullChecks: true, tsconfig: '/x/tsconfig.json' } as const;
  const hidden = hideParameterDecorators(source, loadedSucrase(), false);
  const typed = stripTypes(hidden.source, 'cell.ts');
  const options = decoratorOptions(mode, false, typed.code, { source: hidden.source, columns: typed.columns, parameters: hidden.found });
  return lowerDecorators(typed.code, options)?.code ?? typed.code;
}

/** A program, and whether it runs with emitDecoratorMetadata (it does unless it says otherwise). */
type Program = string | { source: string; metadata: false };

/** What the user sees: a program that logs what it observes through `log`. */
const programs: Record<string, Program> = {
  // ---- class decorators
  'a class decorator returning a new class replaces it, inside and out': `
function timestamped<T extends new (...args: any[]) => object>(Base: T) {
  log('decorating', Base.name, Base.length);
  return class extends Base {
    stamp = 'stamped';
  };
}
@timestamped
class Note {
  constructor(public text: string) {}
  static make(text: string) { return new Note(text); }
  static self() { return Note; }
  static current() { return this; }
  kind() { return this instanceof Note; }
}
const n = Note.make('hi');
log(n, n instanceof Note, Note.self() === Note, Note.current() === Note, n.kind());
log(Note.name, Object.getPrototypeOf(Note).name, new Note('direct'));`,
  'a class decorator returning undefined keeps the class': `
const registry: Function[] = [];
function register(target: Function) {
  registry.push(target);
  log('registered', target.name, arguments.length);
}
@register class Alpha { static id = 1; }
@register
class Beta extends Alpha {
  static id2 = Alpha.id + 1;
  static same() { return Beta === this; }
}
log(registry.map((c) => c.name), registry[0] === Alpha, registry[1] === Beta, Beta.id2, Beta.same(), new Beta() instanceof Alpha);`,
  'stacked class decorators are evaluated top-down and applied bottom-up': `
function tag(name: string) {
  log('evaluate', name);
  return function <T extends new (...a: any[]) => object>(target: T) {
    log('apply', name, (target as any).tags ?? []);
    const next: any = class extends target {};
    next.tags = [...((target as any).tags ?? []), name];
    return next as T;
  };
}
@tag('outer') @tag('middle')
@tag('inner')
class Layered {
  static where() { return (Layered as any).tags; }
}
log((Layered as any).tags, Layered.where(), new Layered() instanceof Layered);`,
  'when each decorator is evaluated and applied, and with what': `
function trace(label: string): any {
  log('evaluate', label);
  return (...args: any[]) => {
    const [target, key, third] = args;
    const on = typeof target === 'function' ? 'constructor ' + target.name : 'prototype';
    log('apply', label, args.length, on, String(key), typeof third === 'object' ? Object.keys(third).join('/') : third);
  };
}
@trace('class 1') @trace('class 2')
class Ordered {
  @trace('static field') static s = (log('static initializer'), 1);
  @trace('field') f = (log('field initializer'), 1);
  @trace('method') m(@trace('param 0') a: string, @trace('param 1') b: string) {}
  @trace('static method') static sm() {}
  constructor(@trace('ctor param 0') x: number, @trace('ctor param 1') y: number) { log('constructor'); }
  @trace('getter') get g() { return 1; }
  static { log('static block'); }
}
log('defined');
new Ordered(1, 2);`,
  'a replaced class: its name inside, in static fields, blocks and methods': `
function swap<T extends new (...a: any[]) => {}>(value: T) {
  log('swap', value.name, (value as any).viaThis === value);
  return class Replaced extends value { static replaced = true; };
}
@swap
class Model {
  static viaThis: unknown;
  static { log('static block sees', this.name); this.viaThis = this; }
  static create() { return new Model(); }
  static self() { return Model; }
  kind() { return (Model as any).replaced; }
}
log(Model.name, Model.create() instanceof Model, Model.self() === Model, new Model().kind(), Model.viaThis === Model);
log(Object.getPrototypeOf(Model) === Model.viaThis);`,
  'a replaced class: its name read by its own static initializer': `
function swap<T extends new (...a: any[]) => {}>(value: T) {
  return class Replaced extends value {};
}
@swap
class Model {
  static early = typeof Model;
}
@swap
class Settings {
  static readonly default = new Settings();
}
log(Model.early, Settings.default instanceof Settings);`,
  'a class decorator sealing or freezing the class': `
function sealed(constructor: Function) {
  Object.seal(constructor);
  Object.seal(constructor.prototype);
}
@sealed
class Greeter {
  greeting = 'hello';
  static count = 0;
  greet() { return this.greeting; }
}
log(Object.isSealed(Greeter), Object.isSealed(Greeter.prototype), new Greeter().greet());
log(Reflect.set(Greeter, 'extra', 1), Reflect.defineProperty(Greeter.prototype, 'extra', { value: 1 }), Object.isExtensible(Greeter));`,
  'decorated classes made by a function, once per call': `
function make(n: number) {
  function count(target: Function) {
    log('decorate', n, target.name);
  }
  function twice(target: object, key: string, descriptor: PropertyDescriptor) {
    const f = descriptor.value;
    descriptor.value = function (this: unknown) { return f.call(this) * 2; };
  }
  @count class Local {
    @twice value() { return n; }
  }
  return Local;
}
const A = make(1), B = make(2);
log(A === B, new A().value(), new B().value(), A.name);`,
  // ---- methods, getters and setters
  'a method decorator returning a new descriptor: memoize': `
function memoize(target: any, key: string, descriptor: PropertyDescriptor): PropertyDescriptor {
  const original = descriptor.value as (n: number) => number;
  const cache = new Map<number, number>();
  log('memoize', key, typeof original, descriptor.writable, descriptor.enumerable, descriptor.configurable, typeof target.constructor);
  return {
    ...descriptor,
    value(this: unknown, n: number) {
      if (cache.has(n)) log('cached', n);
      else cache.set(n, original.call(this, n));
      return cache.get(n)!;
    },
  };
}
class Fib {
  calls = 0;
  @memoize
  fib(n: number): number {
    this.calls++;
    return n < 2 ? n : this.fib(n - 1) + this.fib(n - 2);
  }
}
const f = new Fib();
log(f.fib(10), f.calls, f.fib(10), f.calls, Object.getOwnPropertyNames(Fib.prototype));`,
  'a wrapping decorator on instance and static methods': `
function logged(target: any, key: string, descriptor: PropertyDescriptor) {
  const original = descriptor.value;
  const where = typeof target === 'function' ? 'static ' + target.name : 'instance of ' + target.constructor.name;
  descriptor.value = function (this: any, ...args: any[]) {
    log('enter', where, key, args);
    const result = original.apply(this, args);
    log('leave', key, result);
    return result;
  };
}
class Account {
  constructor(public id: string) {}
  @logged deposit(n: number) { return this.id + ':' + n * 2; }
  @logged static audit(): string { return 'ok ' + this.name; }
  @logged async later(x: number) { await null; return x + 1; }
}
new Account('a1').deposit(21);
Account.audit();
new Account('a2').later(1).then((v) => log('resolved', v));
log('sync done');`,
  'decorators changing enumerable, writable and configurable': `
function enumerable(value: boolean) {
  return (target: object, key: string, descriptor: PropertyDescriptor) => {
    descriptor.enumerable = value;
  };
}
function readonly(target: object, key: string, descriptor: PropertyDescriptor) {
  return { ...descriptor, writable: false, configurable: false };
}
class Shown {
  @enumerable(true) visible() { return 1; }
  hidden() { return 2; }
  @enumerable(true) get both() { return 3; }
  @readonly @enumerable(true) fixed() { return 4; }
}
const keys: string[] = [];
for (const k in new Shown()) keys.push(k);
const fixed = Object.getOwnPropertyDescriptor(Shown.prototype, 'fixed')!;
log(keys, fixed.writable, fixed.configurable, fixed.enumerable);
log(Reflect.set(Shown.prototype, 'fixed', null), delete (Shown.prototype as any).hidden, Reflect.deleteProperty(Shown.prototype, 'fixed'));`,
  'stacked method decorators: evaluated in order, applied from the nearest': `
function step(name: string) {
  log('evaluate', name);
  return (target: object, key: string, descriptor: PropertyDescriptor) => {
    log('apply', name, 'to', descriptor.value.name);
    const inner = descriptor.value;
    return { ...descriptor, value: function wrapped(this: unknown) { return name + '(' + inner.call(this) + ')'; } };
  };
}
class Pipeline {
  @step('first') @step('second')
  @step('third')
  run() { return 'x'; }
}
log(new Pipeline().run(), Pipeline.prototype.run.name);`,
  'a method decorator turning a method into a lazy getter': `
function lazy(target: object, key: string, descriptor: PropertyDescriptor): PropertyDescriptor {
  const compute = descriptor.value;
  return {
    configurable: true,
    get(this: any) {
      const value = compute.call(this);
      log('computed', key);
      Object.defineProperty(this, key, { value });
      return value;
    },
  };
}
class Report {
  @lazy total(): any { return [1, 2, 3].reduce((a, b) => a + b); }
}
const r: any = new Report();
log(r.total, r.total, typeof Object.getOwnPropertyDescriptor(Report.prototype, 'total')!.get);`,
  'getters and setters: one decorator sees both': `
function watch(target: object, key: string, descriptor: PropertyDescriptor) {
  log('watch', key, typeof descriptor.get, typeof descriptor.set, descriptor.enumerable, 'value' in descriptor);
  const { get, set } = descriptor;
  return {
    ...descriptor,
    get(this: unknown) { const v = get!.call(this); log('read', key, v); return v; },
    set(this: unknown, v: unknown) { log('write', key, v); set!.call(this, v); },
  };
}
function onlyGetter(target: object, key: string, descriptor: PropertyDescriptor) {
  log('onlyGetter', key, typeof descriptor.get, typeof descriptor.set);
}
class Temperature {
  #c = 0;
  @watch get celsius() { return this.#c; }
  set celsius(v: number) { this.#c = v; }
  @onlyGetter get kelvin() { return this.#c + 273; }
  @onlyGetter static get unit() { return 'C'; }
  @watch set target(v: number) { this.#c = v; }
}
const t = new Temperature();
t.celsius = 5;
t.target = 7;
log(t.celsius, t.kelvin, Temperature.unit);`,
  'static members get the class, instance ones its prototype': `
function where(target: any, key: string, descriptor?: PropertyDescriptor) {
  log(key, typeof target === 'function' ? 'class ' + target.name : 'prototype of ' + target.constructor.name, target === Object.getPrototypeOf(new (typeof target === 'function' ? target : target.constructor)()), typeof descriptor);
}
class Both {
  @where static make() { return 'static'; }
  @where make() { return 'instance'; }
  @where static count = 1;
  @where count = 2;
  @where static get label() { return 'L'; }
}
log(Both.make(), new Both().make(), Both.count, new Both().count);`,
  'computed keys: evaluated while the class is made, decorated after': `
const order: string[] = [];
const sym = Symbol('sym');
function dec(n: string) {
  order.push('evaluate ' + n);
  return (target: object, key: string | symbol, descriptor?: PropertyDescriptor) => {
    order.push('apply ' + n + ' to ' + String(key) + (descriptor ? ' with descriptor' : ''));
  };
}
function key<K extends string>(k: K): K { order.push('key ' + k); return k; }
const fieldKey = key('field');
class K {
  @dec('one') ['a' + 'b']() {}
  [key('plain')]() {}
  @dec('two') [fieldKey] = 1;
  @dec('three') static [key('stat')]() {}
  @dec('four') [sym]() { return 'symbol method'; }
  @dec('five') [Symbol.iterator]() { return [1, 2][Symbol.iterator](); }
  @dec('six') 42() {}
  @dec('seven') 'quoted name'() {}
}
order.push('defined');
log(order);
log(Object.keys(new K()), [...new K()], new K()[sym]());`,
  'a method with overloads, decorated on its implementation': `
function show(target: object, key: string, descriptor: PropertyDescriptor) {
  log(key, descriptor.value.length, Reflect.getMetadata('design:paramtypes', target, key), Reflect.getMetadata('design:returntype', target, key));
}
class Parser {
  parse(input: string, radix?: number): number;
  parse(input: number[]): number;
  @show
  parse(input: string | number[], radix?: number): number {
    return typeof input === 'string' ? parseInt(input, radix) : input.length;
  }
}
log(new Parser().parse('ff', 16), new Parser().parse([1, 2]));`,
  // ---- properties
  'property decorators get the target and the key, and no descriptor': `
const seen: unknown[] = [];
const computed = 'computedKey';
function prop(target: any, key: string) {
  log(key, arguments.length, arguments[2], typeof target, target === (typeof target === 'function' ? target : target.constructor.prototype));
  seen.push(key);
}
class Props {
  @prop name = 'n';
  @prop static shared = 's';
  @prop declared!: number;
  @prop optional?: string;
  @prop [computed] = 'c';
}
const p = new Props();
log(seen, Object.keys(p), Object.getOwnPropertyNames(Props.prototype), Props.shared);`,
  'a property decorator returning an accessor on the prototype, shadowed by the field': `
function defaulted(value: string) {
  return function (target: object, key: string): any {
    return { get() { return 'default ' + value; }, configurable: true, enumerable: false };
  };
}
class Settings {
  @defaulted('a') mode: string = 'explicit';
  @defaulted('b') other!: string;
}
const s = new Settings();
const protoDesc = Object.getOwnPropertyDescriptor(Settings.prototype, 'mode');
log(s.mode, s.other, typeof protoDesc?.get, Object.keys(s), (Settings.prototype as any).mode);`,
  'a property decorator defining a getter with Object.defineProperty on the prototype': `
const values = new WeakMap<object, Record<string, unknown>>();
function tracked(target: object, key: string) {
  log('tracked', key);
  Object.defineProperty(target, '_' + key, {
    get(this: object) { return 'tracked ' + key + ' = ' + String(values.get(this)?.[key]); },
  });
}
class Form {
  @tracked email = 'a@b';
  constructor() { values.set(this, { email: this.email }); }
}
log((new Form() as any)._email, new Form().email);`,
  // ---- parameter decorators
  'parameter decorators on methods: target, key and index, in order': `
function param(label: string) {
  log('evaluate', label);
  return (target: any, key: string | undefined, index: number) => {
    log('apply', label, typeof target === 'function' ? target.name : 'prototype', String(key), index);
  };
}
function method(target: object, key: string, descriptor: PropertyDescriptor) { log('method', key); }
class Service {
  @method
  find(@param('a') a: string, b: number, @param('c1') @param('c2') c: boolean, @param('d') d: number = 4) {}
  save(@param('only') x: number) {}
  static create(@param('static') spec: object) {}
}
log('defined', Object.getOwnPropertyNames(Service.prototype));`,
  'parameter decorators on a constructor with parameter properties': `
const injections: [string, number, unknown][] = [];
function Inject(token: string) {
  return (target: any, key: string | undefined, index: number) => { injections.push([target.name, index, key]); };
}
function Optional() {
  return (target: any, key: string | undefined, index: number) => { injections.push([target.name + ' optional', index, key]); };
}
class Db { query() { return 'rows'; } }
class Cache {}
class Repository {
  constructor(
    @Inject('db') private readonly db: Db,
    public readonly name: string,
    @Inject('cache') @Optional() protected cache?: Cache,
  ) {}
  rows() { return this.db.query() + ' of ' + this.name; }
}
log(injections, new Repository(new Db(), 'users').rows(), Object.keys(new Repository(new Db(), 'x')));
log(Reflect.getMetadata('design:paramtypes', Repository));`,
  'parameter decorators on a one-line constructor of a decorated class': `
const marks: string[] = [];
const Mark = (name: string) => (target: Function, key: string | undefined, index: number) => { marks.push(name + '@' + index); };
function Injectable() { return (target: Function) => { marks.push('class ' + target.name); }; }
@Injectable() class Handler { constructor(@Mark('first') readonly first: string, @Mark('second') readonly second: number) {} }
log(marks, new Handler('x', 2), Reflect.getMetadata('design:paramtypes', Handler));`,
  'parameter decorators written over lines, with comments, strings, a this parameter and type arguments': `
function p(tag: string) {
  return (target: object, key: string | undefined, index: number) => { log('param', tag, String(key), index); };
}
function Factory<T>(value: T) {
  return (target: object, key: string, descriptor?: PropertyDescriptor): void => { log('factory', key, value); };
}
class Db {}
class Base { constructor(readonly db: Db) {} }
class Service extends Base {
  @Factory<number>(1) count = 1;
  constructor(
    @p(
      'db'
    ) db: Db,
    @p('name' /* the name */) private readonly name: string,
  ) {
    super(db);
  }
  handle(this: Service, @p('@scope/x') x: number, @p(\`t\`) y?: string): void {}
  @Factory<string>('m') m<T extends object>(@p('generic') value: T): T { return value; }
  get label() { return this.name; }
}
const service = new Service(new Db(), 'n');
log(Reflect.getMetadata('design:paramtypes', Service), Reflect.getMetadata('design:paramtypes', Service.prototype, 'handle'), service.label, service.count);`,
  // ---- emitDecoratorMetadata
  'design:type of properties: primitives, literals and unions': `
function d(target: object, key: string) {}
class Shapes {
  @d str!: string;
  @d num!: number;
  @d bool!: boolean;
  @d big!: bigint;
  @d sym!: symbol;
  @d lit!: 'a' | 'b';
  @d numLit!: 1 | 2;
  @d neg!: -1;
  @d yes!: true;
  @d tmpl!: \`id-\${string}\`;
  @d opt?: number;
  @d mixed!: string | number;
  @d mixedLiterals!: 'a' | 1;
  @d anyType: any;
  @d unknownType: unknown;
  @d objectType!: object;
  @d nullType!: null;
  @d undefinedType!: undefined;
  @d neverType!: never;
  @d untyped = 1;
  @d parenthesized!: (string);
}
for (const key of Object.keys(new Shapes())) log(key, Reflect.getMetadata('design:type', Shapes.prototype, key));`,
  'design:type of properties: classes, interfaces, generics and functions': `
class Address {}
interface Shape { kind: string }
type Point = { x: number };
class Holder<T> {
  @d address!: Address;
  @d shape!: Shape;
  @d point!: Point;
  @d literal!: { a: number };
  @d date!: Date;
  @d promise!: Promise<string>;
  @d map!: Map<string, number>;
  @d set!: Set<Address>;
  @d error!: Error;
  @d regex!: RegExp;
  @d bytes!: Uint8Array;
  @d fn!: () => void;
  @d fnWithArgs!: (a: number, b: string) => Promise<void>;
  @d ctor!: new () => Address;
  @d fnType!: Function;
  @d objectCtor!: Object;
  @d typeQuery!: typeof Address;
  @d keys!: keyof Shape;
  @d record!: Record<string, number>;
  @d partial!: Partial<Address>;
  @d intersection!: Address & Shape;
  @d param!: T;
}
function d(target: object, key: string) {}
for (const key of Object.keys(new Holder())) log(key, Reflect.getMetadata('design:type', Holder.prototype, key));`,
  'design:type of properties: arrays and tuples': `
function d(target: object, key: string) {}
class Lists {
  @d dates!: Date[];
  @d nested!: Date[][];
  @d generic!: Array<number>;
  @d readonlyDates!: readonly Date[];
  @d tuple!: [number, Date];
  @d readonlyTuple!: readonly [number];
  @d named!: [first: Date, second?: Date];
  @d unionArray!: (Date | boolean)[];
}
for (const key of Object.keys(new Lists())) log(key, Reflect.getMetadata('design:type', Lists.prototype, key));`,
  'design:type of properties: arrays of strings, numbers and literals': `
function d(target: object, key: string) {}
class Lists {
  @d strings!: string[];
  @d numbers!: number[];
  @d booleans!: boolean[];
  @d literals!: 'a'[];
  @d stringOrStrings!: string | string[];
}
for (const key of Object.keys(new Lists())) log(key, Reflect.getMetadata('design:type', Lists.prototype, key));`,
  'design:paramtypes and design:returntype of methods': `
class User {}
interface Options { verbose: boolean }
function d(target: object, key: string, descriptor: PropertyDescriptor) {}
class Api {
  @d plain(a: string, b: number, c: boolean): void {}
  @d optional(a?: string, b?: User): string { return ''; }
  @d defaults(a = 1, b: number = 2, c: string = '') {}
  @d destructured({ x }: { x: number }, [y]: [Date], { verbose }: Options): boolean { return true; }
  @d withThis(this: Api, a: Date): Promise<User> { return Promise.resolve(new User()); }
  @d async later(a: User): Promise<void> {}
  @d none() {}
  @d returnsClass(): User { return new User(); }
  @d returnsUnion(): 'a' | 'b' { return 'a'; }
  @d returnsNever(): never { throw new Error(); }
  @d returnsTuple(): [number, string] { return [1, '']; }
  @d generic<T>(value: T): T { return value; }
  @d *gen(): Generator<number> { yield 1; }
  @d callbacks(cb: (x: number) => string, ctor: typeof User, plain: Function): unknown { return cb; }
  @d static create(spec: Options, at: Date): Api { return new Api(); }
}
for (const target of [Api.prototype, Api])
  for (const key of Object.getOwnPropertyNames(target).filter((k) => typeof (target as any)[k] === 'function' && k !== 'constructor'))
    log(key, Reflect.getMetadata('design:type', target, key), Reflect.getMetadata('design:paramtypes', target, key), Reflect.getMetadata('design:returntype', target, key));`,
  'design:paramtypes and design:returntype with arrays of strings and numbers': `
function d(target: object, key: string, descriptor: PropertyDescriptor) {}
class Api {
  @d names(all: string[], ids: number[]): string[] { return all; }
}
log(Reflect.getMetadata('design:paramtypes', Api.prototype, 'names'), Reflect.getMetadata('design:returntype', Api.prototype, 'names'));`,
  'design:paramtypes of rest parameters': `
function d(target: object, key: string, descriptor: PropertyDescriptor) {}
class Api {
  @d numbers(first: Date, ...more: number[]) {}
  @d generic(...dates: Array<Date>) {}
  @d tuple(...pair: [string, number]) {}
}
for (const key of ['numbers', 'generic', 'tuple']) log(key, Reflect.getMetadata('design:paramtypes', Api.prototype, key));`,
  'design:returntype of an async method without a return type': `
function d(target: object, key: string, descriptor: PropertyDescriptor) {}
class Api {
  @d async load() { return 1; }
  @d sync() { return 1; }
}
log(Reflect.getMetadata('design:returntype', Api.prototype, 'load'), Reflect.getMetadata('design:returntype', Api.prototype, 'sync'));`,
  'design:type and design:paramtypes of getters and setters alone': `
function d(target: object, key: string, descriptor: PropertyDescriptor) {}
class Clock {
  @d get now(): Date { return new Date(0); }
  @d set label(v: string) {}
  @d get untyped() { return 1; }
  @d static get zone(): string { return 'UTC'; }
}
for (const [target, key] of [[Clock.prototype, 'now'], [Clock.prototype, 'label'], [Clock.prototype, 'untyped'], [Clock, 'zone']] as const)
  log(key, Reflect.getMetadata('design:type', target, key), Reflect.getMetadata('design:paramtypes', target, key), Reflect.getMetadata('design:returntype', target, key));`,
  'design:type and design:paramtypes of a decorated getter with its setter': `
function d(target: object, key: string, descriptor: PropertyDescriptor) {}
class Clock {
  @d get hours(): number { return 1; }
  set hours(v: number) {}
}
log(Reflect.getMetadata('design:type', Clock.prototype, 'hours'), Reflect.getMetadata('design:paramtypes', Clock.prototype, 'hours'));`,
  'design:type of a getter without a type, its setter typed': `
function d(target: object, key: string, descriptor: PropertyDescriptor) {}
class Clock {
  @d get minutes() { return 1; }
  set minutes(v: number) {}
}
log(Reflect.getMetadata('design:type', Clock.prototype, 'minutes'));`,
  'design:paramtypes of constructors': `
class Db {}
interface Config { url: string }
function injectable(target: Function) {}
@injectable
class Repo {
  constructor(private readonly db: Db, public name: string, config: Config, retries?: number, at: Date = new Date(0)) {}
}
@injectable class NoConstructor {}
@injectable class Inherits extends Repo {}
@injectable class Own extends Repo { constructor(flag: boolean) { super(new Db(), 'x', { url: '' }); } }
class Undecorated { constructor(a: string) {} }
for (const C of [Repo, NoConstructor, Inherits, Own, Undecorated])
  log(C.name, Reflect.getMetadata('design:paramtypes', C), Reflect.getOwnMetadata('design:paramtypes', C), Reflect.getOwnMetadataKeys(C));`,
  'design:* keys each member gets, and the class': `
function d(...args: any[]) {}
@d
class Keys {
  @d field!: string;
  @d method(a: string): void {}
  @d get getter(): number { return 1; }
  @d static stat(): void {}
  constructor(x: number) {}
  bare(@d a: number) {}
}
for (const [target, key] of [[Keys.prototype, 'field'], [Keys.prototype, 'method'], [Keys.prototype, 'getter'], [Keys, 'stat'], [Keys, undefined], [Keys.prototype, 'bare']] as const)
  log(String(key), Reflect.getOwnMetadataKeys(target, key));`,
  'emitDecoratorMetadata off: no design:* at all': {
    metadata: false,
    source: `
function d(...args: any[]) {}
class Db {}
@d
class Off {
  @d field!: string;
  @d method(a: string): number { return 1; }
  constructor(db: Db, @d name: string) {}
  bare(@d a: number) {}
}
for (const [target, key] of [[Off.prototype, 'field'], [Off.prototype, 'method'], [Off, undefined], [Off.prototype, 'bare']] as const)
  log(String(key), Reflect.getOwnMetadataKeys(target, key), Reflect.getMetadata('design:type', target, key));`,
  },
  'emitDecoratorMetadata off: parameter decorators still run': {
    metadata: false,
    source: `
const tokens: unknown[] = [];
function Inject(token: string) { return (target: Function, key: string | undefined, index: number) => { tokens[index] = token; }; }
function Service(target: Function) { log('service', target.name, Reflect.getMetadata('design:paramtypes', target)); }
@Service
class Mailer {
  constructor(@Inject('smtp') private transport: object, @Inject('from') private from: string) {}
}
log(tokens);`,
  },
  'metadata of a subclass: its own, and its parent through the prototype chain': `
function d(target: object, key: string) {}
function tagged(value: string) { return Reflect.metadata('tag', value); }
@tagged('base')
class Base {
  @d @tagged('id') id!: number;
  @d name!: string;
}
class Derived extends Base {
  @d @tagged('override') name: string = 'derived';
  @d extra!: Date;
}
const dp = Derived.prototype;
log(Reflect.getMetadata('design:type', dp, 'id'), Reflect.getMetadata('tag', dp, 'id'), Reflect.getOwnMetadata('tag', dp, 'id'));
log(Reflect.getMetadata('tag', dp, 'name'), Reflect.getMetadata('tag', Base.prototype, 'name'), Reflect.getMetadata('design:type', dp, 'extra'));
log(Reflect.getMetadata('tag', Derived), Reflect.getOwnMetadata('tag', Derived), Reflect.getMetadata('tag', Base));`,
  'a property typed with a class of its decorated class': `
function Entity(target: Function) {}
function Column(target: object, key: string) {}
@Entity
class Category {
  @Column parent!: Category;
  @Column children!: Category[];
}
log(Reflect.getMetadata('design:type', Category.prototype, 'parent'), Reflect.getMetadata('design:type', Category.prototype, 'children'));`,
  'a property typed with the class it is in (not class-decorated)': `
function d(target: object, key: string) {}
class Node {
  @d next!: Node;
  @d link(to: Node): Node { return to; }
}
log(Reflect.getMetadata('design:type', Node.prototype, 'next'), Reflect.getMetadata('design:paramtypes', Node.prototype, 'link'), Reflect.getMetadata('design:returntype', Node.prototype, 'link'));`,
  'a property typed with a class declared after it': `
function d(target: object, key: string) {}
class Early {
  @d later!: Later;
}
class Later {}
log(Reflect.getMetadata('design:type', Early.prototype, 'later'));`,
  'design:type of enums and type aliases': `
enum Color { Red, Green }
enum Named { A = 'a', B = 'b' }
type Id = string;
type Count = number | undefined;
function d(target: object, key: string) {}
class Typed {
  @d color!: Color;
  @d named!: Named;
  @d id!: Id;
  @d count!: Count;
}
for (const key of Object.keys(new Typed())) log(key, Reflect.getMetadata('design:type', Typed.prototype, key));`,
  'a decorator reading its class by name while it decorates': `
function check(target: object, key: string) {
  log(key, target === Fib.prototype);
}
class Fib {
  @check m() {}
}`,
  'design:type of unions with null or undefined, under strictNullChecks': `
class Address {}
function d(target: object, key: string, descriptor?: PropertyDescriptor) {}
class Nullable {
  @d maybe!: string | null;
  @d orUndefined!: boolean | undefined;
  @d both!: null | 'x' | undefined;
  @d address!: Address | null;
  @d dates!: Date[] | null;
  @d method(a: number | null, b: string | undefined = undefined): Date | null { return null; }
}
for (const key of Object.keys(new Nullable())) log(key, Reflect.getMetadata('design:type', Nullable.prototype, key));
log(Reflect.getMetadata('design:paramtypes', Nullable.prototype, 'method'), Reflect.getMetadata('design:returntype', Nullable.prototype, 'method'));`,
  'design:type of ReadonlyArray': `
function d(target: object, key: string) {}
class Lists {
  @d names!: ReadonlyArray<string>;
}
log(Reflect.getMetadata('design:type', Lists.prototype, 'names'));`,
  "TypeScript syntax in a parameter decorator's arguments": `
const TOKEN: unknown = 'db';
function Inject(token: unknown) {
  return (target: object, key: string | undefined, index: number) => { log('inject', String(token), index); };
}
class Service {
  constructor(@Inject(TOKEN as string) readonly db: object) {}
  find(@Inject(<string>'id') id: string, @Inject((n: number): number => n) pick: number) {}
}
log('defined');`,
  'Reflect.decorate is called with four arguments for a class too': `
(Reflect as any).decorate = function (decorators: Function[], target: Function) {
  log('Reflect.decorate', arguments.length, arguments[2], arguments[3]);
  return target;
};
function d(target: Function) {}
@d class Via {}`,
  "a class-decorated class named in the arguments of its members' decorators": `
function Type(type: unknown) {
  return (target: object, key: string) => log(key, typeof type);
}
function Entity(target: Function) {}
@Entity
class Tree {
  @Type(Tree) parent!: Tree;
}
class Plain {
  @Type(Plain) self!: Plain;
}`,
  'parameter decorators on destructured and rest parameters': `
function p(target: object, key: string | undefined, index: number) { log('param', String(key), index); }
interface Options { verbose?: boolean }
class Service {
  configure(first: string, @p { verbose }: Options) {}
  pick(@p [head]: number[]) {}
  all(@p ...names: string[]) {}
}
log(Reflect.getMetadata('design:paramtypes', Service.prototype, 'configure'), Reflect.getMetadata('design:paramtypes', Service.prototype, 'all'));`,
  'a decorated declare field': `
function d(target: object, key: string) { log('decorate', key); }
class Model {
  @d declare id: number;
  name = 'n';
}
log(Reflect.getMetadata('design:type', Model.prototype, 'id'), Object.keys(new Model()));`,
  // ---- frameworks
  'a NestJS-like container resolving constructors through design:paramtypes': `
type Ctor<T = any> = new (...args: any[]) => T;
const providers = new Map<Ctor, { scope: string }>();
const tokens = new Map<Ctor, Map<number, string>>();
const values = new Map<string, unknown>([['CONFIG', { url: 'db://local' }]]);
function Injectable(options: { scope: string } = { scope: 'singleton' }) {
  return (target: Ctor) => { providers.set(target, options); };
}
function Inject(token: string) {
  return (target: Ctor, key: string | undefined, index: number) => {
    const map = tokens.get(target) ?? new Map<number, string>();
    map.set(index, token);
    tokens.set(target, map);
  };
}
class Container {
  private instances = new Map<Ctor, unknown>();
  resolve<T>(target: Ctor<T>, depth = 0): T {
    if (!providers.has(target)) throw new Error(target.name + ' is not injectable');
    const existing = this.instances.get(target);
    if (existing) return existing as T;
    const types: Ctor[] = Reflect.getMetadata('design:paramtypes', target) ?? [];
    log(' '.repeat(depth) + 'resolve', target.name, types.map((t) => t.name));
    const args = types.map((t, i) => tokens.get(target)?.has(i) ? values.get(tokens.get(target)!.get(i)!) : this.resolve(t, depth + 1));
    const instance = new target(...args);
    if (providers.get(target)!.scope === 'singleton') this.instances.set(target, instance);
    return instance;
  }
}
interface Config { url: string }
@Injectable()
class Logger { lines: string[] = []; write(s: string) { this.lines.push(s); } }
@Injectable()
class Database {
  constructor(@Inject('CONFIG') private readonly config: Config, private readonly logger: Logger) {}
  query(sql: string) { this.logger.write(sql); return this.config.url + ' ' + sql; }
}
@Injectable({ scope: 'transient' })
class UsersService {
  constructor(private readonly db: Database, readonly logger: Logger) {}
  all() { return this.db.query('select * from users'); }
}
class NotProvided {}
const container = new Container();
const users = container.resolve(UsersService);
log(users.all(), users.logger.lines, container.resolve(UsersService) === users, container.resolve(Logger) === users.logger);
try { container.resolve(NotProvided); } catch (e: any) { log(e.message); }`,
  'a TypeORM-like entity reading design:type in @Column()': `
type ColumnType = 'varchar' | 'int' | 'boolean' | 'timestamp' | 'json';
interface ColumnSpec { property: string; type: ColumnType; nullable: boolean }
const tables = new Map<Function, { name: string; columns: ColumnSpec[] }>();
function table(target: Function) {
  let t = tables.get(target);
  if (!t) tables.set(target, (t = { name: target.name.toLowerCase(), columns: [] }));
  return t;
}
function Entity(name?: string) {
  return (target: Function) => { if (name) table(target).name = name; };
}
function Column(options: { nullable?: boolean; type?: ColumnType } = {}) {
  return (target: object, property: string) => {
    const designType = Reflect.getMetadata('design:type', target, property);
    const type: ColumnType = options.type ?? (designType === String ? 'varchar' : designType === Number ? 'int' : designType === Boolean ? 'boolean' : designType === Date ? 'timestamp' : 'json');
    table(target.constructor).columns.push({ property, type, nullable: options.nullable ?? false });
  };
}
const PrimaryGeneratedColumn = () => Column({ type: 'int' });
@Entity('users')
class User {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
  @Column({ nullable: true }) nickname?: string;
  @Column() active: boolean = true;
  @Column() createdAt!: Date;
  @Column() tags!: Array<string>;
  @Column({ type: 'varchar' }) role!: 'admin' | 'user';
}
@Entity()
class Post {
  @PrimaryGeneratedColumn() id!: number;
  @Column() title!: string;
}
for (const [cls, t] of tables) log(cls.name, t.name, t.columns.map((c) => c.property + ':' + c.type + (c.nullable ? '?' : '')));`,
  'a class-validator-like set of property rules': `
type Rule = { property: string; check: (v: unknown) => boolean; message: string };
const rules = new Map<Function, Rule[]>();
function rule(check: (v: unknown) => boolean, message: (p: string) => string) {
  return (target: object, property: string) => {
    const list = rules.get(target.constructor) ?? [];
    list.push({ property, check, message: message(property) });
    rules.set(target.constructor, list);
  };
}
const IsString = () => rule((v) => typeof v === 'string', (p) => p + ' must be a string');
const MinLength = (n: number) => rule((v) => typeof v === 'string' && v.length >= n, (p) => p + ' must be at least ' + n + ' long');
const IsInt = () => rule((v) => Number.isInteger(v), (p) => p + ' must be an integer');
const Min = (n: number) => rule((v) => typeof v === 'number' && v >= n, (p) => p + ' must be at least ' + n);
const IsTyped = () => (target: object, property: string) => {
  const type = Reflect.getMetadata('design:type', target, property);
  rule((v) => Object(v) instanceof type, (p) => p + ' must be a ' + type.name)(target, property);
};
function validate(o: object): string[] {
  const errors: string[] = [];
  for (let c = o.constructor; c && c !== Object; c = Object.getPrototypeOf(c))
    for (const r of rules.get(c) ?? []) if (!r.check((o as any)[r.property])) errors.push(r.message);
  return errors;
}
class CreateUser {
  @IsString() @MinLength(3) name: string = '';
  @IsInt() @Min(18) age: number = 0;
  @IsTyped() born: Date = new Date(0);
}
class CreateAdmin extends CreateUser {
  @IsString() @IsTyped() role: string = 'admin';
}
const u = new CreateUser();
log(validate(u));
Object.assign(u, { name: 'Ada', age: 36 });
log(validate(u));
const a = new CreateAdmin();
(a as any).role = 7;
log(validate(a), rules.get(CreateUser)!.map((r) => r.property));`,
  'a program that defines Reflect.decorate itself': `
(Reflect as any).decorate = function (decorators: Function[], target: any, key?: string | symbol, descriptor?: PropertyDescriptor) {
  log('Reflect.decorate', decorators.length, typeof target === 'function' ? target.name : 'prototype', String(key), typeof descriptor);
  let result: any = key === undefined ? target : descriptor;
  for (let i = decorators.length - 1; i >= 0; i--) {
    const next = key === undefined ? decorators[i](result) : decorators[i](target, key, result);
    if (next) result = next;
  }
  return result;
};
function dec(name: string) { return (...args: any[]) => { log('apply', name, args.length); }; }
@dec('class')
class Via {
  @dec('method') m(@dec('param') a: string) {}
  @dec('field') f = 1;
  @dec('static') static s() {}
}
log('done', Reflect.getMetadata('design:paramtypes', Via.prototype, 'm'));`,
  'a Reflect.decorate that replaces what it decorates': `
(Reflect as any).decorate = function (decorators: Function[], target: any, key?: string | symbol, descriptor?: PropertyDescriptor) {
  if (key === undefined) return class Swapped extends target { static swapped = decorators.length; };
  if (descriptor) return { ...descriptor, value: () => 'replaced ' + String(key) };
  return undefined;
};
function d(...args: any[]) {}
@d
class Target {
  @d m() { return 'original'; }
  @d f = 1;
}
log(Target.name, (Target as any).swapped, new Target().m(), new Target().f);`,
  // ---- inheritance
  'decorated members of an abstract class and its subclass, with super calls': `
function loud(target: object, key: string, descriptor: PropertyDescriptor) {
  const f = descriptor.value;
  descriptor.value = function (this: unknown, ...args: unknown[]) { return String(f.apply(this, args)).toUpperCase(); };
}
abstract class Shape {
  @Reflect.metadata('role', 'describe')
  describe(): string { return 'shape of area ' + this.area(); }
  protected abstract area(): number;
  @loud static kind(): string { return 'shape kind'; }
}
class Square extends Shape {
  constructor(private readonly side: number) { super(); }
  protected area() { return this.side ** 2; }
  @loud override describe(): string { return super.describe() + ' (square)'; }
  @loud static override kind(): string { return super.kind() + ' square'; }
}
log(new Square(3).describe(), Square.kind(), Shape.kind());
log(Reflect.getMetadata('role', Square.prototype, 'describe'), Reflect.getMetadata('design:returntype', Square.prototype, 'describe'));`,
  'a decorated class declared in a method of a decorated class': `
const made: string[] = [];
function named(target: Function) { made.push(target.name); }
function twice(target: object, key: string, descriptor: PropertyDescriptor) {
  const f = descriptor.value;
  descriptor.value = function (this: unknown, ...args: unknown[]) { return f.apply(this, args) * 2; };
}
@named
class Factory {
  @twice build(n: number): number {
    @named
    class Part {
      constructor(readonly n: number) {}
      @twice size(): number { return this.n; }
    }
    return new Part(n).size();
  }
}
log(new Factory().build(3), new Factory().build(4), made);`,
  // ---- errors
  'a decorator that throws stops the program where it is applied': `
function fails(target: object, key: string): void {
  throw new Error('cannot decorate ' + key);
}
function failsClass(target: Function): void {
  throw new Error('cannot decorate class ' + target.name);
}
try {
  class A { @fails m() {} }
  log('no error');
} catch (e: any) { log('caught', e.message); }
try {
  @failsClass class B {}
  log('no error');
} catch (e: any) { log('caught', e.message); }
log('before');
class C {
  @fails field = 1;
}
log('never');`,
  'a decorator factory that throws, and a decorator that is not a function': `
function factory(): any { throw new Error('factory failed'); }
try {
  class A { @factory() m() {} }
} catch (e: any) { log('caught', e.message); }
const notAFunction: any = 42;
try {
  class B { @notAFunction m() {} }
  log('no error');
} catch (e: any) { log('caught', e.name); }
const nothing: any = undefined;
class C { @nothing m() { return 'kept'; } }
log(new C().m());`,
  // ---- auto-accessors
  'a decorated auto-accessor': `
function observed(target: object, key: string, descriptor: PropertyDescriptor): any {
  log('observed', key, typeof descriptor.get, typeof descriptor.set);
  return {
    ...descriptor,
    set(this: unknown, v: unknown) { log('set', key, v); descriptor.set!.call(this, v); },
  };
}
class Store {
  @observed accessor count: number = 0;
  @observed static accessor total = 5;
}
const st = new Store();
st.count = 2;
Store.total = 6;
log(st.count, Store.total, Reflect.getMetadata('design:type', Store.prototype, 'count'));`,
};

/** Programs that log differently under CodaJS: TypeScript's log (expected) vs CodaJS's (actual), and why. */
const differing: Record<string, string> = {
  // TypeScript reads the class in its temporal dead zone and throws; CodaJS's ref() reads Object
  'a property typed with a class declared after it': "expected threw: Cannot access 'Later' before initialization, actual Object",
  // sucrase removes a `declare` field whole, so its decorator has no member left to decorate: refused at its @
  'a decorated declare field': 'expected decorate id / Number ["name"], actual the cell refused (DecoratorsUnsupported)',
};

/** What the user sees: a program whose error is thrown on the line that mentions `boom` (its frame's line). */
const throwing: Record<string, string> = {
  'a decorated method body': `
function wrap(target: object, key: string, descriptor: PropertyDescriptor) {
  const f = descriptor.value;
  descriptor.value = function (this: unknown) { return f.call(this); };
}
class Job {
  @wrap
  run(): number {
    const n: number = 1;
    throw new Error('boom in method ' + n);
  }
}
new Job().run();`,
  'a parameter decorator factory on a one-line class': `
function Inject(token: unknown) { return (target: object, key: string | undefined, index: number) => {}; }
class Db {}
class Service { constructor(@Inject(boom.token) private readonly db: Db, @Inject('x') readonly y: string) {} }`,
  'a parameter decorator factory on a one-line constructor': `
function Inject(token: unknown) { return (target: object, key: string | undefined, index: number) => {}; }
class Db {}
class Service {
  constructor(@Inject(Db) private readonly db: Db, @Inject(boom.token) readonly y: string) {}
  ok() {}
}`,
  'a parameter decorator factory that throws': `
function Inject(token: unknown): ParameterDecorator {
  throw new Error('boom: no provider for ' + String(token));
}
class Service {
  constructor(@Inject('db') private readonly db: object) {}
}`,
  'a multi-line class decorator argument': `
function Component(options: { selector: string; size: number }): any { return () => {}; }
@Component({
  selector: 'app-view',
  size: boom(),
})
class View {
  @Component({ selector: 'x', size: 1 }) static render() {}
}`,
  'a method decorator body': `
function strict(target: object, key: string) {
  if (key === 'bad') {
    throw new Error('boom: no bad methods');
  }
}
class Api {
  @strict ok() {}
  @strict bad() {}
}`,
  'a property decorator argument': `
function Column(options: object) { return (target: object, key: string) => {}; }
class Row {
  @Column({ a: 1 }) a = 1;
  @Column({ b: boom.b }) b = 2;
}`,
};

/** Parameter decorators, whose lines can only stand where the class's decorators are applied. */
const throwingDiffering: Record<string, string> = {
  'a parameter decorator factory on a one-line constructor': "expected cell.js:5 (the constructor's line), actual cell.js:7 (the class's last line)",
};

describe('experimentalDecorators in cells: what TypeScript makes of them', function () {
  this.timeout(60_000);

  it('every program is valid TypeScript with experimentalDecorators and emitDecoratorMetadata', () => {
    const files = new Map<string, string>([['/globals.d.ts', GLOBALS]]);
    Object.entries(programs).forEach(([, p], i) => files.set(`/program${i}.ts`, (typeof p === 'string' ? p : p.source) + '\nexport {};\n'));
    Object.entries(throwing).forEach(([, source], i) => files.set(`/throwing${i}.ts`, source + '\nexport {};\n'));
    const options: ts.CompilerOptions = { ...compilerOptions(true), lib: ['lib.es2022.d.ts'], noEmit: true, types: [] };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.fileExists = (f) => files.has(f) || ts.sys.fileExists(f);
    host.readFile = (f) => files.get(f) ?? readFile(f);
    host.getSourceFile = (f, v) => (files.has(f) ? ts.createSourceFile(f, files.get(f)!, v) : getSourceFile(f, v));
    const program = ts.createProgram([...files.keys()], options, host);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      const name = d.file?.fileName.match(/^\/(program|throwing)(\d+)/);
      const which = name ? Object.keys(name[1] === 'program' ? programs : throwing)[Number(name[2])] : d.file?.fileName;
      return `${which}:${at ? at.line + 1 : '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    assert.deepEqual(diagnostics, []);
  });

  describe('each program logs the same', () => {
    for (const [name, program] of Object.entries(programs)) {
      const source = typeof program === 'string' ? program : program.source;
      const metadata = typeof program === 'string';
      (name in differing ? it.skip : it)(name, async () => {
        const ours = legacyCell(source, metadata);
        const expected = await run(reference(source, metadata));
        assert.deepEqual(await run(ours), expected);
        assert.equal(ours.split('\n').length, source.split('\n').length, 'lines never move');
        assert.doesNotThrow(() => acorn.parse(ours, { ecmaVersion: 'latest', sourceType: 'script' }), 'plain JavaScript');
      });
    }
  });

  describe('an error points at the line the cell wrote', () => {
    for (const [name, source] of Object.entries(throwing)) {
      (name in throwingDiffering ? it.skip : it)(`thrown in ${name}`, () => {
        const line = source.split('\n').findIndex((l) => l.includes('boom')) + 1;
        const code = legacyCell(source);
        let stack = '';
        try {
          new vm.Script(code, { filename: 'cell.js' }).runInContext(context());
        } catch (err) {
          stack = String((err as Error).stack);
        }
        assert.ok(stack, 'it threw');
        assert.equal(/\bcell\.js:(\d+):\d+/.exec(stack)?.[1], String(line), stack);
      });
    }
  });
});
