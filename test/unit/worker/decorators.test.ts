/**
 * TC39 standard decorators and auto-accessors in cells (worker/transform/lowerDecorators.ts): each program runs once as
 * TypeScript 5 emits it (no experimentalDecorators) and once as a cell runs it (types stripped, then decorators
 * lowered, with the kernels' run-time part, worker/runtime/makeDecoratorRuntime.ts), and both runs log the same; the
 * lowered code keeps every line where the cell wrote it.
 */
import { strict as assert } from 'node:assert';
import vm from 'node:vm';
import * as acorn from 'acorn';
import * as ts from 'typescript';
import { lowerDecorators } from '../../../worker/transform/lowerDecorators';
import { runLogged, withDecoratorRuntime } from '../helpers/decoratorRuns';
import { stripTypes } from '../../../worker/transform/stripTypes';

/** What both runs start with: `Symbol.metadata` (TypeScript only writes metadata where the runtime has the symbol, and Node does not yet). */
const SETUP = withDecoratorRuntime("Symbol.metadata ??= Symbol('Symbol.metadata');");

/** Runs `code` in a fresh context; what it logged, then `threw: <message>` when it threw. */
const run = (code: string, filename?: string) => runLogged(SETUP, code, filename);

const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  useDefineForClassFields: true,
  experimentalDecorators: false,
};

/** What a cell runs: the program without its types, its decorators lowered (unchanged when it has none). */
function lowered(source: string): string {
  const js = stripTypes(source, 'cell.ts').code;
  return lowerDecorators(js)?.code ?? js;
}

/** What the user sees: a program that logs what it observes through `log`. */
const programs: Record<string, string> = {
  // ---- class decorators
  'a class decorator replaces the class': `
function replace<T extends new (...a: any[]) => any>(value: T, context: ClassDecoratorContext) {
  log(context.kind, context.name, value.name);
  return class extends value { extra = 'added'; };
}
@replace
class Point { x: number = 1; }
const p: any = new Point();
log(p.x, p.extra, Point.name, p instanceof Point, Object.getPrototypeOf(Point).name);`,
  'a class decorator returning undefined keeps the class': `
function seen(value: Function, context: ClassDecoratorContext) { log('decorating', value, context.name, context.kind); }
@seen class Box { static n: number = 1 }
log(Box.n, Box, typeof Box);`,
  'stacked class decorators evaluate top-down and apply bottom-up': `
function tag(name: string) {
  log('evaluate', name);
  return function (value: any, context: ClassDecoratorContext) {
    log('apply', name, value.tags ?? [], context.name);
    const next: any = class extends value {};
    next.tags = [...(value.tags ?? []), name];
    return next;
  };
}
@tag('outer') @tag('middle')
@tag('inner')
class Layered {}
log((Layered as any).tags, new Layered() instanceof Layered);`,
  'class initializers run after static fields and static blocks': `
function init(value: any, context: ClassDecoratorContext) {
  context.addInitializer(function (this: any) { log('first initializer', this === value, this.ready, this.name); });
  context.addInitializer(function () { log('second initializer'); });
}
@init
class Service {
  static ready = (log('static field'), true);
  static { log('static block', this.name); }
}
log('defined', Service.ready);`,
  'class initializers see the replacing class': `
function swap(value: any, context: ClassDecoratorContext) {
  const Replacement = class Replacement extends value {};
  context.addInitializer(function (this: any) { log('initializer this', this === Replacement, this.name); });
  return Replacement;
}
@swap class Original {}
log(Original.name);`,
  'the class name inside the class means the replaced class': `
function wrap(value: any, context: ClassDecoratorContext) {
  return class Wrapped extends value { static wrapped = true; };
}
@wrap
class Model {
  static seen: any = Model;
  static thisIs: any = this;
  static create() { return new Model(); }
  static self() { return Model; }
  kind() { return (Model as any).wrapped; }
}
log(Model.name, Model.create() instanceof Model, Model.self() === Model, new Model().kind());
log(Model.seen === Model, Model.thisIs === Model, Model.thisIs === Object.getPrototypeOf(Model));`,
  'a decorated class expression is named after its variable': `
function named(value: any, context: ClassDecoratorContext) { log('name', context.name, value.name); }
const Alpha = @named class { };
const Beta = @named class Gamma { static who() { return Gamma.name; } };
log(Alpha.name, Beta.name, Beta.who());
const obj = { Delta: @named class {} };
log(obj.Delta.name);`,
  'an anonymous decorated class passed to a function': `
function register(cls: any) { log('registered', cls.name, cls.registered); return cls; }
function mark(value: any, context: ClassDecoratorContext) { log('context name', JSON.stringify(context.name)); value.registered = true; }
register(@mark class {});
register(@mark class Named {});
const Made = new (@mark class { hi = 'instance of an anonymous class' })();
log(Made.hi);`,
  'a decorated class declared inside a function is decorated on every call': `
function make(n: number) {
  function count(value: any, context: ClassDecoratorContext) {
    log('decorate', n, context.name);
    context.addInitializer(function () { log('init', n); });
  }
  @count class Local { n = n; }
  return Local;
}
const A = make(1), B = make(2);
log(A === B, new A().n, new B().n, A.name);`,
  'a decorated class used before its line is in its dead zone': `
function d(value: any) {}
try { new Later(); } catch (e: any) { log(e.name); }
@d class Later {}
log(typeof Later);`,
  // ---- methods
  'a method decorator replaces the method': `
function twice(method: (x: number) => number, context: ClassMethodDecoratorContext) {
  log(context.kind, context.name, context.static, context.private, typeof method, method.name);
  return function (this: any, x: number) { return method.call(this, method.call(this, x)); };
}
class Calc { base = 10; @twice add(x: number) { return x + this.base; } }
const c = new Calc();
const desc = Object.getOwnPropertyDescriptor(Calc.prototype, 'add')!;
log(c.add(1), desc.enumerable, desc.writable, Object.keys(c), Object.getOwnPropertyNames(Calc.prototype));`,
  'a wrapping decorator sees this, on instance and static methods': `
function logged(method: any, context: ClassMethodDecoratorContext) {
  const name = String(context.name);
  return function (this: any, ...args: any[]) {
    log('enter', name, context.static, this.id, args);
    const result = method.apply(this, args);
    log('leave', name, result);
    return result;
  };
}
class Account {
  constructor(public id: string) {}
  @logged deposit(n: number) { return n * 2; }
  @logged static audit(): string { return 'ok ' + this.name; }
}
new Account('a1').deposit(21);
Account.audit();`,
  'stacked method decorators evaluate in order and apply from the nearest': `
function step(name: string) {
  log('evaluate', name);
  return (m: any, c: ClassMethodDecoratorContext) => {
    log('apply', name, 'to', m.name || '(replaced)');
    return function (this: any) { return name + '(' + m.call(this) + ')'; };
  };
}
class Pipeline {
  @step('first') @step('second')
  @step('third')
  run() { return 'x'; }
}
log(new Pipeline().run());`,
  'static and instance methods of one name are decorated apart': `
function who(m: any, c: any) { log(c.kind, c.name, c.static, c.private, m()); }
class Both { @who static make() { return 'static'; } @who make() { return 'instance'; } }
log(Both.make(), new Both().make());`,
  'a private method decorator: its name, its access, the class using it': `
const spies: any = {};
function spy(m: any, c: ClassMethodDecoratorContext) {
  log(c.kind, c.name, c.private, c.static, m.name, 'get' in c.access, 'set' in c.access, 'has' in c.access);
  spies[c.name] = c.access;
  return function (this: any, ...a: any[]) { log('calling', c.name); return m.apply(this, a); };
}
class Vault {
  #secret = 42;
  @spy #reveal() { return this.#secret; }
  open() { return this.#reveal(); }
  static holds(o: any) { return #reveal in o; }
  @spy static #count() { return 'static private'; }
  static count() { return Vault.#count(); }
}
const v = new Vault();
log(v.open(), Vault.holds(v), Vault.holds({}), Vault.count());
log(spies['#reveal'].has(v), spies['#reveal'].has({}), spies['#reveal'].get(v).call(v), spies['#count'].get(Vault)());
try { spies['#reveal'].get({}); } catch (e: any) { log(e.name); }`,
  'getters and setters, public and private': `
function trace(fn: any, c: any) {
  log(c.kind, c.name, fn.name, 'get' in c.access, 'set' in c.access);
  return c.kind === 'getter'
    ? function (this: any) { log('get', c.name); return fn.call(this); }
    : function (this: any, v: any) { log('set', c.name, v); fn.call(this, v); };
}
class Temp {
  #c = 0;
  @trace get celsius() { return this.#c; }
  @trace set celsius(v: number) { this.#c = v; }
  @trace get #kelvin() { return this.#c + 273; }
  @trace set #kelvin(v: number) { this.#c = v - 273; }
  setK(v: number) { this.#kelvin = v; return this.#kelvin; }
  @trace static get unit() { return 'C'; }
}
const t = new Temp();
t.celsius = 5;
log(t.celsius, t.setK(300), Temp.unit);`,
  'the access of getters and setters works on instances': `
const found: any = {};
function keep(fn: any, c: any) { found[c.kind + ' ' + String(c.name)] = c.access; }
class Pt {
  #x = 1;
  @keep get x() { return this.#x; }
  @keep set x(v: number) { this.#x = v; }
  @keep get #y() { return this.#x * 100; }
  @keep set #y(v: number) { this.#x = v / 100; }
}
const pt = new Pt();
found['setter x'].set(pt, 5);
log(found['getter x'].get(pt), found['getter #y'].get(pt));
found['setter #y'].set(pt, 700);
log(pt.x, found['getter #y'].has(pt), found['setter #y'].has(Pt.prototype), Object.keys(found));`,
  'an async method decorator': `
function timed(m: any, c: any) {
  return async function (this: any, ...a: any[]) {
    log('start', c.name);
    const r = await m.apply(this, a);
    log('end', c.name, r);
    return r;
  };
}
class Loader { @timed async load(x: number) { await null; log('inside'); return x + 1; } }
new Loader().load(1).then((v: number) => log('resolved', v));
log('sync done');`,
  'generator methods, instance and static': `
function doubled(m: any, c: any) {
  log(c.name, m.constructor.name);
  return function* (this: any, ...a: any[]) { for (const v of m.apply(this, a)) yield v * 2; };
}
class Seq {
  @doubled *range(n: number) { for (let i = 0; i < n; i++) yield i; }
  @doubled static *one() { yield 1; }
  @doubled async *later() { yield 1; }
}
log([...new Seq().range(3)], [...Seq.one()]);`,
  'a method with a Symbol.iterator key': `
function iter(m: any, c: any) { log('decorating', c.name, typeof c.name, m.name); return m; }
class Bag { items = [1, 2]; @iter *[Symbol.iterator]() { yield* this.items; } }
log([...new Bag()]);`,
  'computed keys are evaluated after their decorators, in order': `
const order: string[] = [];
function dec(n: string) {
  order.push('decorator ' + n);
  return (m: any, c: any) => { order.push('apply ' + n + ' to ' + String(c.name)); };
}
function key(k: string) { order.push('key ' + k); return k; }
class K {
  @(dec('one')) ['a' + 'b']() {}
  [key('plain')]() {}
  @(dec('two')) [key('c')] = 1;
  @(dec('three')) @(dec('four')) static [key('d')]() {}
  @(dec('five')) accessor [key('e')] = 2;
}
log(order, Object.keys(new K()));`,
  'literal keys: numbers and quoted names': `
function name(m: any, c: any) { log(typeof c.name, c.name); }
class L { @name 42() {} @name 'quoted name'() {} @name [1 + 1]() {} @name 0x10 = 1; }
log(Object.getOwnPropertyNames(L.prototype), Object.keys(new L()));`,
  'method initializers run before fields; static ones while the class is defined': `
function bound(m: any, c: ClassMethodDecoratorContext) {
  c.addInitializer(function (this: any) {
    log('bind', c.name, c.static ? 'static' : 'instance', Object.keys(this));
    this[c.name] = this[c.name].bind(this);
  });
}
class Button {
  label = (log('field label'), 'ok');
  @bound click() { return this.label; }
  @bound static reset() { return this.name; }
  static count = (log('static field count'), 0);
  constructor() { log('constructor body'); }
}
log('after class');
const b = new Button();
const { click } = b, { reset } = Button;
log(click(), reset(), Object.keys(b));`,
  'addInitializer refuses what is not a function and any call after decoration': `
let saved: any;
function keep(m: any, c: any) { saved = c; }
function bad(m: any, c: any) { c.addInitializer(42); }
class Late { @keep m() {} }
try { saved.addInitializer(() => {}); } catch (e: any) { log('late:', e.name); }
try { class Broken { @bad m() {} } log('no error'); } catch (e: any) { log('not a function:', e.name); }`,
  // ---- fields
  'a field decorator transforms the initial value': `
function double(value: undefined, c: ClassFieldDecoratorContext) {
  log(c.kind, c.name, c.static, c.private, value);
  return function (this: any, initial: number) { log('init', c.name, initial, this instanceof Pair); return initial * 2; };
}
class Pair { @double left = 1; @double right: number = this.left + 1; }
const pr = new Pair();
log(pr.left, pr.right, Object.keys(pr));`,
  'stacked field decorators: which initializer runs first': `
function add(n: number) { return (v: undefined, c: any) => (x: number) => { log('add', n, 'to', x); return x + n; }; }
function mul(n: number) { return (v: undefined, c: any) => (x: number) => { log('times', n, 'on', x); return x * n; }; }
class Stack { @add(1) @mul(10) value = 2; @mul(10) @add(1) other = 2; }
const s = new Stack();
log(s.value, s.other);`,
  'static and private fields, and their access': `
const access: any = {};
function expose(v: undefined, c: ClassFieldDecoratorContext) { log(c.name, c.static, c.private); access[c.name] = c.access; }
class Counter {
  @expose static total = 5;
  @expose #count = 1;
  @expose static #hidden = 'h';
  peek() { return this.#count; }
  static hidden() { return Counter.#hidden; }
}
const ct = new Counter();
log(access.total.get(Counter), access['#count'].get(ct), access['#count'].has(ct), access['#count'].has({}), access['#hidden'].has(Counter));
access['#count'].set(ct, 9);
access['#hidden'].set(Counter, 'changed');
log(ct.peek(), Counter.hidden());
try { access['#count'].get({}); } catch (e: any) { log(e.name); }`,
  'fields without an initializer': `
function seed(v: undefined, c: ClassFieldDecoratorContext) {
  return (initial: unknown) => { log('initial', c.name, initial); return 'seeded ' + String(c.name); };
}
class Empty { @seed name!: string; @seed static label: string; @seed #p: string; get p() { return this.#p; } }
const e = new Empty();
log(e.name, Empty.label, e.p, Object.keys(e));`,
  'field initializers from addInitializer run once the field is defined': `
function after(v: undefined, c: ClassFieldDecoratorContext) {
  c.addInitializer(function (this: any) { log('extra for', c.name, 'sees', Object.keys(this)); });
}
class Order {
  @after a = (log('init a'), 1);
  @after b = (log('init b'), 2);
  c = (log('init c'), 3);
  constructor() { log('constructor'); }
}
new Order();
class Statics { @after static x = (log('init x'), 1); static y = (log('init y'), 2); }
log(Object.keys(Statics));`,
  'a field decorator returning a non-function is a TypeError': `
function bad(v: undefined, c: any) { return 42 as any; }
try { class Broken { @bad x = 1; } log('no error'); } catch (e: any) { log(e.name); }`,
  'symbol-keyed fields and methods': `
const key = Symbol('key'), method = Symbol('method');
function show(v: any, c: any) { log(c.kind, c.name, typeof c.name, c.access.has({ [c.name]: 1 })); }
class Sy { @show [key] = 1; @show [method]() { return 'm'; } }
const sy = new Sy();
log(sy[key], sy[method]());`,
  // ---- auto-accessors
  'auto-accessors without decorators': `
class Acc {
  accessor x = 1;
  static accessor y: number = 2;
  accessor #p = 3;
  accessor z: string;
  getP() { return this.#p; }
  setP(v: number) { this.#p = v; }
}
const a = new Acc();
const d = Object.getOwnPropertyDescriptor(Acc.prototype, 'x')!;
log(typeof d.get, typeof d.set, d.enumerable, d.get!.name, Object.keys(a), a.x, a.z);
a.x = 5;
a.setP(7);
log(a.x, Acc.y, a.getP(), Object.getOwnPropertyNames(a), Object.getOwnPropertyNames(Acc.prototype));
log(Object.hasOwn(Acc, Symbol.metadata));`,
  'an accessor decorator returning get, set and init': `
function observed(target: ClassAccessorDecoratorTarget<any, number>, c: ClassAccessorDecoratorContext) {
  log(c.kind, c.name, c.static, typeof target.get, typeof target.set, target.get.name);
  return {
    get(this: any) { const v = target.get.call(this); log('read', c.name, v); return v; },
    set(this: any, v: number) { log('write', c.name, v); target.set.call(this, v); },
    init(this: any, v: number) { log('init', c.name, v); return v * 10; },
  };
}
class Obs { @observed accessor n = 1; @observed static accessor s = 2; }
const o = new Obs();
log(o.n);
o.n = 3;
log(o.n, Obs.s);`,
  'private decorated accessors and their access': `
const acc: any = {};
function grab(t: any, c: ClassAccessorDecoratorContext) { log(c.name, c.private, c.static); acc[c.name] = c.access; }
class Secret {
  @grab accessor #p = 'hidden';
  @grab static accessor #q = 'static hidden';
  reveal() { return this.#p; }
}
const sc = new Secret();
acc['#p'].set(sc, 'changed');
log(sc.reveal(), acc['#p'].get(sc), acc['#p'].has(sc), acc['#p'].has(Secret), acc['#q'].get(Secret), acc['#q'].has(sc));
try { acc['#p'].set({}, 1); } catch (e: any) { log(e.name); }`,
  'accessor decorators returning part or nothing, stacked': `
function onlyGet(t: any, c: any) { log('onlyGet'); return { get(this: any) { return 'got ' + t.get.call(this); } }; }
function nothing(t: any, c: any) { log('nothing', c.name); }
function extra(t: any, c: any) { c.addInitializer(function (this: any) { log('accessor initializer', Object.getOwnPropertyNames(this)); }); return { init: (v: string) => v + '!' }; }
class Part { @onlyGet @nothing @extra accessor v = 'x'; }
const pa = new Part();
log(pa.v);
pa.v = 'y';
log(pa.v);`,
  'an accessor decorator returning a non-object is a TypeError': `
function bad(t: any, c: any) { return 1 as any; }
function badInit(t: any, c: any) { return { init: 'no' } as any; }
try { class A { @bad accessor x = 1; } } catch (e: any) { log(e.name); }
try { class B { @badInit accessor y = 1; } } catch (e: any) { log(e.name); }`,
  'accessor is still a name: fields, methods and a line break': `
const accessor = 'a variable';
class Names {
  accessor = 'a field named accessor';
  // a field named accessor again (its value now undefined), then a field named next: no auto-accessor here
  accessor
  next = 'the line ends the field';
  static accessor() { return 'a static method named accessor'; }
}
const nm = new Names();
log(accessor, nm.accessor, nm.next, Names.accessor(), Object.keys(nm));`,
  // ---- metadata
  'decorators of one class share its metadata': `
let last: any;
function meta(key: string, value: unknown) {
  return (_: unknown, c: DecoratorContext) => {
    c.metadata[key] = value;
    log(key, last === undefined || last === c.metadata);
    last = c.metadata;
  };
}
@meta('kind', 'entity')
class User {
  @meta('id', 'primary') id = 1;
  @meta('save', true) save() {}
  @meta('acc', 1) accessor a = 1;
  @meta('static', 's') static s = 1;
  @meta('private', 'p') #h() {}
}
const md = (User as any)[Symbol.metadata];
log(md, Object.getPrototypeOf(md), md === last, Object.getOwnPropertyDescriptor(User, Symbol.metadata)!.enumerable);`,
  'a subclass metadata inherits from its parent': `
function mark(key: string) { return (_: unknown, c: DecoratorContext) => { c.metadata[key] = String(c.name); }; }
@mark('base') class Base { @mark('field') f = 1; }
@mark('derived') class Derived extends Base { @mark('other') g = 2; }
class Plain extends Derived {}
class Fresh extends Plain { @mark('fresh') h = 3; }
const bm = (Base as any)[Symbol.metadata], dm = (Derived as any)[Symbol.metadata];
log(bm, dm, Object.getPrototypeOf(dm) === bm, dm.base, dm.field, (Plain as any)[Symbol.metadata] === dm, Object.hasOwn(Plain, Symbol.metadata));
log(Object.getPrototypeOf((Fresh as any)[Symbol.metadata]) === dm, (Fresh as any)[Symbol.metadata].base);`,
  // ---- inheritance
  'super calls inside decorated methods': `
function loud(m: any, c: any) { return function (this: any, ...a: any[]) { return String(m.apply(this, a)).toUpperCase(); }; }
class Animal { name = 'animal'; speak() { return 'generic ' + this.name; } static kind() { return 'animal kind'; } }
class Dog extends Animal {
  name = 'dog';
  @loud speak() { return super.speak() + '!'; }
  @loud static kind() { return super.kind() + ' dog'; }
  @loud get both() { return super.speak(); }
}
log(new Dog().speak(), Dog.kind(), new Dog().both);`,
  'a decorated class extending a decorated class': `
function entity(name: string) {
  return (value: any, c: ClassDecoratorContext) => {
    log('entity', name, c.name, 'parent entity', Object.getPrototypeOf(value).entity);
    return class extends value { static entity = name; };
  };
}
@entity('base') class BaseEntity { static create() { return new this(); } hello() { return 'hi from ' + (this.constructor as any).entity; } }
@entity('child') class ChildEntity extends BaseEntity { hello() { return super.hello() + ' via child'; } }
log(new ChildEntity().hello(), ChildEntity.create() instanceof ChildEntity, (ChildEntity as any).entity, (BaseEntity as any).entity);`,
  'a subclass runs its method initializers after super()': `
function ready(m: any, c: any) { c.addInitializer(function (this: any) { log('initializer sees', this.base, this.own); }); }
class P { base = 'base'; constructor(x: number) { log('P constructor', x); } }
class Q extends P {
  own = 'own';
  @ready go() {}
  constructor() { log('before super'); super(1); log('after super', this.own); }
}
new Q();`,
  'decorators on an abstract class with TypeScript modifiers': `
function d(v: any, c: any) { log(c.kind, c.name); }
@d abstract class Shape {
  abstract area(): number;
  private readonly sides: number = 0;
  @d protected describe(): string { return 'shape with ' + this.sides; }
  @d public static override = 'a static named override';
}
class Square extends Shape { area() { return 4; } show() { return this.describe(); } }
log(new Square().show(), new Square().area(), Shape.override);`,
  // ---- decorator expressions
  'decorator expressions: members, calls and parentheses': `
const registry = {
  decorators: {
    mark(v: any, c: any) { log('member', c.name); },
    factory: (tag: string) => (v: any, c: any) => { log('call', tag, c.name); },
  },
};
function curry(a: number) { return (b: number) => (v: any, c: any) => { log('curried', a, b, c.name); }; }
const list = [(v: any, c: any) => { log('indexed', c.name); }];
const flag = false;
@registry.decorators.mark
@registry.decorators.factory('class')
class Forms {
  @(list[0]) m() {}
  @(curry(1)(2)) n = 1;
  @(flag ? list[0] : registry.decorators.mark) static o() {}
}`,
  'a member decorator is called with its object as this': `
const holder = { dec(this: any, v: any, c: any) { log('this is the holder', this === holder, c.name); } };
@holder.dec class T { @holder.dec m() {} }`,
  'comments and line breaks between decorators': `
function first(m: any, c: any) { log('first'); }
function second(m: any, c: any) { log('second'); }
@first /* on the class */ @second // and a line comment
class Spaced {
  @first // a comment
  /* a block */ @second
  method() { return 'ok'; }

  @first

  field = 1;
}
log(new Spaced().method(), new Spaced().field);`,
  // ---- errors
  'a decorator that throws stops the program': `
function fail(v: any, c: any): any { throw new Error('cannot decorate ' + String(c.name)); }
log('before');
class Bad { @fail m() {} }
log('never');`,
  'a method decorator returning a non-function is a TypeError': `
function notFn(): any { return 'oops'; }
try { class X { @notFn m() {} } log('no error'); } catch (e: any) { log(e.name, e instanceof TypeError); }
try { @notFn class Y {} log('no error'); } catch (e: any) { log(e.name); }`,
  'a class decorator failing to evaluate stops before the heritage': `
function boom(): any { throw new Error('decorator evaluation failed'); }
try { @(boom()) class Z extends (log('heritage evaluated'), Object) {} } catch (e: any) { log(e.message); }
try { @(null as any) class W {} } catch (e: any) { log(e.name); }`,
};

/** What the user sees: a program whose error is thrown on the line that mentions `boom` (its frame's line). */
const throwing: Record<string, string> = {
  'a decorator body': `
function strict(m: any, c: any) {
  if (c.name === 'bad') {
    throw new Error('boom: no bad methods');
  }
}
class Api {
  @strict ok() {}
  @strict bad() {}
}`,
  'a decorated method body': `
function wrap(m: any, c: any) { return function (this: any) { return m.call(this); }; }
class Job {
  @wrap
  run(): number {
    const n: number = 1;
    throw new Error('boom in method ' + n);
  }
}
new Job().run();`,
  'a decorated field initializer': `
function f(v: any, c: any) {}
class Conf {
  @f
  name: string = 'x';
  @f size: number = (boom as any).length;
}
new Conf();`,
  'a class decorator expression': `
const decorators: any = { outer: (value: any) => value };
@decorators.outer
@decorators.boom.inner
class Widget {}`,
  'a multi-line decorator argument': `
function Component(options: { a: number; b: number }) { return (v: any, c: any) => {}; }
@Component({
  a: 1,
  b: boom(),
})
class View {
  @Component({ a: 1, b: 2 }) render() {}
}`,
  'an auto-accessor initializer': `
function d(t: any, c: any) {}
class Store {
  @d accessor items: string[] = [];
  accessor total: number = (boom as any).x;
}
new Store();`,
};

describe('decorators in cells: what TypeScript makes of them', function () {
  this.timeout(60_000);

  describe('each program logs the same', () => {
    for (const [name, source] of Object.entries(programs)) {
      it(name, async () => {
        const ours = lowered(source);
        const expected = await run(ts.transpileModule(source, { compilerOptions }).outputText);
        assert.deepEqual(await run(ours), expected);
        assert.equal(ours.split('\n').length, source.split('\n').length, 'lines never move');
        assert.doesNotThrow(() => acorn.parse(ours, { ecmaVersion: 'latest', sourceType: 'script' }), 'plain JavaScript');
      });
    }
  });

  describe('an error points at the line the cell wrote', () => {
    for (const [name, source] of Object.entries(throwing)) {
      it(`thrown in ${name}`, () => {
        const line = source.split('\n').findIndex((l) => l.includes('boom')) + 1;
        const code = lowered(source);
        let stack = '';
        try {
          const context = vm.createContext({ log() {} });
          vm.runInContext(SETUP, context);
          new vm.Script(code, { filename: 'cell.js' }).runInContext(context);
        } catch (err) {
          stack = String((err as Error).stack);
        }
        assert.ok(stack, 'it threw');
        assert.equal(/\bcell\.js:(\d+):\d+/.exec(stack)?.[1], String(line), stack);
      });
    }
  });

  describe('what only looks like a decorator', () => {
    it('leaves a cell without decorators alone', () => {
      assert.equal(lowerDecorators('const x = 1; x'), undefined);
    });

    it('is not fooled by @ and accessor in strings, comments, templates and regular expressions', async () => {
      const js = [
        "const s = '@foo accessor x';",
        'const t = `@bar ${s} accessor y`; // @baz class { accessor z }',
        "/* @qux\n class A { @dec accessor w = 1 } */ const r = /@q accessor/.test('@q accessor');",
        'const o = { accessor: 1, "@at": 2 };',
        'log(s, t, r, o.accessor, o["@at"]);',
      ].join('\n');
      const out = lowerDecorators(js);
      if (out === undefined) return;
      assert.deepEqual(await run(out.code), await run(js));
      assert.equal(out.code.split('\n').length, js.split('\n').length, 'lines never move');
    });
  });
});
