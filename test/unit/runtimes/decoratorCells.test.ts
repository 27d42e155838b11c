/**
 * Decorators and auto-accessors in cells of every kernel (worker/transform/lowerDecorators.ts, whose semantics
 * test/unit/worker/decorators.test.ts checks against TypeScript's own output): a decorated class keeps its state across
 * cells and re-runs, its errors point into the cell as written, Run Scratch's line values skip the compiled parts, and a
 * decorator where none can stand is refused at its `@`.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExecuteResult } from '../../../protocol';
import { kernelOn, type TestKernel } from '../helpers/testKernel';
import { skipWithoutSandbox, startSandbox } from '../helpers/sandboxKernel';

const SERVICE = `type Ctx = ClassMethodDecoratorContext;
const calls: string[] = [];
function logged<T extends (...a: any[]) => any>(fn: T, ctx: Ctx) {
  return function (this: unknown, ...args: any[]) {
    calls.push(String(ctx.name));
    return fn.apply(this, args);
  };
}
function registered(value: new (...a: any[]) => unknown, ctx: ClassDecoratorContext) {
  ctx.addInitializer(function () { calls.push('registered ' + ctx.name); });
}
function clamp(max: number) {
  return (_: undefined, ctx: ClassFieldDecoratorContext) => (v: number) => Math.min(v, max);
}
@registered
class Counter {
  @clamp(10) start = 50;
  accessor count = this.start;
  #secret = 7;
  @logged inc(by = 1) { this.count += by; return this.count; }
  @logged #peek() { return this.#secret; }
  peek() { return this.#peek(); }
  @logged static make() { return new Counter(); }
}
const c = Counter.make();
[c.inc(), c.inc(5), c.peek(), c.count, calls.join(',')]`;
const EXPECTED = "[ 11, 16, 7, 16, 'registered Counter,make,inc,inc,#peek' ]";

/** 1-based line and column of the first `needle` in `source`. */
function at(source: string, needle: string): [number, number] {
  const offset = source.indexOf(needle);
  assert.ok(offset >= 0, needle);
  const before = source.slice(0, offset).split('\n');
  return [before.length, before[before.length - 1]!.length + 1];
}

function errorOf(r: ExecuteResult) {
  assert.equal(r.status, 'error', JSON.stringify(r));
  if (r.status !== 'error') throw new Error('unreachable');
  return r.error;
}

function suite(name: string, start: (ctx: Mocha.Context) => Promise<TestKernel>, opts: { scratch: boolean; localModules: boolean }) {
  describe(`decorators in cells: ${name}`, function () {
    this.timeout(60_000);
    let k: TestKernel;
    before(async function () {
      k = await start(this);
    });
    after(() => k?.kernel.dispose());

    it('a decorated class with fields, private methods, a static method and an accessor runs as TypeScript runs it', async () => {
      assert.equal(await valueOf(k, SERVICE), EXPECTED);
      // state kept: the class and its instance are the notebook's
      assert.equal(await valueOf(k, 'c.inc(2)', 'typescript'), '18');
      // re-running the cell declares the class again
      assert.equal(await valueOf(k, SERVICE), EXPECTED);
    });

    it('JavaScript cells take decorators too, and a class expression keeps the name it is assigned to', async () => {
      assert.equal(
        await valueOf(k, 'const tag = (v, ctx) => { v.tag = ctx.name; };\nconst Named = @tag class {};\n[Named.name, Named.tag]', 'javascript'),
        "[ 'Named', 'Named' ]",
      );
    });

    it('an error in a decorated method, and one thrown by a decorator, point at their lines in the cell', async () => {
      const code =
        'function boom(): never {\n  throw new Error("from decorator");\n}\nclass Broken {\n  @((m: any) => m)\n  go() {\n    throw new Error("from method");\n  }\n}\nnew Broken().go()';
      const err = errorOf(await k.run(code, { language: 'typescript' }));
      assert.equal(err.message, 'from method');
      // (JavaScriptCore places a construction at its `(`, V8 at its `new`: Bun's column is its own)
      const [line, column] = at(code, 'new Error("from method")');
      assert.equal(err.frames?.[0]?.line, line);
      if (name !== 'bun') assert.equal(err.frames?.[0]?.column, column);
      const second = 'class Late {\n  @(boom())\n  x = 1;\n}';
      const thrown = errorOf(await k.run(second, { language: 'typescript' }));
      assert.equal(thrown.message, 'from decorator');
      const inCell = thrown.frames?.find((f) => f.cellLabel !== thrown.frames?.[0]?.cellLabel);
      const [callLine, callColumn] = at(second, 'boom()');
      assert.equal(inCell?.line, callLine);
      if (name !== 'bun') assert.equal(inCell?.column, callColumn);
    });

    it('a decorator where none can stand is refused at its @, before the cell runs', async () => {
      for (const [code, needle] of [
        ['const before = 1;\nclass S { constructor(@inject x: number) {} }', '@inject'],
        ['const before = 1;\nconst o = { @d m() {} }', '@d'],
        ['const before = 1;\n@d function f() {}', '@d'],
        ['const before = 1;\nclass A {\n  @d constructor() {}\n}', '@d'],
      ]) {
        const err = errorOf(await k.run(code!, { language: 'typescript' }));
        assert.equal(err.code, 'DecoratorsUnsupported', code);
        assert.deepEqual([err.location?.line, err.location?.column], at(code!, needle!), code);
      }
      assert.equal(await valueOf(k, 'typeof before', 'javascript'), 'undefined');
    });

    it("a decorator of TypeScript's older kind fails with words that say so, and a `declare` field's decorator is refused", async () => {
      const field = errorOf(
        await k.run(
          'function Column(): any { return (target: any, key: string) => { target.constructor.cols = [key]; }; }\nclass User { @Column() name = ""; }',
          {
            language: 'typescript',
          },
        ),
      );
      assert.match(field.message, /constructor.*experimentalDecorators/s);
      const method = errorOf(
        await k.run(
          'function Memo(): any { return (t: any, k: string, d: PropertyDescriptor) => ({ ...d, enumerable: false }); }\nclass M { @Memo() m() {} }',
          {
            language: 'typescript',
          },
        ),
      );
      assert.match(method.message, /^a method decorator must return a function or undefined, not a property descriptor .*experimentalDecorators/);
      const declared = 'function d(): any {}\nclass R {\n  @d declare y: number;\n  z = 1;\n}';
      const refused = errorOf(await k.run(declared, { language: 'typescript' }));
      assert.equal(refused.code, 'DecoratorsUnsupported');
      assert.deepEqual([refused.location?.line, refused.location?.column], at(declared, '@d'));
    });

    if (opts.localModules) {
      it('a local TypeScript module a cell imports has its decorators compiled too', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'coda-decorated-'));
        writeFileSync(
          join(dir, 'service.ts'),
          'export function loud(fn: any, ctx: ClassMethodDecoratorContext) {\n  return function (this: any) { return String(fn.call(this)).toUpperCase() + "!"; };\n}\nexport class Greeter {\n  accessor who = "module";\n  @loud hi() { return "hi " + this.who; }\n}\n',
        );
        assert.equal(
          await valueOf(k, `import { Greeter } from ${JSON.stringify(pathToFileURL(join(dir, 'service.ts')).href)};\nnew Greeter().hi()`),
          'HI MODULE!',
        );
      });
    }

    if (opts.scratch) {
      it("Run Scratch's line values show the user's lines, not the compiled class", async () => {
        const code = 'const id = (v: any) => v;\nclass P { @id m() { return 1 } accessor a = 2 }\nnew P().a\nnew P().m()';
        const values: { line: number }[] = [];
        const off = k.kernel.onEvent('lineValue', (b) => values.push(b));
        try {
          const r = await k.run(code, { language: 'typescript', instrumentLines: true });
          assert.equal(r.status, 'ok', JSON.stringify(r));
        } finally {
          off();
        }
        assert.deepEqual(
          values.map((v) => v.line),
          [3, 4],
        );
      });
    }
  });
}

async function valueOf(k: TestKernel, code: string, language: 'javascript' | 'typescript' = 'typescript'): Promise<string> {
  const r = await k.run(code, { language });
  assert.equal(r.status, 'ok', JSON.stringify(r));
  if (r.status !== 'ok') return '';
  const v = r.value;
  return !v ? '(no value)' : v.type === 'object' ? v.preview : v.type === 'string' ? v.value : 'text' in v ? v.text : 'value' in v ? String(v.value) : v.type;
}

for (const runtime of ['node', 'deno', 'bun'] as const) suite(runtime, (ctx) => kernelOn(ctx, runtime), { scratch: true, localModules: true });
// the Node of the runtime store (24): its module hooks run on the main thread (registerHooks), Node 20's in a thread of their own
suite('node 24', (ctx) => kernelOn(ctx, 'node', { storeNode: true }), { scratch: false, localModules: true });
suite(
  'sandbox',
  async (ctx) => {
    skipWithoutSandbox(ctx);
    return startSandbox();
  },
  { scratch: false, localModules: false },
);

/** A reflect-metadata of a few lines, so no package is installed: what TypeScript's `__metadata` calls. */
const REFLECT = `const store = new Map<any, Map<any, Map<any, unknown>>>();
const slot = (t: any, k: any) => { let byKey = store.get(t); if (!byKey) store.set(t, (byKey = new Map())); let m = byKey.get(k); if (!m) byKey.set(k, (m = new Map())); return m; };
(Reflect as any).metadata = (key: any, value: unknown) => (target: any, prop?: any) => { slot(target, prop).set(key, value); };
(Reflect as any).getMetadata = (key: any, target: any, prop?: any): any => { for (let t = target; t; t = Object.getPrototypeOf(t)) { const v = store.get(t)?.get(prop)?.get(key); if (v !== undefined) return v; } return undefined; };`;

const LEGACY = `function Injectable(): ClassDecorator { return (target: any) => { target.injectable = true; }; }
function Inject(token: string): ParameterDecorator { return (target: any, _key, index) => { (target.tokens ??= [])[index] = token; }; }
function Column(): PropertyDecorator { return (target: any, key) => { (target.constructor.columns ??= []).push(\`\${String(key)}:\${(Reflect as any).getMetadata('design:type', target, key)?.name}\`); }; }
function Memo(): MethodDecorator { return (_t, _k, d: PropertyDescriptor) => { const f = d.value; let cached: unknown; d.value = function (this: unknown) { return (cached ??= f.call(this)); }; return d; }; }
class Db {}
@Injectable()
class Repo {
  @Column() name: string = '';
  @Column() tags: string[] = [];
  @Column() db?: Db;
  constructor(private readonly store: Db, @Inject('CONFIG') private config: { url: string }) {}
  @Memo() stamp() { return Math.random(); }
}
const r = new Repo(new Db(), { url: 'x' });
[(Repo as any).injectable, (Repo as any).columns.join(' '), (Repo as any).tokens[1], r.stamp() === r.stamp(), (Reflect as any).getMetadata('design:paramtypes', Repo).map((t: any) => t.name).join(',')]`;
const LEGACY_EXPECTED = "[ true, 'name:String tags:Array db:Db', 'CONFIG', true, 'Db,Object' ]";

function legacySuite(name: string, start: (ctx: Mocha.Context, cwd: string) => Promise<TestKernel>, opts: { localModules: boolean }) {
  describe(`experimentalDecorators in cells (a tsconfig.json turns them on): ${name}`, function () {
    this.timeout(60_000);
    let k: TestKernel;
    let dir: string;
    before(async function () {
      dir = mkdtempSync(join(tmpdir(), 'coda-legacy-'));
      writeFileSync(
        join(dir, 'tsconfig.json'),
        '{\n  // as NestJS and TypeORM projects write it\n  "compilerOptions": { "experimentalDecorators": true, "emitDecoratorMetadata": true, },\n}\n',
      );
      k = await start(this, dir);
    });
    after(() => k?.kernel.dispose());

    it('class, property, method and parameter decorators run as TypeScript runs them, with design:type metadata', async () => {
      assert.equal((await k.run(REFLECT, { language: 'typescript' })).status, 'ok');
      assert.equal(await valueOf(k, LEGACY), LEGACY_EXPECTED);
    });

    it('a parameter decorator outside a class method is refused at its @', async () => {
      const code = 'function Inject(t: string): any { return () => {}; }\nfunction plain(@Inject("x") a: number) {}';
      const err = errorOf(await k.run(code, { language: 'typescript' }));
      assert.equal(err.code, 'DecoratorsUnsupported');
      assert.deepEqual([err.location?.line, err.location?.column], at(code, '@Inject("x") a'));
    });

    if (opts.localModules) {
      it("a local module's decorators run as the cells' do", async () => {
        writeFileSync(
          join(dir, 'service.ts'),
          'export class Dep {}\nexport function Injectable(): ClassDecorator { return () => {}; }\n@Injectable()\nexport class Service {\n  constructor(public readonly dep: Dep, public readonly name: string) {}\n}\n',
        );
        assert.equal(
          await valueOf(
            k,
            `import { Service } from './service.ts';\n(Reflect as any).getMetadata('design:paramtypes', Service).map((t: any) => t.name).join(',')`,
          ),
          'Dep,String',
        );
      });
    }
  });
}

for (const runtime of ['node', 'bun'] as const) legacySuite(runtime, (ctx, cwd) => kernelOn(ctx, runtime, { cwd }), { localModules: true });
legacySuite('node 24', (ctx, cwd) => kernelOn(ctx, 'node', { storeNode: true, cwd }), { localModules: true });
// Deno loads a local module with its own compiler, which reads deno.json, not tsconfig.json (docs/runtimes.md)
legacySuite('deno', (ctx, cwd) => kernelOn(ctx, 'deno', { cwd }), { localModules: false });
legacySuite(
  'sandbox',
  async (ctx, cwd) => {
    skipWithoutSandbox(ctx);
    return startSandbox({ cwd });
  },
  { localModules: false },
);
