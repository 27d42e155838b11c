/**
 * Decorators and auto-accessors in a cell, compiled to the JavaScript every runtime runs: the TC39 decorators of
 * 2023-05, with the semantics TypeScript 5 gives them without `experimentalDecorators` (the editor's type check reads
 * them so too), which Deno and Bun also run. Node's V8 has neither yet, and sucrase, which removes a cell's types, leaves
 * both in place.
 *
 * Every line stays where it was, so a stack still points into the cell as written:
 * - a class element's decorators are evaluated where they are written, in order with the computed keys around them, as
 *   the key of a placeholder method (`@a @b(1) m() {}` → `static [(d = [a, b(1)], skip)](){} m() {}`) that the class's
 *   first static block deletes again before anything can see it;
 * - a class's own decorators are evaluated before the class, in place, as the start of the function that holds it
 *   (`@c class C {` → `let C = (() => { … const cd = [c]; var C = class {`), whose end is on the class's last line;
 * - the decorators are applied in that first static block, in TypeScript's order: static methods, getters, setters and
 *   accessors, then instance ones, then static fields, then instance fields, then the class's own; a private method's
 *   function is defined under a symbol, taken from there, and called through a getter of its private name;
 * - a field's initial value passes through its decorators' initializers where it is written; initializers that
 *   `addInitializer` took run after the field (a private field of their own), or for methods and accessors first in the
 *   constructor (the class's first private field) and once for static ones;
 * - `accessor x = 1` is a private field `#…x` with a getter and a setter named `x` after it, on the same line.
 *
 * TypeScript's older `experimentalDecorators` (a tsconfig.json beside the notebook turns them on) take the same places,
 * but what their decorators say is kept as a function, called once the class is made (a declaration's once its
 * binding holds it: `C = flush()`), where each is applied as TypeScript's `__decorate` applies it; with their
 * parameter decorators (parameterDecorators.ts) and `emitDecoratorMetadata`'s types (designTypes.ts).
 * The run-time part is makeDecoratorRuntime (the global DECORATORS_HOOK, which the kernels install).
 */
import type * as acorn from 'acorn';
import { codaErrorMessage } from '../../protocol/codaErrors';
import { forEachNode } from '../../common/forEachNode';
import { endBeforeSemicolon } from '../../common/sourcePosition';
import { applyEdits, ColumnMap, composeColumns, type Columns, type Edit } from './ColumnMap';
import { lazy } from '../runtime/lazy';
import { located, parseCell } from './transformCell';
import { loadedSucrase } from './stripTypes';
import { afterBracket } from './valueNamespace';
import { DesignTypes } from './designTypes';
import type { DecoratorMode } from '../../protocol';
import type { ParameterDecorator } from './parameterDecorators';

/** The global the kernels define as makeDecoratorRuntime()'s object. */
export const DECORATORS_HOOK = '__coda$decorators';

export interface DecoratorOptions {
  jsx?: boolean;
  /** TypeScript's `experimentalDecorators` (a tsconfig.json beside the notebook asks for them) in place of standard ones. */
  legacy?: LegacyOptions;
}

export interface LegacyOptions {
  /** `emitDecoratorMetadata`: `design:type`, `design:paramtypes` and `design:returntype` from the cell's types. */
  metadata: boolean;
  /** The cell's types (a TypeScript cell): where its parameters are, and their annotations. */
  types?: DesignTypes;
  /** The cell's parameter decorators, taken out before its types were removed (parameterDecorators.ts). */
  parameters?: ParameterDecorator[];
}

/** `@` where a decorator can start, or the `accessor` keyword: a cell without either is left alone (and loads no parser). */
const MAYBE = /@|\baccessor\b/;
/** Comments, which may stand between decorators and what they decorate. */
const COMMENTS = /\/\/[^\n]*|\/\*[\s\S]*?\*\//g;
const isGap = (text: string) => /^\s*$/.test(text.replace(COMMENTS, ' '));
/** `@a.b.c`: a decorator read from an object, which it is called on (as TypeScript calls it). */
const MEMBER_PATH = lazy(() => /^[\p{ID_Start}$_][\p{ID_Continue}$]*(?:\.[\p{ID_Start}$_][\p{ID_Continue}$]*)+$/u);

interface Decorator {
  /** The `@`. */
  start: number;
  end: number;
}
/** Decorators written one after the other, and what they decorate. */
interface Group {
  start: number;
  end: number;
  items: Decorator[];
}

type ClassNode = acorn.ClassDeclaration | acorn.ClassExpression | acorn.AnonymousClassDeclaration;
type Element = acorn.MethodDefinition | acorn.PropertyDefinition;

interface ElementPlan {
  node: Element;
  group?: Group;
  /** Its parameters' decorators (TypeScript's experimentalDecorators): the parameter's index and the expression. */
  params?: { index: number; expression: string }[];
  /** The `accessor` keyword's range. */
  accessor?: [number, number];
}

interface ClassPlan {
  node: ClassNode;
  group?: Group;
  elements: Map<acorn.Node, ElementPlan>;
}

/**
 * `js` (types already removed) with its decorators and auto-accessors compiled, and where its columns were; undefined
 * when it has neither. Throws CellSyntaxError where the cell does not parse, or a decorator stands where none can.
 */
export function lowerDecorators(js: string, options: DecoratorOptions = {}): { code: string; columns: Columns } | undefined {
  const { legacy } = options;
  const parameters = legacy?.parameters ?? [];
  if (!MAYBE.test(js) && !parameters.length) return undefined;
  const { groups, accessors } = scan(js, !!options.jsx);
  if (!groups.length && !accessors.length && !parameters.length) return undefined;
  const blank = blanked(js, groups, accessors);
  const program = parseCell(blank);
  const parents = new Map<acorn.Node, acorn.Node>();
  const classes: ClassNode[] = [];
  forEachNode(program, (node) => {
    for (const value of Object.values(node)) {
      for (const child of Array.isArray(value) ? value : [value]) {
        if (child && typeof child === 'object' && typeof (child as acorn.Node).type === 'string') parents.set(child as acorn.Node, node);
      }
    }
    if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') classes.push(node as ClassNode);
  });
  const plans = new Map<ClassNode, ClassPlan>();
  const planOf = (c: ClassNode) => {
    let p = plans.get(c);
    if (!p) plans.set(c, (p = { node: c, elements: new Map() }));
    return p;
  };
  const elementPlan = (c: ClassNode, e: Element) => {
    const p = planOf(c).elements;
    let ep = p.get(e);
    if (!ep) p.set(e, (ep = { node: e }));
    return ep;
  };
  for (const g of groups) {
    const decorated = classAfter(classes, blank, g.end, parents);
    if (decorated) {
      planOf(decorated).group = g;
      continue;
    }
    const place = memberAt(classes, g.start);
    const element = place && place.body.body.find((e) => e.start >= g.end);
    // (a `declare` field's decorators are left before a `;` once its types are gone: they decorate nothing that runs)
    const stray = !element || !isGap(blank.slice(g.end, element.start));
    if (!place || stray || element.type === 'StaticBlock' || (element.type === 'MethodDefinition' && element.kind === 'constructor')) {
      throw located(codaErrorMessage('DecoratorsUnsupported'), js, g.start, 'DecoratorsUnsupported');
    }
    elementPlan(place, element).group = g;
  }
  for (const [from, to] of accessors) {
    const place = memberAt(classes, from, true);
    const element = place?.body.body.find((e): e is acorn.PropertyDefinition => e.type === 'PropertyDefinition' && e.key.start >= to);
    if (!place || !element) throw located(codaErrorMessage('DecoratorsUnsupported'), js, from, 'DecoratorsUnsupported');
    elementPlan(place, element).accessor = [from, to];
  }
  if (parameters.length) {
    // each parameter decorator onto its method (or constructor), by where its parameter is in the cell
    const byParameter = new Map<number, ParameterDecorator[]>();
    for (const d of parameters) byParameter.set(d.parameter, [...(byParameter.get(d.parameter) ?? []), d]);
    let placed = 0;
    for (const c of classes) {
      for (const e of c.body.body) {
        if (e.type !== 'MethodDefinition') continue;
        e.value.params.forEach((param, index) => {
          const at = param.type === 'AssignmentPattern' ? param.left : param;
          const found = legacy?.types ? byParameter.get(legacy.types.cellOffset(at.start)) : undefined;
          if (!found) return;
          placed += found.length;
          const plan = elementPlan(c, e);
          plan.params = [...(plan.params ?? []), ...found.map((d) => ({ index, expression: d.expression }))];
        });
      }
    }
    if (placed !== parameters.length) throw new Error('CodaJS could not tell which parameters some parameter decorators decorate');
  }
  const edits: Edit[] = [];
  let k = 0;
  // outer classes first, so that at one offset an outer class's opening text goes before an inner one's, and its closing
  // text after (applyEdits keeps the order edits were made in at an offset)
  const closers: Edit[][] = [];
  for (const plan of [...plans.values()].sort((a, b) => a.node.start - b.node.start)) closers.push(lowerClass(js, plan, ++k, parents, edits, legacy));
  for (const list of closers.reverse()) edits.push(...list);
  const code = applyEdits(js, edits);
  return { code, columns: new ColumnMap(js, edits) };
}

/**
 * How a cell's decorators are lowered under `mode`: for TypeScript's experimentalDecorators, a TypeScript cell's types
 * (`ts`: the cell with its parameter decorators taken out, which hideParameterDecorators also returned, and how the
 * columns of `js`, its JavaScript, map back to it).
 */
export function decoratorOptions(
  mode: DecoratorMode | undefined,
  jsx: boolean,
  js: string,
  ts?: { source: string; columns: Columns; parameters: ParameterDecorator[] },
): DecoratorOptions {
  if (mode?.kind !== 'legacy') return { jsx };
  const typed = ts && (ts.parameters.length || (mode.metadata && /@/.test(ts.source)));
  const types = typed
    ? new DesignTypes(loadedSucrase(), ts.source, js, ts.columns, jsx, (n) => `${DECORATORS_HOOK}.ref(() => ${n})`, mode.strictNullChecks)
    : undefined;
  return { jsx, legacy: { metadata: mode.metadata, types, parameters: ts?.parameters ?? [] } };
}

/** `js` as acorn can read it: its decorators and `accessor` keywords turned to spaces (offsets and lines unchanged). */
export function withoutDecorators(js: string, jsx = false): string {
  if (!MAYBE.test(js)) return js;
  const { groups, accessors } = scan(js, jsx);
  return blanked(js, groups, accessors);
}

function blanked(js: string, groups: Group[], accessors: [number, number][]): string {
  let out = js;
  const blank = (from: number, to: number) => {
    out = out.slice(0, from) + out.slice(from, to).replace(/[^\n]/g, ' ') + out.slice(to);
  };
  for (const g of groups) blank(g.start, g.end);
  for (const [from, to] of accessors) blank(from, to);
  return out;
}

/**
 * A cell's JavaScript (`js`, the type removal's output when it had types, whose columns map back by `inner`) with its
 * decorators lowered, and how the columns of the result map back to the cell.
 */
export function withDecoratorsLowered(js: string, inner: Columns | undefined, options: DecoratorOptions = {}): { code: string; columns: Columns | undefined } {
  const lowered = lowerDecorators(js, options);
  return lowered ? { code: lowered.code, columns: composeColumns(lowered.columns, inner) } : { code: js, columns: inner };
}

/** The decorators (grouped) and `accessor` keywords of `js`, from sucrase's tokens (strings, templates and regexps skipped). */
function scan(js: string, jsx: boolean): { groups: Group[]; accessors: [number, number][] } {
  const s = loadedSucrase();
  const { TokenType: T, ContextualKeyword: K } = s;
  let tokens: ReturnType<typeof s.parse>['tokens'];
  try {
    tokens = s.parse(js, jsx, false, false).tokens;
  } catch {
    // what sucrase cannot read, acorn reports in its own words (parseCell)
    parseCell(js);
    return { groups: [], accessors: [] };
  }
  const groups: Group[] = [];
  const accessors: [number, number][] = [];
  const closing = (i: number) => afterBracket(s, tokens, i);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === T.name && t.contextualKeyword === K._accessor) {
      const next = tokens[i + 1];
      // `accessor x`, `accessor #x`, `accessor [k]`, `accessor 'x'` on one line: the keyword (a field named
      // `accessor` is followed by `=`, `;`, `}` or a line break)
      if (
        next &&
        !js.slice(t.end, next.start).includes('\n') &&
        (next.type === T.name || next.type === T.hash || next.type === T.bracketL || next.type === T.string || next.type === T.num)
      ) {
        accessors.push([t.start, t.end]);
      }
      continue;
    }
    if (t.type !== T.at) continue;
    // `@(expr)`, or `@a.b.c` with at most one call after it
    let j = i + 1;
    if (tokens[j]?.type === T.parenL) j = closing(j);
    else {
      j++;
      while (tokens[j]?.type === T.dot && tokens[j + 1]) j += 2;
      if (tokens[j]?.type === T.parenL) j = closing(j);
    }
    const end = tokens[j - 1]!.end;
    const last = groups[groups.length - 1];
    const item = { start: t.start, end };
    if (last && last.end <= t.start && isGap(js.slice(last.end, t.start))) {
      last.items.push(item);
      last.end = end;
    } else groups.push({ start: t.start, end, items: [item] });
    i = j - 1;
  }
  return { groups, accessors };
}

/** The class that decorators ending at `end` decorate: the next one, with only `export` or `export default` between. */
function classAfter(classes: ClassNode[], blank: string, end: number, parents: Map<acorn.Node, acorn.Node>): ClassNode | undefined {
  let best: ClassNode | undefined;
  for (const c of classes) if (c.start >= end && (!best || c.start < best.start)) best = c;
  if (!best) return undefined;
  const between = blank.slice(end, best.start).replace(COMMENTS, ' ');
  if (/^\s*$/.test(between)) return best;
  const parent = parents.get(best);
  const exported = parent?.type === 'ExportNamedDeclaration' || parent?.type === 'ExportDefaultDeclaration';
  return exported && parent.start >= end && /^\s*export\s+(?:default\s+)?$/.test(between) ? best : undefined;
}

/**
 * The innermost class whose body holds `offset` between its members (not inside one), or, with `inMember`, in a
 * member's head before its key (`static accessor x`).
 */
function memberAt(classes: ClassNode[], offset: number, inMember = false): ClassNode | undefined {
  let best: ClassNode | undefined;
  for (const c of classes) {
    if (!(c.body.start < offset && offset < c.body.end)) continue;
    const inside = c.body.body.some((e) => e.start <= offset && offset < e.end && !(inMember && e.type === 'PropertyDefinition' && offset < e.key.start));
    if (!inside && (!best || c.start > best.start)) best = c;
  }
  return best;
}

const isPrivate = (e: Element) => e.key.type === 'PrivateIdentifier';

/**
 * Adds to `edits` what compiles one class's decorators and accessors (class `k` of the cell), and returns the edits that
 * close what it opened (the caller adds them after an inner class's).
 */
function lowerClass(js: string, plan: ClassPlan, k: number, parents: Map<acorn.Node, acorn.Node>, edits: Edit[], legacy?: LegacyOptions): Edit[] {
  const { node } = plan;
  const P = `__coda$${k}`;
  const first = edits.length;
  const closing: Edit[] = [];
  const insert = (at: number, text: string) => edits.push({ start: at, end: at, text });
  const close = (at: number, text: string) => closing.push({ start: at, end: at, text });
  const replace = (start: number, end: number, text: string) => edits.push({ start, end, text });
  const lets: string[] = [];
  const consts: string[] = [`${P}h = ${DECORATORS_HOOK}`];
  let skip = false;
  const decorated = !!plan.group || [...plan.elements.values()].some((e) => e.group);
  /** The static block's statements, by TypeScript's order of application. */
  const apply: Record<'staticMethods' | 'methods' | 'staticFields' | 'fields', string[]> = { staticMethods: [], methods: [], staticFields: [], fields: [] };
  const captures: string[] = [];
  let instanceExtras = false;
  /** experimentalDecorators: the members' `__decorate` calls (instance ones first, as TypeScript orders them). */
  const legacyCalls: Record<'members' | 'statics', string[]> = { members: [], statics: [] };
  let constructorParams: string[] = [];
  const types = legacy?.metadata ? legacy.types : undefined;
  const designType = (key: string, value: string) => `${P}h.metadata("design:${key}", ${value})`;
  let j = 0;
  for (const e of [...plan.elements.values()].sort((a, b) => a.node.start - b.node.start)) {
    j++;
    const el = e.node;
    const isStatic = el.static;
    const priv = isPrivate(el);
    const field = el.type === 'PropertyDefinition';
    const kind = e.accessor ? 'accessor' : field ? 'field' : el.kind === 'get' ? 'getter' : el.kind === 'set' ? 'setter' : 'method';
    const keyText = js.slice(el.key.start, el.key.end);
    const privName = priv ? keyText : '';
    // the element's name as the context and the descriptor read it
    let name: string;
    if (priv) name = JSON.stringify(privName);
    else if (el.computed) {
      name = `${P}k${j}`;
      lets.push(name);
    } else name = JSON.stringify(el.key.type === 'Identifier' ? el.key.name : String((el.key as acorn.Literal).value));
    const stat = isStatic ? 'static ' : '';
    // (experimentalDecorators are applied after the class is made, where `${P}t` is the class)
    const self = legacy ? `${P}t` : 'this';
    const home = isStatic ? self : `${self}.prototype`;
    const extras = isStatic ? `${P}se` : `${P}ie`;
    if (e.group) {
      lets.push(`${P}d${j}`);
      skip = true;
      // experimentalDecorators are evaluated once the class is made: what they say is written here, as a function
      decoratorList(js, e.group, P, `static [(${P}d${j} = ${legacy ? '() => ' : ''}[`, `], ${P}s)](){} `, edits);
    }
    if (legacy && priv && (e.group || e.params))
      throw located(codaErrorMessage('DecoratorsUnsupported'), js, e.group?.start ?? el.start, 'DecoratorsUnsupported');
    if (el.computed && (e.group || e.params) && !e.accessor) {
      insert(el.key.start, `${name} = ${P}h.key(`);
      close(el.key.end, ')');
    }
    const get = priv ? `o.${privName}` : `o[${name}]`;
    const access = [`has: (o) => ${priv ? `${privName} in o` : `${name} in o`}`];
    if (kind !== 'setter') access.push(`get: (o) => ${get}`);
    if (kind !== 'method' && kind !== 'getter') access.push(`set: (o, v) => { ${get} = v; }`);
    const accessObject = `{ ${access.join(', ')} }`;
    const elementCall = (descriptor: string, inits: string, extrasList: string) =>
      `${P}h.element(this, ${P}m, "${kind}", ${name}, ${isStatic}, ${priv}, ${P}d${j}, ${accessObject}, ${descriptor}, ${inits}, ${extrasList});`;
    if (e.accessor) {
      const storage = `#${P}a${j}`;
      const initsVar = `${P}i${j}`;
      replace(e.accessor[0], e.accessor[1], '');
      // the key becomes the storage field's; a computed key is evaluated there, once, by a placeholder method
      if (el.computed) {
        const open = js.lastIndexOf('[', el.key.start);
        const close = js.indexOf(']', el.key.end);
        replace(open, open + 1, `[(${name} = ${P}h.key(`);
        replace(close, close + 1, `), ${P}s)](){} ${stat}${storage}`);
        skip = true;
      } else replace(el.key.start, el.key.end, storage);
      if (e.group && !legacy) {
        consts.push(`${initsVar} = []`);
        wrapValue(js, el as acorn.PropertyDefinition, `${P}h.init(this, ${initsVar}, `, insert, close);
      }
      const key = priv ? privName : el.computed ? `[${name}]` : keyText;
      const end = el.end;
      if (priv && e.group) {
        lets.push(`${P}p${j}`);
        close(end, `; ${stat}get ${privName}() { return ${P}p${j}.get.call(this); } ${stat}set ${privName}(v) { ${P}p${j}.set.call(this, v); }`);
        captures.push(
          `${P}p${j} = { get: ${P}h.name(function () { return this.${storage}; }, "get ${privName}"), set: ${P}h.name(function (v) { this.${storage} = v; }, "set ${privName}") };`,
        );
      } else close(end, `; ${stat}get ${key}() { return this.${storage}; } ${stat}set ${key}(v) { this.${storage} = v; }`);
      if (e.group && legacy) {
        const meta = types ? [designType('type', types.property(el.computed ? js.lastIndexOf('[', el.key.start) : el.key.start))] : [];
        (isStatic ? legacyCalls.statics : legacyCalls.members).push(`${P}h.legacyMember([...${P}d${j}(), ${meta.join(', ')}], ${home}, ${name}, false);`);
      } else if (e.group) {
        (isStatic ? apply.staticMethods : apply.methods).push(elementCall(priv ? `${P}p${j}` : 'undefined', initsVar, extras));
        if (!isStatic) instanceExtras = true;
      }
      continue;
    }
    if (legacy) {
      const params = (e.params ?? []).map((p) => `${P}h.param(${p.index}, ${p.expression})`);
      if (el.type === 'MethodDefinition' && el.kind === 'constructor') {
        constructorParams = params;
        continue;
      }
      if (!e.group && !params.length) continue;
      const meta: string[] = [];
      if (types) {
        if (field) meta.push(designType('type', types.property(el.computed ? js.lastIndexOf('[', el.key.start) : el.key.start)));
        else {
          const fn = (el as acorn.MethodDefinition).value;
          const paramTypes = types.parameters(fn.params.map((p) => p.start));
          if (kind === 'getter' || kind === 'setter') {
            // an accessor's type is its getter's, else its setter's parameter's (the pair's other half, TypeScript reads both)
            const pair = accessorPair(plan.node, el as acorn.MethodDefinition);
            const getter = kind === 'getter' ? fn : pair?.value;
            const setter = kind === 'setter' ? fn : pair?.value;
            const fromGetter = getter ? types.returns(getter.start, getter.async) : 'void 0';
            const fromSetter = setter?.params[0] ? types.parameters([setter.params[0].start])[0]! : 'Object';
            const type = fromGetter !== 'void 0' ? fromGetter : fromSetter;
            meta.push(designType('type', type), designType('paramtypes', setter ? `[${type}]` : '[]'));
          } else {
            meta.push(
              designType('type', 'Function'),
              designType('paramtypes', `[${paramTypes.join(', ')}]`),
              designType('returntype', types.returns(fn.start, fn.async)),
            );
          }
        }
      }
      const list = [...(e.group ? [`...${P}d${j}()`] : []), ...params, ...meta];
      (isStatic ? legacyCalls.statics : legacyCalls.members).push(`${P}h.legacyMember([${list.join(', ')}], ${home}, ${name}, ${field});`);
      continue;
    }
    if (!e.group) continue;
    if (field) {
      const initsVar = `${P}i${j}`;
      const extrasVar = `${P}e${j}`;
      consts.push(`${initsVar} = []`, `${extrasVar} = []`);
      wrapValue(js, el, `${P}h.init(this, ${initsVar}, `, insert, close);
      close(el.end, `; ${stat}#${P}x${j} = ${P}h.run(this, ${extrasVar});`);
      (isStatic ? apply.staticFields : apply.fields).push(elementCall('undefined', initsVar, extrasVar));
      continue;
    }
    if (!isStatic) instanceExtras = true;
    if (priv) {
      // defined under a symbol, taken from there, and reached through its private name
      const slot = `${P}q${j}`;
      consts.push(`${slot} = Symbol()`);
      lets.push(`${P}p${j}`);
      replace(el.key.start, el.key.end, `[${slot}]`);
      const via =
        kind === 'getter'
          ? `get ${privName}() { return ${P}p${j}.get.call(this); }`
          : kind === 'setter'
            ? `set ${privName}(v) { ${P}p${j}.set.call(this, v); }`
            : `get ${privName}() { return ${P}p${j}.value; }`;
      insert(el.start, `${stat}${via} `);
      const part = kind === 'getter' ? 'get' : kind === 'setter' ? 'set' : 'value';
      const label = kind === 'getter' ? `get ${privName}` : kind === 'setter' ? `set ${privName}` : privName;
      const taken = part === 'value' ? `${home}[${slot}]` : `Object.getOwnPropertyDescriptor(${home}, ${slot}).${part}`;
      captures.push(`${P}p${j} = { ${part}: ${P}h.name(${taken}, ${JSON.stringify(label)}) }; delete ${home}[${slot}];`);
      (isStatic ? apply.staticMethods : apply.methods).push(elementCall(`${P}p${j}`, '[]', extras));
      continue;
    }
    (isStatic ? apply.staticMethods : apply.methods).push(elementCall('undefined', '[]', extras));
  }

  const statements: string[] = [];
  const name = inferredName(node, parents);
  const classDecorated = !!plan.group;
  const id = node.id?.name;
  if (legacy) {
    // the class as soon as it exists (its name, inside it, from its static initializers on)
    const opening = [`${P}t = this;`];
    if (classDecorated && id) opening.push(`${id} = this;`);
    if (!id && name !== undefined) opening.push(`if (this.name === "") ${P}h.name(this, ${JSON.stringify(name)});`);
    insert(node.body.start + 1, ` static { ${opening.join(' ')} }`);
    // applied once the class is made, as TypeScript applies them after the class statement
    const apply: string[] = [];
    if (skip) apply.push(`delete ${P}t[${P}s]; delete ${P}t.prototype[${P}s];`);
    apply.push(...legacyCalls.members, ...legacyCalls.statics);
    if (classDecorated || constructorParams.length) {
      const ctor = node.body.body.find((e): e is acorn.MethodDefinition => e.type === 'MethodDefinition' && e.kind === 'constructor');
      const meta = types && ctor ? [designType('paramtypes', `[${types.parameters(ctor.value.params.map((p) => p.start)).join(', ')}]`)] : [];
      const list = [...(classDecorated ? [`...${P}cd()`] : []), ...constructorParams, ...meta];
      apply.push(`${id && classDecorated ? `${id} = ` : ''}${P}t = ${P}h.legacyClass([${list.join(', ')}], ${P}t);`);
    }
    consts.push(`${P}s = Symbol()`);
    lets.push(`${P}t`);
    return wrapClass(js, plan, P, parents, edits, first, closing, consts, lets, `() => { ${apply.join(' ')} return ${P}t; }`);
  }
  if (!id && name !== undefined) statements.push(`if (this.name === "") ${P}h.name(this, ${JSON.stringify(name)});`);
  statements.push(`${P}t = this;`);
  if (skip) statements.push(`delete this[${P}s]; delete this.prototype[${P}s];`);
  if (decorated) statements.push(`const ${P}m = ${P}h.meta(this);`);
  statements.push(...captures, ...apply.staticMethods, ...apply.methods, ...apply.staticFields, ...apply.fields);
  if (classDecorated) {
    consts.push(`${P}ce = []`);
    // the class's own name, inside it, is the class its decorators returned
    statements.push(`${id ? `${id} = ` : ''}${P}t = ${P}h.decorateClass(this, ${P}m, ${P}cd, ${P}ce);`);
  }
  if (decorated) statements.push(`${P}h.finish(${P}t, ${P}m);`, `${P}h.run(${P}t, ${P}se);`);
  consts.push(`${P}s = Symbol()`, `${P}se = []`, `${P}ie = []`);
  lets.push(`${P}t`);
  let opening = ` static { ${statements.join(' ')} }`;
  if (instanceExtras) opening += ` #${P}ie = ${P}h.run(this, ${P}ie);`;
  insert(node.body.start + 1, opening);
  if (classDecorated) {
    close(node.body.end - 1, `; static { ${P}h.run(${P}t, ${P}ce); }`);
    // `this` in a static field's initializer or a static block is the class the decorators returned
    for (const el of node.body.body) {
      if (el.type === 'StaticBlock' || (el.type === 'PropertyDefinition' && el.static && el.value)) {
        forEachNode(el.type === 'StaticBlock' ? el : el.value!, (n) => {
          if (n.type === 'ThisExpression') replace(n.start, n.end, `${P}t`);
          return !(n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration' || n.type === 'ClassExpression' || n.type === 'ClassDeclaration');
        });
      }
    }
  }

  return wrapClass(js, plan, P, parents, edits, first, closing, consts, lets);
}

/**
 * Around the class: a function of its own, whose variables the edits made for it use (`consts`, `lets`), on the class's
 * first and last lines; its own decorators evaluated before it, as a function to call later with `legacy`.
 */
function wrapClass(
  js: string,
  plan: ClassPlan,
  P: string,
  parents: Map<acorn.Node, acorn.Node>,
  edits: Edit[],
  first: number,
  closing: Edit[],
  consts: string[],
  lets: string[],
  /** experimentalDecorators: what applies them, run once the class is made (a declaration's, once it is bound). */
  legacy?: string,
): Edit[] {
  const { node } = plan;
  const id = node.id?.name;
  const classDecorated = !!plan.group;
  const insert = (at: number, text: string) => edits.push({ start: at, end: at, text });
  const close = (at: number, text: string) => closing.push({ start: at, end: at, text });
  const replace = (start: number, end: number, text: string) => edits.push({ start, end, text });
  const parent = parents.get(node);
  const exportNode = parent?.type === 'ExportNamedDeclaration' || parent?.type === 'ExportDefaultDeclaration' ? parent : undefined;
  const declaration = node.type === 'ClassDeclaration' || exportNode?.type === 'ExportDefaultDeclaration';
  // the binding a declaration makes (an anonymous `export default class` makes none)
  const binding = declaration ? id : undefined;
  const start = Math.min(plan.group?.start ?? Infinity, exportNode?.start ?? Infinity, node.start);
  let head = '';
  let after = '';
  if (exportNode) {
    // `export` (and `default`) go before the function; the class's decorators may stand before or after them
    const keywords = /^export\s+(?:default\b\s*)?/.exec(js.slice(exportNode.start))![0];
    replace(exportNode.start, exportNode.start + keywords.length, '');
    if (exportNode.type === 'ExportNamedDeclaration') head = 'export ';
    else if (binding) after = ` export default ${binding};`;
    else head = 'export default ';
  }
  head += binding ? `let ${binding} = (() => { ` : '(() => { ';
  head += `const ${consts.join(', ')}; let ${lets.join(', ')}; `;
  const end = binding ? ';' : '';
  // experimentalDecorators: a declaration is decorated once its binding holds the class (a decorator may name it)
  const finish = legacy
    ? binding
      ? `; ${DECORATORS_HOOK}.defer(${legacy}); return ${P}t; })(); { ${classDecorated ? `${binding} = ` : ''}${DECORATORS_HOOK}.flush(); }`
      : `; return (${legacy})(); })()`
    : undefined;
  if (classDecorated) {
    head += `const ${P}cd = ${legacy ? '() => ' : ''}[`;
    decoratorList(js, plan.group!, P, '', '', edits);
    // `var C = class {…}` names the class C, and is the name its methods read; an anonymous class stays anonymous
    insert(plan.group!.end, `]; ${id ? `var ${id} = ` : 'void '}`);
    if (node.id) replace(node.id.start, node.id.end, '');
    close(node.end, finish ? `${finish}${after}` : `; return ${id ? `${id} = ` : ''}${P}t; })()${end}${after}`);
  } else if (finish) {
    head += 'void ';
    close(node.end, `${finish}${after}`);
  } else {
    head += 'return ';
    close(node.end, ` })()${end}${after}`);
  }
  // before every other edit of this class at that offset
  edits.splice(first, 0, { start, end: start, text: head });
  return closing;
}

/** `[a, b(1)]` in place of `@a @b(1)`: each `@` becomes `open` (the first) or a comma, and `end` follows the last. */
function decoratorList(js: string, g: Group, P: string, open: string, end: string, edits: Edit[]): void {
  g.items.forEach((d, i) => {
    const text = js.slice(d.start + 1, d.end);
    if (!MEMBER_PATH().test(text)) return void edits.push({ start: d.start, end: d.start + 1, text: i ? ', ' : open });
    // `@a.b` is called with `a` as its `this`: `h.bound(a, "b")`
    const dot = d.start + 1 + text.lastIndexOf('.');
    edits.push({ start: d.start, end: d.start + 1, text: `${i ? ', ' : open}${P}h.bound(` });
    edits.push({ start: dot, end: d.end, text: `, ${JSON.stringify(js.slice(dot + 1, d.end))})` });
  });
  if (end) edits.push({ start: g.end, end: g.end, text: end });
}

/** The other half of a getter or setter pair: the setter of a getter, the getter of a setter, with the same key. */
function accessorPair(node: ClassNode, el: acorn.MethodDefinition): acorn.MethodDefinition | undefined {
  if (el.computed) return undefined;
  const want = el.kind === 'get' ? 'set' : 'get';
  const keyOf = (k: acorn.Node) =>
    k.type === 'Identifier' ? (k as acorn.Identifier).name : k.type === 'Literal' ? String((k as acorn.Literal).value) : undefined;
  return node.body.body.find(
    (m): m is acorn.MethodDefinition =>
      m.type === 'MethodDefinition' && m.kind === want && !m.computed && m.static === el.static && keyOf(m.key) === keyOf(el.key),
  );
}

/** `prefix` + the field's value + `)`, or ` = ` + prefix + `void 0)` for a field without one. */
function wrapValue(
  js: string,
  el: acorn.PropertyDefinition,
  prefix: string,
  insert: (at: number, text: string) => void,
  close: (at: number, text: string) => void,
): void {
  if (el.value) {
    insert(el.value.start, prefix);
    close(el.value.end, ')');
    return;
  }
  close(endBeforeSemicolon(js, el), ` = ${prefix}void 0)`);
}

/** The name an anonymous class expression takes from where it is written (`const A = class {}`), if any. */
function inferredName(node: ClassNode, parents: Map<acorn.Node, acorn.Node>): string | undefined {
  if (node.id) return node.id.name;
  const p = parents.get(node);
  if (!p) return undefined;
  const keyName = (key: acorn.Node, computed: boolean) =>
    computed
      ? undefined
      : key.type === 'Identifier'
        ? (key as acorn.Identifier).name
        : key.type === 'Literal'
          ? String((key as acorn.Literal).value)
          : undefined;
  switch (p.type) {
    case 'VariableDeclarator': {
      const d = p as acorn.VariableDeclarator;
      return d.init === node && d.id.type === 'Identifier' ? d.id.name : undefined;
    }
    case 'AssignmentExpression': {
      const a = p as acorn.AssignmentExpression;
      return a.right === node && a.left.type === 'Identifier' ? a.left.name : undefined;
    }
    case 'AssignmentPattern': {
      const a = p as acorn.AssignmentPattern;
      return a.right === node && a.left.type === 'Identifier' ? a.left.name : undefined;
    }
    case 'Property': {
      const a = p as acorn.Property;
      return a.value === node ? keyName(a.key, a.computed) : undefined;
    }
    case 'PropertyDefinition': {
      const a = p as acorn.PropertyDefinition;
      return a.value === node ? keyName(a.key, a.computed) : undefined;
    }
    case 'ExportDefaultDeclaration':
      return 'default';
  }
  return undefined;
}
