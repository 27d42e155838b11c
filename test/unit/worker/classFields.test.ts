/**
 * A TypeScript cell's class fields as TypeScript compiles them (worker/transform/classFields.ts): defined, with parameter
 * properties declared first (ES2022 and later), or assigned (`useDefineForClassFields: false`, a tsconfig.json whose
 * `target` is before ES2022, as NestJS's, or that says so). Each program runs once as TypeScript 5 emits it and once as
 * a cell runs it (types stripped, decorators lowered, fields placed), and both runs log the same; lines never move, and
 * an error in an initial value points at its line and column in the cell.
 */
import { strict as assert } from 'node:assert';
import vm from 'node:vm';
import * as acorn from 'acorn';
import * as ts from 'typescript';
import type { DecoratorMode } from '../../../protocol';
import { cellJavaScript, typedCell } from '../../../worker/transform/typedCell';
import { classFields } from '../../../worker/transform/classFields';
import { runLogged, withDecoratorRuntime } from '../helpers/decoratorRuns';

const SETUP = withDecoratorRuntime('');

/** A program, and whether it uses TypeScript's experimentalDecorators (else the standard ones, or none). */
type Program = { source: string; legacy?: true };

/** What TypeScript makes of it: for ES2021 (fields assigned), or for ES2022 (`defined`). */
function reference({ source, legacy }: Program, defined = false): string {
  const compilerOptions: ts.CompilerOptions = {
    target: defined ? ts.ScriptTarget.ES2022 : ts.ScriptTarget.ES2021,
    module: ts.ModuleKind.ESNext,
    useDefineForClassFields: defined,
    experimentalDecorators: !!legacy,
    strict: true,
  };
  return ts.transpileModule(source, { compilerOptions }).outputText;
}

const modeOf = ({ legacy }: Program, defined = false): DecoratorMode => {
  const fields = defined ? {} : ({ assignFields: true } as const);
  return legacy ? { kind: 'legacy', metadata: false, strictNullChecks: true, tsconfig: '/x/tsconfig.json', ...fields } : { kind: 'standard', ...fields };
};

function cell(program: Program, mode: DecoratorMode = modeOf(program)): { code: string; columns: ReturnType<typeof cellJavaScript>['columns'] } {
  const typed = typedCell(program.source, 'cell.ts', { typescript: true }, mode);
  return cellJavaScript(program.source, typed, mode);
}

const programs: Record<string, Program> = {
  'a field runs the setter its class inherits, and is no property of its own': {
    source: `
class Base {
  set name(v: string) { log('set', v); }
  get name() { return 'from the getter'; }
}
class Child extends Base { name = 'x'; }
const c = new Child();
log(Object.hasOwn(c, 'name'), c.name);`,
  },
  'a field without a value is no property at all': {
    source: `
class E { id!: number; other = 2; maybe?: string; declare later: string; }
log(Object.keys(new E()), 'id' in new E());`,
  },
  'parameter properties are set first, then the fields in order, which can read them': {
    source: `
class Svc { all() { return [1, 2]; } }
class Ctl {
  items = this.svc.all();
  count = this.items.length;
  constructor(private svc: Svc, public tag = 't') { log('constructor', this.items, this.tag); }
}
const k = new Ctl(new Svc());
log(Object.keys(k), k.count);`,
  },
  'a derived class without a constructor passes its arguments on, and assigns after the base class': {
    source: `
class A { a = 1; constructor(public n: number) { log('A', n, (this as any).b); } }
class B extends A { b = this.a + this.n; }
log(new B(5));`,
  },
  'a derived constructor with code before super() assigns right after it': {
    source: `
class P { p = 'p'; }
class Q extends P {
  q = this.p + '!';
  constructor(x: number) {
    const y = x * 2;
    super();
    log('after super', this.q, y);
  }
}
new Q(2);`,
  },
  'static fields run an inherited static setter and read the ones before them': {
    source: `
class SBase { static set conf(v: number) { log('static set', v); } }
class S extends SBase { static conf = 3; static a = 1; static b = S.a + 1; }
log(Object.hasOwn(S, 'conf'), S.b);`,
  },
  'private fields get their values in the order written, among the others': {
    source: `
class Pr {
  a = 1;
  #b = this.a + 1;
  c = this.#b + 1;
  static #s = 'static private';
  get b() { return this.#b; }
  static get s() { return Pr.#s; }
}
const pr = new Pr();
log(pr.b, pr.c, Object.keys(pr), Pr.s);`,
  },
  'arrow functions in fields keep the instance; string and number keys; a class expression': {
    source: `
class H { name = 'h'; handler = () => this.name; }
const { handler } = new H();
const C = class { 'a-b' = 1; 2 = 'two'; x = 3; };
log(handler(), new C());`,
  },
  'a decorator that puts an accessor on the prototype is not hidden by the field (experimentalDecorators)': {
    legacy: true,
    source: `
function observed(target: any, key: string) {
  Object.defineProperty(target, key, {
    get(this: any) { return this['_' + key]; },
    set(this: any, v: unknown) { log('observed', key, v); this['_' + key] = v; },
    configurable: true,
  });
}
class Model {
  @observed title = 'first';
  @observed count!: number;
  constructor() { this.count = 2; }
}
const m = new Model();
log(Object.keys(m), m.title, m.count);`,
  },
  'fields and parameter properties under experimentalDecorators, with a class decorator': {
    legacy: true,
    source: `
function sealed(target: Function) { log('sealed', target.name); }
@sealed
class Repo {
  rows = this.db.rows;
  constructor(private readonly db: { rows: number[] }) {}
}
log(Object.keys(new Repo({ rows: [1] })));`,
  },
};

/** Programs whose instances' keys TypeScript orders with its parameter properties first when it defines fields. */
const definedPrograms: Record<string, Program> = {
  "parameter properties are declared before the class's fields": {
    source: `
class A { x = 1; constructor(public a: number, private b = 2) {} }
log(Object.keys(new A(1)), JSON.stringify(new A(3)));`,
  },
  'in a derived class, after the base class, and with a constructor body of its own': {
    source: `
class A { x = 1; constructor(public a: number) {} }
class B extends A {
  y = 2;
  constructor(readonly c: number, protected d?: string) {
    super(c);
    log('in the constructor', Object.keys(this));
  }
}
log(Object.keys(new B(4, 'd')));`,
  },
  'with experimentalDecorators and a decorated parameter': {
    legacy: true,
    source: `
function inject(target: any, key: string | undefined, index: number) { log('inject', index); }
class Svc { n = 1; constructor(@inject private readonly dep: string, public other = 2) {} }
log(Object.keys(new Svc('x')));`,
  },
};

describe('class fields defined, as TypeScript compiles them for ES2022 and later', () => {
  for (const [name, program] of Object.entries(definedPrograms)) {
    it(name, async () => {
      const ours = cell(program, modeOf(program, true)).code;
      const expected = await runLogged(SETUP, reference(program, true));
      assert.ok(!expected.some((l) => l.startsWith('threw')), `the reference runs: ${expected.join('\n')}`);
      assert.deepEqual(await runLogged(SETUP, ours), expected);
      assert.equal(ours.split('\n').length, program.source.split('\n').length, 'lines never move');
      assert.ok(!ours.includes('__coda$param'), 'the marks are gone');
    });
  }
});

describe('class fields assigned, as TypeScript compiles them for a target before ES2022', function () {
  this.timeout(60_000);

  for (const [name, program] of Object.entries(programs)) {
    it(name, async () => {
      const ours = cell(program).code;
      const expected = await runLogged(SETUP, reference(program));
      assert.ok(!expected.some((l) => l.startsWith('threw')), `the reference runs: ${expected.join('\n')}`);
      assert.deepEqual(await runLogged(SETUP, ours), expected);
      assert.equal(ours.split('\n').length, program.source.split('\n').length, 'lines never move');
      assert.doesNotThrow(() => acorn.parse(ours, { ecmaVersion: 'latest', sourceType: 'script' }), 'plain JavaScript');
      assert.ok(!ours.includes('__coda$param'), 'the marks are gone');
    });
  }

  it('an error in an initial value points at its line and column in the cell', () => {
    const source = `class Thing {
  ok = 1;
  bad = this.ok + (() => { throw new Error('in a field'); })();
  constructor(public p = 2) {}
}
new Thing();`;
    const { code, columns } = cell({ source });
    let stack = '';
    try {
      new vm.Script(code, { filename: 'cell.js' }).runInContext(vm.createContext({}));
    } catch (err) {
      stack = String((err as Error).stack);
    }
    const at = /\bcell\.js:(\d+):(\d+)/.exec(stack);
    assert.ok(at, stack);
    assert.equal(at[1], '3');
    const column = columns ? columns.original(3, Number(at[2])) : Number(at[2]);
    // (where the error is made)
    assert.equal(column, source.split('\n')[2]!.indexOf('new Error') + 1);
  });

  it('leaves fields defined without the setting, and in JavaScript cells', async () => {
    const program = programs['a field runs the setter its class inherits, and is no property of its own']!;
    const defined = { kind: 'standard' } as const;
    assert.deepEqual(await runLogged(SETUP, cell(program, defined).code), ['true x']);
    const jsTyped = typedCell(
      'class A { x = 1 }',
      'cell.jsx',
      { typescript: false, jsx: { runtime: 'classic', factory: 'h', fragment: 'F' } as never },
      modeOf(program),
    );
    assert.equal(cellJavaScript('class A { x = 1 }', jsTyped, modeOf(program)).code.trim(), 'class A { x = 1 }');
  });

  it('leaves a class alone where its constructor calls super() inside a block, and a computed key defined', () => {
    assert.equal(classFields('class A extends B { x = 1; constructor() { if (t) { super(); } else { super(1); } } }', true), undefined);
    assert.equal(classFields('class A { [k] = 1; #__coda$own = 2; }', true), undefined);
    assert.equal(classFields('const s = "class A { x = 1 }";', true), undefined);
  });
});
