/**
 * A TypeScript cell's class fields as TypeScript compiles them. The type removal (sucrase) turns parameter properties
 * into assignments at the start of the constructor (marked: parameterMark.ts); the rest is done here, on the cell's
 * JavaScript after its decorators are lowered (which keep fields in place: a decorator of `name: string;` is applied to
 * the prototype whether or not the field stays). Every line stays where it was, and every initial value where it was
 * written, so a stack still points into the cell.
 *
 * Defined fields (the default, `useDefineForClassFields`): a parameter property is also declared as a field, before the
 * class's other fields, as TypeScript declares it (`constructor(public a)` gives `a;` at the start of the class body), so
 * an instance's keys come in TypeScript's order (`a` before a field `x = 1`), where they came after its fields.
 *
 * Assigned fields (`assign`: `useDefineForClassFields: false`, said in the notebook's tsconfig.json or implied by a
 * `target` before ES2022: a NestJS, TypeORM or Angular project's): assigned in the constructor, after its parameter
 * properties, instead of defined. A field then runs a setter its class inherits, does not hide an accessor a decorator
 * put on the prototype (a TypeORM lazy relation, a Lit or MobX property), and can read what a parameter property holds
 * (`items = this.service.all()` beside `constructor(private service: Service)`); a field without an initial value is
 * no property at all:
 * - `x = v;` becomes a private method in its place, `#__coda$f1() { this.x = v; };`, that the constructor calls after
 *   its parameter properties (and after `super(…)`), in the fields' order; a class without a constructor gets one at the
 *   start of its body;
 * - `static x = v;` becomes `static { this.x = v; };`, which runs where the field would;
 * - a private field with a value keeps its declaration and is assigned the same way (`#p; #__coda$f2() { this.#p = v; }`),
 *   so fields still get their values in the order they are written;
 * - `x;` (no value) is blanked out; a field with a computed key (`[k] = v`) is left defined (TypeScript evaluates its key
 *   once, a constructor would each time);
 * - fields CodaJS's own decorator lowering made (`#__coda$…`) are left alone.
 */
import type * as acorn from 'acorn';
import { forEachNode } from '../../common/forEachNode';
import { applyEdits, ColumnMap, type Edit } from './ColumnMap';
import { PARAMETER_PROPERTY_MARK } from './parameterMark';
import { parseCell } from './transformCell';

/** Names this pass and the decorator lowering give: never a user's. */
const OWN_PREFIX = '__coda$';

type ClassNode = acorn.ClassDeclaration | acorn.ClassExpression | acorn.AnonymousClassDeclaration;

/** `js` with its classes' fields as TypeScript compiles them (`assign`: assigned), and where its columns were; undefined when nothing changed. */
export function classFields(js: string, assign: boolean): { code: string; columns: ColumnMap } | undefined {
  const marked = js.includes(PARAMETER_PROPERTY_MARK);
  if (!marked && !(assign && /\bclass\b/.test(js))) return undefined;
  const classes: ClassNode[] = [];
  forEachNode(parseCell(js), (node) => {
    if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') classes.push(node as ClassNode);
  });
  const edits: Edit[] = [];
  // the marks go, wherever they are
  for (let at = js.indexOf(PARAMETER_PROPERTY_MARK); at !== -1; at = js.indexOf(PARAMETER_PROPERTY_MARK, at + 1)) {
    edits.push({ start: at, end: at + PARAMETER_PROPERTY_MARK.length, text: '' });
  }
  let n = 0;
  for (const c of classes) {
    if (assign) n = assignFields(js, c, edits, n);
    else declareParameterProperties(js, c, edits);
  }
  if (!edits.length) return undefined;
  return { code: applyEdits(js, edits), columns: new ColumnMap(js, edits) };
}

/** A class's parameter properties, by name, in order (the constructor's marked assignments). */
function parameterProperties(js: string, ctor: acorn.MethodDefinition | undefined): string[] {
  if (!ctor) return [];
  return ctor.value.body.body.flatMap((s) => {
    if (!isMarked(js, s) || s.type !== 'ExpressionStatement' || s.expression.type !== 'AssignmentExpression') return [];
    const left = s.expression.left;
    return left.type === 'MemberExpression' && left.property.type === 'Identifier' ? [left.property.name] : [];
  });
}

const isMarked = (js: string, s: acorn.Node) => js.startsWith(PARAMETER_PROPERTY_MARK, s.start - PARAMETER_PROPERTY_MARK.length);
const constructorOf = (c: ClassNode) => c.body.body.find((e): e is acorn.MethodDefinition => e.type === 'MethodDefinition' && e.kind === 'constructor');

/** Declares a class's parameter properties as fields at the start of its body, as TypeScript does when it defines fields. */
function declareParameterProperties(js: string, c: ClassNode, edits: Edit[]): void {
  const names = parameterProperties(js, constructorOf(c));
  if (names.length) edits.push({ start: c.body.start + 1, end: c.body.start + 1, text: ` ${names.map((name) => `${name};`).join(' ')} ` });
}

/** Adds the edits of one class; returns the last initializer number used. */
function assignFields(js: string, c: ClassNode, edits: Edit[], n: number): number {
  const calls: string[] = [];
  const ctor = constructorOf(c);
  const at = ctor ? initializersAt(js, ctor, !!c.superClass) : c.body.start + 1;
  // a derived class whose constructor calls super() other than as a statement of its own body keeps its fields defined
  if (at === undefined) return n;
  const fieldEdits: Edit[] = [];
  for (const e of c.body.body) {
    if (e.type !== 'PropertyDefinition' || e.computed) continue;
    const key = e.key;
    const isPrivate = key.type === 'PrivateIdentifier';
    if (isPrivate && key.name.startsWith(OWN_PREFIX)) continue;
    if (!e.value) {
      // `x;` is no property; `#p;` stays (a private name must be declared)
      if (!isPrivate) fieldEdits.push({ start: e.start, end: e.end, text: js.slice(e.start, e.end).replace(/[^\n]/g, ' ') });
      continue;
    }
    const target =
      key.type === 'Identifier' ? `this.${key.name}` : key.type === 'PrivateIdentifier' ? `this.#${key.name}` : `this[${js.slice(key.start, key.end)}]`;
    // the key and the `=` make way for the assignment, the value stays where it was (the last `=` before it: a removed
    // type's text is spaces)
    const equals = js.lastIndexOf('=', e.value.start - 1);
    if (e.static) {
      fieldEdits.push({ start: e.start, end: equals + 1, text: `${isPrivate ? `static #${key.name}; ` : ''}static { ${target} =` });
      fieldEdits.push({ start: e.value.end, end: e.value.end, text: '; }' });
      continue;
    }
    const name = `#${OWN_PREFIX}f${++n}`;
    fieldEdits.push({ start: e.start, end: equals + 1, text: `${isPrivate ? `#${key.name}; ` : ''}${name}() { ${target} =` });
    fieldEdits.push({ start: e.value.end, end: e.value.end, text: '; }' });
    calls.push(`this.${name}();`);
  }
  if (!fieldEdits.length) return n;
  edits.push(...fieldEdits);
  if (!calls.length) return n;
  if (ctor) edits.push({ start: at, end: at, text: ` ${calls.join(' ')} ` });
  else {
    const args = `${OWN_PREFIX}args`;
    edits.push({
      start: at,
      end: at,
      text: c.superClass ? `constructor(...${args}) { super(...${args}); ${calls.join(' ')} } ` : `constructor() { ${calls.join(' ')} } `,
    });
  }
  return n;
}

/**
 * Where a constructor assigns its class's fields: after `super(…)` (a derived class's, as a statement of the body's own;
 * undefined when there is none) and after its parameter properties (marked by the type removal).
 */
function initializersAt(js: string, ctor: acorn.MethodDefinition, derived: boolean): number | undefined {
  const body = ctor.value.body;
  const statements = body.body;
  let i = 0;
  if (derived) {
    i = statements.findIndex(isSuperCall) + 1;
    if (i === 0) return undefined;
  }
  // (the type removal writes them after a `;` of its own: `{;this.p = p;`)
  while (i < statements.length && (statements[i]!.type === 'EmptyStatement' || isMarked(js, statements[i]!))) i++;
  return i === 0 ? body.start + 1 : statements[i - 1]!.end;
}

function isSuperCall(s: acorn.Statement): boolean {
  return s.type === 'ExpressionStatement' && s.expression.type === 'CallExpression' && s.expression.callee.type === 'Super';
}
